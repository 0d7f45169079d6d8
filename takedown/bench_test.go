package takedown_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/takedown"
	"github.com/chatrecall/chatrecall/webhook"
)

// benchFootprint is the incident the figures are for: an account in 500
// groups (600 messages each in the window, 60 of them its own), 2,000
// one-to-one peers (its message and a reply each), 20 live-stream groups
// known only from the ledger. Without CHATRECALL_LONG_BENCH a fiftieth of
// it runs (CI runs every benchmark once).
func benchFootprint() chatrecalltest.Footprint {
	now := time.Now()
	f := chatrecalltest.Footprint{Account: "mallory", Groups: 500, GroupMessages: 600, Own: 60,
		Peers: 2000, PeerMessages: 1, PeerReplies: 1, LiveGroups: 20, LiveMessages: 30,
		From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)}
	if os.Getenv("CHATRECALL_LONG_BENCH") == "" {
		f.Groups, f.Peers, f.LiveGroups = 10, 40, 1
	}
	return f
}

// floor is the busiest endpoint's requests (as the fake counted them) at
// its documented limit, 200 a second: no run can be faster.
func floor(srv *chatrecalltest.Server, from int) (time.Duration, string, int) {
	counts := map[string]int{}
	for _, r := range srv.Requests()[from:] {
		counts[r.Endpoint]++
	}
	var most string
	for ep, n := range counts {
		if most == "" || n > counts[most] {
			most = ep
		}
	}
	return time.Duration(float64(counts[most]) / 200 * float64(time.Second)), most, counts[most]
}

// BenchmarkTakedown runs the figure's takedown through a fake that
// enforces the documented limits and adds a latency to every request:
// first a dry run (its plan and its estimate), then applying the plan, then
// a whole takedown on a fresh fake. It reports each wall time against its
// floor, and the estimate against the apply's wall time.
func BenchmarkTakedown(b *testing.B) {
	for _, lat := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", lat), func(b *testing.B) {
			for range b.N {
				fp := benchFootprint()
				ctx := context.Background()
				// The ledger is kept by a webhook receiver, as in production:
				// the fake posts an after-recall callback for each recall,
				// which verifies the live-stream groups' messages.
				setup := func() (*chatrecalltest.Server, *takedown.Runner) {
					h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "t"})
					if err != nil {
						b.Fatal(err)
					}
					hs := httptest.NewServer(h)
					b.Cleanup(hs.Close)
					b.Cleanup(h.Wait)
					srv := chatrecalltest.NewServer(chatrecalltest.WithLatency(lat), chatrecalltest.WithCallback(hs.URL, "t"))
					tr := srv.AddFootprint(fp)
					ledger := ledgerOf(b, tr)
					webhook.Record(h, ledger, nil)
					client, err := chatrecall.NewClient(srv.Config())
					if err != nil {
						b.Fatal(err)
					}
					return srv, takedown.New(client, func(o *takedown.Options) { o.Ledger = ledger })
				}
				srv, r := setup()
				d, err := r.Discover(ctx, fp.Account, fp.From.Add(-time.Minute), time.Time{})
				if err != nil {
					b.Fatal(err)
				}
				var plans []*takedown.ConversationPlan
				t0 := time.Now()
				sum, err := r.Plan(ctx, d, func(p *takedown.ConversationPlan) error { plans = append(plans, p); return nil })
				planWall := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				mark := len(srv.Requests())
				t0 = time.Now()
				rep, err := r.Apply(ctx, slices.Values(plans))
				applyWall := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				applyFloor, applyBusiest, applyN := floor(srv, mark)
				srv.Close()
				if rep.Total.Recalled != sum.Messages {
					b.Fatalf("applied %d of %d", rep.Total.Recalled, sum.Messages)
				}

				srv, r = setup()
				t0 = time.Now()
				full, err := takedown.Takedown(ctx, r.API(), fp.Account, fp.From.Add(-time.Minute), time.Time{}, r.Options())
				wall := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				fullFloor, fullBusiest, fullN := floor(srv, 0)
				srv.Close()
				b.ReportMetric(wall.Seconds(), "s/takedown")
				b.ReportMetric(wall.Seconds()/fullFloor.Seconds(), "x-floor")
				b.ReportMetric(applyWall.Seconds()/applyFloor.Seconds(), "x-floor-apply")
				b.ReportMetric(sum.Estimate.ETA.Seconds()/applyWall.Seconds(), "eta/actual")
				b.Logf("latency %s: %d conversations, %d messages. Dry run %.1fs; ETA %.1fs, apply %.1fs (%.3f), floor %.1fs (%d to %s): %.3fx. Whole takedown %.1fs, floor %.1fs (%d to %s): %.3fx; %d recalled, %d verified",
					lat, len(d.Targets), sum.Messages, planWall.Seconds(), sum.Estimate.ETA.Seconds(), applyWall.Seconds(), sum.Estimate.ETA.Seconds()/applyWall.Seconds(),
					applyFloor.Seconds(), applyN, applyBusiest, applyWall.Seconds()/applyFloor.Seconds(),
					wall.Seconds(), fullFloor.Seconds(), fullN, fullBusiest, wall.Seconds()/fullFloor.Seconds(), full.Total.Recalled, full.Total.Verified)
			}
		})
	}
}

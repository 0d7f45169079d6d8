package sweep_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
)

// The benchmarks in this file take seconds to minutes each (they run at
// the service's documented limits, or scan up to a million messages). They
// run only with CHATRECALL_LONG_BENCH=1; BENCHMARKS.md has the commands
// and the figures.
func longBench(b *testing.B) {
	if os.Getenv("CHATRECALL_LONG_BENCH") == "" {
		b.Skip("set CHATRECALL_LONG_BENCH=1: runs at the service's limits")
	}
}

// BenchmarkSweepAtTheLimit sweeps one sender's messages from a group of
// 20,000 messages (and a one-to-one conversation of 6,000) through a fake
// that enforces 200 requests per second per endpoint and adds a latency to
// every request. It reports the wall time against the floor: the busier
// endpoint's requests at 200 per second.
func BenchmarkSweepAtTheLimit(b *testing.B) {
	longBench(b)
	for _, kind := range []string{"group", "c2c"} {
		for _, lat := range []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/latency=%s", kind, lat), func(b *testing.B) {
				for range b.N {
					srv := chatrecalltest.NewServer(chatrecalltest.WithLatency(lat))
					now := time.Now()
					conv, f := groupConv("@TGS#big"), sweep.Filter{Senders: []string{"user03"}, Since: now.Add(-48 * time.Hour)}
					if kind == "c2c" {
						srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 6000, From: now.Add(-47 * time.Hour), To: now.Add(-time.Minute), Seed: 7})
						conv, f.Senders = chatrecall.Conversation{Account: "alice", Peer: "mallory"}, []string{"mallory"}
					} else {
						srv.FillGroup("@TGS#big", chatrecalltest.Fill{Messages: 20000, Senders: 10, From: now.Add(-47 * time.Hour), To: now.Add(-time.Minute), Seed: 7})
					}
					client, err := chatrecall.NewClient(srv.Config())
					if err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					rep, err := sweep.New(client).Sweep(bg, conv, f)
					wall := time.Since(start)
					if err != nil {
						b.Fatal(err)
					}
					counts := map[string]int{}
					for _, r := range srv.Requests() {
						counts[r.Endpoint]++
					}
					busiest := 0
					for _, n := range counts {
						busiest = max(busiest, n)
					}
					floor := time.Duration(float64(busiest) / 200 * float64(time.Second))
					s := rep.Summary()
					if s.Verified != s.Total || srv.RateLimited() > 0 {
						b.Fatalf("%+v, %d refused for frequency", s, srv.RateLimited())
					}
					b.ReportMetric(wall.Seconds()/floor.Seconds(), "x-floor")
					b.ReportMetric(wall.Seconds(), "wall-s")
					b.ReportMetric(float64(rep.PagesInFlight), "pages-in-flight")
					b.ReportMetric(float64(rep.RecallsInFlight), "recalls-in-flight")
					b.Logf("%s latency %s: %d targets, requests %v, floor %s, wall %s (%.3fx), in flight: %d pages, %d recalls",
						kind, lat, s.Total, counts, floor.Round(time.Millisecond), wall.Round(time.Millisecond), wall.Seconds()/floor.Seconds(), rep.PagesInFlight, rep.RecallsInFlight)
					srv.Close()
				}
			})
		}
	}
}

// peakHeap runs fn and returns how far the heap grew above where it was,
// at its highest, sampled every 5 ms with the GC kept eager (GOGC 10), so
// that what is measured is what the sweep keeps, not garbage.
func peakHeap(fn func()) uint64 {
	old := debug.SetGCPercent(10)
	defer debug.SetGCPercent(old)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	fn()
	close(done)
	runtime.ReadMemStats(&ms)
	p := max(peak.Load(), ms.HeapAlloc)
	if p < base {
		return 0
	}
	return p - base
}

// BenchmarkSweepMemory: heap growth of sweeps that scan 50,000 and 500,000
// messages for the same 5,000 targets (per scanned message: the
// difference), and of a sweep of 1,000,000 targets whose report is
// streamed to a file (per target).
func BenchmarkSweepMemory(b *testing.B) {
	longBench(b)
	sweepOf := func(kind string, st *memStub, out *bufio.Writer) func() {
		return func() {
			conv, f := groupConv("@TGS#mem"), sweep.Filter{Senders: []string{"target"}}
			if kind == "c2c" {
				conv, f = chatrecall.Conversation{Account: "target", Peer: "other"}, sweep.Filter{Senders: []string{"target"}, Since: st.base, Until: epoch}
			}
			s := sweep.New(st, func(o *sweep.Options) {
				if out != nil {
					enc := json.NewEncoder(out)
					o.OnOutcome = func(o sweep.Outcome) { _ = enc.Encode(o.Item) }
				}
			})
			rep, err := s.Sweep(bg, conv, f)
			if err != nil || rep.Summary().Verified != rep.Len() {
				panic(fmt.Sprint(err, rep.Summary()))
			}
			runtime.KeepAlive(rep)
		}
	}
	for _, kind := range []string{"group", "c2c"} {
		b.Run(kind+"/per-scanned-message", func(b *testing.B) {
			small := peakHeap(sweepOf(kind, newMemStub(50_000, 10), nil))
			large := peakHeap(sweepOf(kind, newMemStub(500_000, 100), nil))
			per := (float64(large) - float64(small)) / 450_000
			b.ReportMetric(float64(small), "heap-50k-B")
			b.ReportMetric(float64(large), "heap-500k-B")
			b.ReportMetric(per, "B/scanned-msg")
			b.Logf("%s: 5,000 targets: heap grew %d B scanning 50,000 messages, %d B scanning 500,000: %.2f B per scanned message", kind, small, large, per)
		})
		b.Run(kind+"/per-target", func(b *testing.B) {
			f, err := os.CreateTemp(b.TempDir(), "report")
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			out := bufio.NewWriter(f)
			const n = 1_000_000
			grew := peakHeap(sweepOf(kind, newMemStub(n, 1), out))
			_ = out.Flush()
			b.ReportMetric(float64(grew)/n, "B/target")
			b.Logf("%s: 1,000,000 targets, report streamed to a file: heap grew %d B at its peak, %.1f B per target", kind, grew, float64(grew)/n)
		})
	}
}

package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/redislimit/redistest"
	"github.com/chatrecall/chatrecall/webhook"
)

// recordTrail records what an after-send webhook would have into a Redis
// ledger, as the receivers do.
func recordTrail(t testing.TB, l *redisledger.Ledger, tr *chatrecalltest.Trail) {
	t.Helper()
	var batch []webhook.SentMessage
	for _, s := range tr.Sent {
		m := webhook.SentMessage{Kind: webhook.KindGroup, Conversation: s.Group, Sender: s.Sender, Seq: uint32(s.Seq), Time: s.Time}
		if s.Group == "" {
			m = webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation(s.Sender, s.To), Sender: s.Sender, Key: s.Key, Time: s.Time}
		}
		if batch = append(batch, m); len(batch) == 1000 {
			require.NoError(t, l.Record(context.Background(), batch...))
			batch = batch[:0]
		}
	}
	require.NoError(t, l.Record(context.Background(), batch...))
}

// TestTakedownWithRedisLedger: with --redis, discovery reads the webhook
// ledger the receivers share, and finds what the service's lists cannot:
// the live-stream groups and the peers past the conversation-list cap.
// Every message of the account is taken back, nothing else, and the run
// says the list was capped.
func TestTakedownWithRedisLedger(t *testing.T) {
	r := redistest.Start(t)
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithContactCap(20))
	defer srv.Close()
	now := time.Now()
	tr := srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 4, GroupMessages: 30, Own: 3,
		Peers: 40, PeerMessages: 1, PeerReplies: 1, LiveGroups: 2, LiveMessages: 3, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)})
	recordTrail(t, redisledger.New(r.Client(t)), tr)

	res := runCLI(t, fakeVars(srv), "", "--base-url", srv.URL, "--json", "takedown", "--account", "mallory", "--since", "3h",
		"--redis", "redis://"+r.Addr+"/0", "--contact-cap", "20", "--settle", "100ms")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "conversation list capped at 20: peers beyond it come only from the ledger")
	assert.Contains(t, res.stderr, "46 conversations found (6 groups, 40 one-to-one)")
	for _, s := range tr.Sent {
		want := chatrecalltest.MessagePresent
		if s.Sender == "mallory" {
			want = chatrecalltest.MessageRecalled
		}
		if s.Group != "" {
			assert.Equal(t, want, srv.GroupMessage(s.Group, s.Seq), "%+v", s)
		} else {
			assert.Equal(t, want, srv.C2CMessage(s.Key), "%+v", s)
		}
	}
	assert.Len(t, readRows(strings.NewReader(res.stdout), -1), tr.Own)
}

// BenchmarkTakedownCLI runs the binary's takedown of the figure's footprint
// (500 groups of 600 messages, 60 the account's; 2,000 peers; 20
// live-stream groups in a Redis ledger) against a fake at the documented
// limits with 100 ms added to every request, and reports its peak RSS and
// wall time. A tenth of it without CHATRECALL_LONG_BENCH.
func BenchmarkTakedownCLI(b *testing.B) {
	binary(b)
	for range b.N {
		r := redistest.Start(b)
		srv := chatrecalltest.NewServer(chatrecalltest.WithLatency(100 * time.Millisecond))
		now := time.Now()
		fp := chatrecalltest.Footprint{Account: "mallory", Groups: 500, GroupMessages: 600, Own: 60,
			Peers: 2000, PeerMessages: 1, PeerReplies: 1, LiveGroups: 20, LiveMessages: 30, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)}
		if os.Getenv("CHATRECALL_LONG_BENCH") == "" {
			fp.Groups, fp.Peers, fp.LiveGroups = 20, 200, 2
		}
		tr := srv.AddFootprint(fp)
		recordTrail(b, redisledger.New(r.Client(b)), tr)
		dir := b.TempDir()
		cmd := command(b, srv, "--json", "takedown", "--account", "mallory", "--since", "3h", "--redis", "redis://"+r.Addr+"/0",
			"--journal", filepath.Join(dir, "j"), "--report", filepath.Join(dir, "r"))
		cmd.Stdout = io.Discard
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		var peak int64
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for waiting := true; waiting; {
			select {
			case err := <-done:
				if err != nil {
					b.Fatalf("%v: %s", err, stderr.String())
				}
				waiting = false
			case <-time.After(50 * time.Millisecond):
				peak = max(peak, vmHWM(cmd.Process.Pid))
			}
		}
		wall := time.Since(start)
		srv.Close()
		b.ReportMetric(float64(peak)/1024, "MB-peak-RSS")
		b.ReportMetric(wall.Seconds(), "s/takedown")
		b.Logf("CLI takedown of %d messages in %d conversations: %s, peak RSS %.1f MB", tr.Own, fp.Groups+fp.Peers+fp.LiveGroups, wall.Round(time.Millisecond), float64(peak)/1024)
	}
}

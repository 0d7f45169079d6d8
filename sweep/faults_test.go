package sweep_test

import (
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recallFaults are the faults of a recall endpoint: refused, applied with
// the answer lost or garbled, and late.
func recallFaults(srv *chatrecalltest.Server, endpoint string, internal chatrecall.Code, seed uint64, timeout time.Duration) {
	srv.FailRandomly(endpoint, seed,
		chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: internal}},
		chatrecalltest.Chance{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: internal}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultContradict}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultOmit}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		chatrecalltest.Chance{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}},
		chatrecalltest.Chance{P: 0.01, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 2 * timeout}},
	)
}

// historyFaults are the faults of a history endpoint: short, empty and
// stale pages, refusals and dropped connections.
func historyFaults(srv *chatrecalltest.Server, endpoint string, seed uint64) {
	srv.FailRandomly(endpoint, seed,
		chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
		chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
	)
}

// truth is what the fake knows of a sweep's outcomes.
type truth struct {
	wrong, falseVerified, overruled, unknown, recalled int
}

// judge checks one outcome against the fake's state of its message.
func (tr *truth) judge(t *testing.T, o sweep.Outcome, gone bool) {
	t.Helper()
	switch {
	case o.Err == nil:
		tr.recalled++
		if !gone {
			tr.wrong++
			t.Errorf("%s reported recalled, still there", o.ID())
		}
	case errors.Is(o.Err, chatrecall.ErrOutcomeUnknown):
		tr.unknown++
	case errors.Is(o.Err, chatrecall.ErrNotRecalled):
		if gone {
			tr.overruled++
			t.Errorf("%s reported not recalled, but it is: %v", o.ID(), o.Err)
		}
	default:
		if gone && !errors.Is(o.Err, chatrecall.ErrGone) {
			tr.wrong++
			t.Errorf("%s reported failed (%v), but it is recalled", o.ID(), o.Err)
		}
	}
	if (o.Check == sweep.CheckRecalled) && !gone {
		tr.falseVerified++
		t.Errorf("%s verified recalled, still there", o.ID())
	}
}

// TestSweepFaultMatrix sweeps a group and a one-to-one conversation while
// every recall and history fault the fake has is injected, and history
// shows recalls 1.5 s late. Against the fake's ground truth: no outcome is
// wrong, nothing outside the plan is taken back, nothing unrecalled is
// reported verified, and no message the service recalled is reported not
// recalled; every target is in the report unless the report says which
// range of history it could not see.
func TestSweepFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of requests under faults")
	}
	// Well above any answer on a loaded machine: only the injected late
	// answers (FaultDelay, twice this) time out, whatever else runs.
	const timeout = 2 * time.Second
	for _, kind := range []string{"group", "c2c", "official"} {
		t.Run(kind, func(t *testing.T) {
			clock := chatrecalltest.NewClock(epoch)
			srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithClock(clock), chatrecalltest.WithHistoryLag(1500*time.Millisecond))
			defer srv.Close()
			client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithClock(clock), chatrecall.WithTimeout(timeout),
				chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 4, Budget: -1}))
			require.NoError(t, err)
			var conv chatrecall.Conversation
			var f sweep.Filter
			targets := map[string]bool{}
			state := func(id string) bool { return false }
			switch kind {
			case "group":
				conv, f = groupConv("@TGS#storm"), sweep.Filter{Senders: []string{"user01", "user02"}}
				for _, m := range srv.FillGroup("@TGS#storm", chatrecalltest.Fill{Messages: 3000, Senders: 5, From: epoch.Add(-5 * time.Hour), To: epoch, Seed: 11}) {
					if m.Sender == "user01" || m.Sender == "user02" {
						targets[itoa(m.Seq)] = true
					}
				}
				recallFaults(srv, chatrecall.EndpointGroupRecall, chatrecall.CodeGroupInternalError, 20261202, timeout)
				historyFaults(srv, chatrecall.EndpointGroupHistory, 20261203)
				state = func(id string) bool {
					return srv.GroupMessage("@TGS#storm", parseSeq(id)) == chatrecalltest.MessageRecalled
				}
			case "c2c":
				conv, f = chatrecall.Conversation{Account: "alice", Peer: "mallory"}, sweep.Filter{Senders: []string{"mallory"}, Until: epoch}
				for _, m := range srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 800, From: epoch.Add(-5 * time.Hour), To: epoch, Seed: 12}) {
					if m.Sender == "mallory" {
						targets[m.Key] = true
					}
				}
				recallFaults(srv, chatrecall.EndpointC2CRecall, 91000, 20261204, timeout)
				historyFaults(srv, chatrecall.EndpointC2CHistory, 20261205)
				state = func(id string) bool { return srv.C2CMessage(id) == chatrecalltest.MessageRecalled }
			case "official":
				conv, f = chatrecall.Conversation{Official: "@TOA#news"}, sweep.Filter{Senders: []string{"@TOA#news"}, Since: epoch.Add(-3 * time.Hour)}
				for _, m := range srv.FillOfficial("@TOA#news", chatrecalltest.Fill{Messages: 400, From: epoch.Add(-5 * time.Hour), To: epoch, Seed: 13}) {
					if !m.Time.Before(f.Since) {
						targets[m.Key] = true
					}
				}
				recallFaults(srv, chatrecall.EndpointOfficialRecall, chatrecall.CodeOfficialInternalError, 20261206, timeout)
				historyFaults(srv, chatrecall.EndpointOfficialHistory, 20261207)
				state = func(id string) bool { return srv.OfficialMessage("@TOA#news", id) == chatrecalltest.MessageRecalled }
			}
			var unknownBefore atomic.Int64
			rep, err := sweep.New(client, func(o *sweep.Options) {
				o.Clock = clock
				o.OnRecall = func(out sweep.Outcome) {
					if errors.Is(out.Err, chatrecall.ErrOutcomeUnknown) {
						unknownBefore.Add(1)
					}
				}
			}).Sweep(bg, conv, f)
			srv.Close() // delayed handlers finish before the truth is read
			require.NotNil(t, rep, "%v", err)
			var tr truth
			seen := map[string]bool{}
			for o := range rep.Outcomes() {
				require.False(t, seen[o.ID()], "%s twice in the report", o.ID())
				seen[o.ID()] = true
				require.True(t, targets[o.ID()], "%s is not a target", o.ID())
				tr.judge(t, o, state(o.ID()))
			}
			collateral := 0
			for _, r := range srv.Requests() {
				for _, id := range r.AppliedItems {
					if !targets[id] {
						collateral++
					}
				}
			}
			missing := 0
			for id := range targets {
				if !seen[id] {
					missing++
				}
			}
			if missing > 0 {
				require.ErrorIs(t, err, sweep.ErrIncomplete, "%d targets not in the report", missing)
				require.NotEmpty(t, rep.Unseen)
			}
			s := rep.Summary()
			t.Logf("%s fault matrix: %d targets, %d in the report: %d recalled (%d verified, %d still visible), %d unknown after verify (%d before), %d not recalled, %d failed; %d not seen (%d ranges); %d rounds; wrong %d, collateral %d, false verified %d, overruled %d",
				kind, len(targets), s.Total, s.Recalled, s.Verified, s.StillVisible, s.Unknown, unknownBefore.Load(), s.NotRecalled, s.Failed, missing, len(rep.Unseen), rep.Rounds,
				tr.wrong, collateral, tr.falseVerified, tr.overruled)
			assert.Zero(t, tr.wrong, "wrong outcomes")
			assert.Zero(t, collateral, "messages outside the plan taken back")
			assert.Zero(t, tr.falseVerified, "false verified")
			assert.Zero(t, tr.overruled, "service's done overruled")
			assert.Greater(t, s.Recalled, len(targets)*8/10, "retries and rounds recover most")
		})
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func parseSeq(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

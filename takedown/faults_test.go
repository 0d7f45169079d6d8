package takedown_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/takedown"
)

// TestTakedownFaultMatrix runs a takedown while every recall, history and
// discovery endpoint fails at random in every way the fake can (refused,
// applied with the answer lost or garbled, dropped, late; short, empty and
// stale pages), and history shows recalls late. Against the fake's ground
// truth: no outcome is wrong, no other sender's message is touched, no
// message is reported verified that is not recalled, and no service
// "done" is overruled by a read; a message without an outcome is only
// one the report says it could not see.
func TestTakedownFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of requests under faults")
	}
	const timeout = 2 * time.Second // only the injected late answers exceed it
	clock := chatrecalltest.NewClock(epoch)
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithClock(clock),
		chatrecalltest.WithContactCap(20), chatrecalltest.WithHistoryLag(1500*time.Millisecond))
	defer srv.Close()
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithClock(clock), chatrecall.WithTimeout(timeout),
		chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 4, Budget: -1}))
	require.NoError(t, err)
	tr := srv.AddFootprint(footprint)
	faults := func(ep string, seed uint64, cs ...chatrecalltest.Chance) { srv.FailRandomly(ep, seed, cs...) }
	recall := func(code chatrecall.Code) []chatrecalltest.Chance {
		return []chatrecalltest.Chance{
			{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
			{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: code}},
			{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: code}},
			{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}},
			{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
			{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}},
			{P: 0.01, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 2 * timeout}},
		}
	}
	history := []chatrecalltest.Chance{
		{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
		{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}},
		{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
		{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
	}
	faults(chatrecall.EndpointGroupRecall, 1, recall(chatrecall.CodeGroupInternalError)...)
	faults(chatrecall.EndpointC2CRecall, 2, recall(91000)...)
	faults(chatrecall.EndpointGroupHistory, 3, history...)
	faults(chatrecall.EndpointC2CHistory, 4, history...)
	for i, ep := range []string{chatrecall.EndpointJoinedGroups, chatrecall.EndpointRecentContacts} {
		faults(ep, uint64(5+i), chatrecalltest.Chance{P: 0.2, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}})
	}

	got := newOutcomes()
	rep, err := takedown.Takedown(context.Background(), client, "mallory", footprint.From, time.Time{}, func(o *takedown.Options) {
		o.Ledger, o.ContactCap, o.Clock, o.OnOutcome = ledgerOf(t, tr), 20, clock, got.add
	})
	srv.Close() // late handlers finish before the truth is read
	require.NotNil(t, rep, "%v", err)
	var wrong, falseVerified, overruled, unknown, missing, twice, collateral int
	for _, s := range tr.Sent {
		outs, gone := got.of(s), state(srv, s) == chatrecalltest.MessageRecalled
		if s.Sender != "mallory" {
			if state(srv, s) != chatrecalltest.MessagePresent || len(outs) > 0 {
				collateral++
			}
			continue
		}
		switch len(outs) {
		case 0:
			missing++
			continue
		case 1:
		default:
			twice++
		}
		o := outs[0]
		switch {
		case o.Err == nil && !gone:
			wrong++
		case errors.Is(o.Err, chatrecall.ErrOutcomeUnknown):
			unknown++
		case errors.Is(o.Err, chatrecall.ErrNotRecalled) && gone:
			overruled++
		case o.Err != nil && gone && !errors.Is(o.Err, chatrecall.ErrGone):
			wrong++
		}
		if o.Check == sweep.CheckRecalled && !gone {
			falseVerified++
		}
	}
	s := rep.Total
	for _, inc := range rep.Incomplete() {
		t.Logf("incomplete: %s", inc)
	}
	t.Logf("takedown fault matrix: %d of the account's messages; %d in the report: %d recalled (%d verified), %d unknown, %d failed; %d not in the report; wrong %d, twice %d, collateral %d, false verified %d, overruled %d; incomplete: %d",
		tr.Own, s.Total, s.Recalled, s.Verified, s.Unknown, s.Failed, missing, wrong, twice, collateral, falseVerified, overruled, len(rep.Incomplete()))
	assert.Zero(t, wrong, "wrong outcomes")
	assert.Zero(t, twice, "messages with two outcomes")
	assert.Zero(t, collateral, "other senders' messages touched")
	assert.Zero(t, falseVerified, "false verified")
	assert.Zero(t, overruled, "service's done overruled")
	assert.Zero(t, unknown, "unknown after verify")
	if missing > 0 {
		require.ErrorIs(t, err, takedown.ErrIncomplete, "%d messages not in the report", missing)
	}
}

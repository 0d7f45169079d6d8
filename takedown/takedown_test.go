package takedown_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/takedown"
	"github.com/chatrecall/chatrecall/webhook"
)

// footprint is a small incident: 12 groups of 60 messages (6 the
// account's), 40 one-to-one peers (2 of the account's messages and a reply
// each) with the conversation list capped at 20, and 3 live-stream groups
// only the ledger knows.
var footprint = chatrecalltest.Footprint{
	Account: "mallory", Groups: 12, GroupMessages: 60, Own: 6,
	Peers: 40, PeerMessages: 2, PeerReplies: 1,
	LiveGroups: 3, LiveMessages: 4,
	From: epoch.Add(-2 * time.Hour), To: epoch.Add(-time.Minute),
}

// ledgerOf records what an after-send webhook would have.
func ledgerOf(t testing.TB, tr *chatrecalltest.Trail) *webhook.MemoryLedger {
	t.Helper()
	l := webhook.NewMemoryLedger(0, 365*24*time.Hour)
	for _, s := range tr.Sent {
		m := webhook.SentMessage{Kind: webhook.KindGroup, Conversation: s.Group, Sender: s.Sender, Seq: uint32(s.Seq), Time: s.Time}
		if s.Group == "" {
			m = webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation(s.Sender, s.To), Sender: s.Sender, Key: s.Key, Time: s.Time}
		}
		require.NoError(t, l.Record(context.Background(), m))
	}
	return l
}

// state is the fake's ground truth of one message.
func state(srv *chatrecalltest.Server, s chatrecalltest.Sent) chatrecalltest.MessageState {
	if s.Group != "" {
		return srv.GroupMessage(s.Group, s.Seq)
	}
	return srv.C2CMessage(s.Key)
}

// outcomes collects each message's outcome, by conversation and ID.
type outcomes struct {
	mu   sync.Mutex
	byID map[string][]sweep.Outcome
}

func newOutcomes() *outcomes { return &outcomes{byID: map[string][]sweep.Outcome{}} }

func (o *outcomes) add(out sweep.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := out.GroupID + "/" + out.ID()
	o.byID[k] = append(o.byID[k], out)
}

func (o *outcomes) of(s chatrecalltest.Sent) []sweep.Outcome {
	if s.Group != "" {
		return o.byID[s.Group+"/"+fmt.Sprint(s.Seq)]
	}
	return o.byID["/"+s.Key]
}

// checkTruth: every message of the account is recalled and has exactly
// one outcome, which says so; no other message is touched.
func checkTruth(t *testing.T, srv *chatrecalltest.Server, tr *chatrecalltest.Trail, got *outcomes) {
	t.Helper()
	own := 0
	for _, s := range tr.Sent {
		st, outs := state(srv, s), got.of(s)
		if s.Sender != footprint.Account {
			assert.Equal(t, chatrecalltest.MessagePresent, st, "%s's message %+v was touched", s.Sender, s)
			assert.Empty(t, outs, "an outcome for another sender's message %+v", s)
			continue
		}
		own++
		assert.Equal(t, chatrecalltest.MessageRecalled, st, "%+v not recalled", s)
		if assert.Len(t, outs, 1, "%+v: want one outcome", s) {
			assert.NoError(t, outs[0].Err, "%+v", s)
		}
	}
	assert.Equal(t, tr.Own, own)
}

func TestTakedownGroundTruth(t *testing.T) {
	srv, client, clock := fake(t, chatrecalltest.WithContactCap(20))
	tr := srv.AddFootprint(footprint)
	got := newOutcomes()
	var convs []takedown.ConversationResult
	rep, err := takedown.Takedown(context.Background(), client, "mallory", footprint.From, time.Time{}, func(o *takedown.Options) {
		o.Ledger, o.ContactCap, o.Clock = ledgerOf(t, tr), 20, clock
		o.OnOutcome = got.add
		o.OnConversation = func(c takedown.ConversationResult) { convs = append(convs, c) }
	})
	require.NoError(t, err)
	checkTruth(t, srv, tr, got)
	assert.Equal(t, tr.Own, rep.Total.Total)
	assert.Equal(t, tr.Own, rep.Total.Recalled)
	assert.Equal(t, tr.Own-footprint.LiveGroups*footprint.LiveMessages, rep.Total.Verified, "everything with history is read back recalled")
	assert.Len(t, convs, footprint.Groups+footprint.LiveGroups+footprint.Peers, "a result per conversation")
	d := rep.Discovery
	require.NotNil(t, d)
	assert.Empty(t, d.Unseen)
	var live, fromLedgerOnly int
	for _, tg := range d.Targets {
		if tg.NoHistory || strings.HasPrefix(tg.GroupID, "@TGS#live") {
			live++
		}
		if slices.Equal(tg.Sources, []takedown.Source{takedown.SourceLedger}) {
			fromLedgerOnly++
		}
	}
	assert.Equal(t, footprint.LiveGroups, live)
	// The list keeps the 20 newest conversations: the 12 groups (their last
	// messages are newer) and 8 peers. The other 32 peers and the live
	// groups come from the ledger alone.
	assert.Equal(t, footprint.LiveGroups+footprint.Peers-(20-footprint.Groups), fromLedgerOnly)
	assert.Contains(t, strings.Join(d.Sources[1].Gaps, "\n"), "conversation list capped at 20: peers beyond it come only from the ledger")
	assert.Contains(t, d.Summary(), "not known to be all")
	for _, r := range srv.RequestsTo(chatrecall.EndpointC2CHistory) {
		assert.Equal(t, "mallory", r.JSON["Peer_Account"], "one-to-one history is read as the peer sees it (the account may have cleared its side)")
	}
}

// TestWithoutLedgerSaysWhatItMissed: with no ledger, the live groups and
// the peers past the cap cannot be found; the run takes back what it
// found and says, with numbers, that it did not see everything.
func TestWithoutLedgerSaysWhatItMissed(t *testing.T) {
	srv, client, clock := fake(t, chatrecalltest.WithContactCap(20))
	tr := srv.AddFootprint(footprint)
	got := newOutcomes()
	rep, err := takedown.Takedown(context.Background(), client, "mallory", footprint.From, time.Time{}, func(o *takedown.Options) {
		o.ContactCap, o.Clock, o.OnOutcome = 20, clock, got.add
	})
	require.ErrorIs(t, err, takedown.ErrIncomplete)
	assert.Contains(t, err.Error(), "conversation list capped at 20 and no ledger")
	assert.Equal(t, footprint.Groups+8, len(rep.Discovery.Targets))
	found := 0
	for _, s := range tr.Sent {
		if s.Sender == "mallory" && len(got.of(s)) == 1 {
			found++
			assert.Equal(t, chatrecalltest.MessageRecalled, state(srv, s))
		} else if s.Sender != "mallory" {
			assert.Equal(t, chatrecalltest.MessagePresent, state(srv, s))
		}
	}
	assert.Equal(t, footprint.Groups*footprint.Own+8*footprint.PeerMessages, found)
}

// TestDryRunThenApply: the plan sends nothing but history reads, estimates
// the apply, and applying it (in two halves, the second as a resumed run
// that skips what the first settled) takes back exactly the account's
// messages.
func TestDryRunThenApply(t *testing.T) {
	srv, client, clock := fake(t, chatrecalltest.WithContactCap(20))
	tr := srv.AddFootprint(footprint)
	r := takedown.New(client, func(o *takedown.Options) { o.Ledger, o.ContactCap, o.Clock = ledgerOf(t, tr), 20, clock })
	ctx := context.Background()
	d, err := r.Discover(ctx, "mallory", footprint.From, epoch)
	require.NoError(t, err)
	var plans []*takedown.ConversationPlan
	sum, err := r.Plan(ctx, d, func(p *takedown.ConversationPlan) error { plans = append(plans, p); return nil })
	require.NoError(t, err)
	assert.Equal(t, tr.Own, sum.Messages)
	assert.Len(t, plans, len(d.Targets))
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall), "a dry run recalls nothing")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointC2CRecall))
	want := map[string]int{
		chatrecall.EndpointGroupRecall:  footprint.Groups + footprint.LiveGroups, // 6 or 4 a group: one request each
		chatrecall.EndpointGroupHistory: footprint.Groups * footprint.Own / 2,    // seqs 10 apart: a page reads two back
		chatrecall.EndpointC2CRecall:    footprint.Peers * footprint.PeerMessages,
		chatrecall.EndpointC2CHistory:   footprint.Peers,
	}
	assert.Equal(t, want, sum.Estimate.Requests)
	planned := map[string]int{}
	for ep := range want {
		planned[ep] = len(srv.RequestsTo(ep))
	}

	// Apply the first half of the conversations, then all with Done set to
	// what the first settled, as a resumed run would.
	first := newOutcomes()
	settled := map[string]bool{}
	r1 := takedown.New(client, func(o *takedown.Options) {
		o.Ledger, o.Clock = ledgerOf(t, tr), clock
		o.OnOutcome = func(out sweep.Outcome) { first.add(out); settled[out.GroupID+"/"+out.ID()] = true }
	})
	_, err = r1.Apply(ctx, slices.Values(plans[:len(plans)/2]))
	require.NoError(t, err)
	second := newOutcomes()
	r2 := takedown.New(client, func(o *takedown.Options) {
		o.Ledger, o.Clock, o.OnOutcome = ledgerOf(t, tr), clock, second.add
		o.Done = func(it sweep.Item) bool { return settled[it.GroupID+"/"+it.ID()] }
	})
	rep, err := r2.Apply(ctx, slices.Values(plans))
	require.NoError(t, err)
	assert.Equal(t, len(settled), rep.Skipped)
	for k, v := range second.byID {
		first.byID[k] = append(first.byID[k], v...)
	}
	checkTruth(t, srv, tr, first)
	applied := map[string]int{}
	for ep := range want {
		applied[ep] = len(srv.RequestsTo(ep)) - planned[ep]
	}
	assert.Equal(t, want, applied, "the estimate counts the requests applying sends")
}

// TestBadInputSendsNothing: what cannot be a takedown is refused before
// any request, naming the field.
func TestBadInputSendsNothing(t *testing.T) {
	srv, client, _ := fake(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		account      string
		since, until time.Time
		opts         func(*takedown.Options)
		field        string
	}{
		{"empty account", "", epoch, time.Time{}, nil, "account"},
		{"control character", "mal\x00lory", epoch, time.Time{}, nil, "account"},
		{"bad UTF-8", "mal\xfflory", epoch, time.Time{}, nil, "account"},
		{"no since", "mallory", time.Time{}, time.Time{}, nil, "since"},
		{"inverted window", "mallory", epoch, epoch.Add(-time.Hour), nil, "until"},
		{"empty window", "mallory", epoch, epoch, nil, "until"},
		{"reason too long", "mallory", epoch, time.Time{}, func(o *takedown.Options) { o.Reason = strings.Repeat("x", 101) }, "Reason"},
		{"negative cap", "mallory", epoch, time.Time{}, func(o *takedown.Options) { o.ContactCap = -1 }, "ContactCap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fns []func(*takedown.Options)
			if tc.opts != nil {
				fns = append(fns, tc.opts)
			}
			_, err := takedown.Takedown(ctx, client, tc.account, tc.since, tc.until, fns...)
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Empty(t, srv.Requests())
		})
	}
	// A discovery edited to hold another account's conversation.
	r := takedown.New(client)
	d := &takedown.Discovery{Account: "mallory", Since: epoch, Targets: []takedown.Target{{Conversation: chatrecall.Conversation{Account: "alice", Peer: "bob"}, Sender: "mallory"}}}
	_, err := r.Run(ctx, d)
	var ve *chatrecall.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "d.Targets[0]", ve.Field)
	assert.Empty(t, srv.Requests())
}

// TestRunnerPrintsNoSecret: a Runner holds a client; no fmt verb or slog
// prints its secrets.
func TestRunnerPrintsNoSecret(t *testing.T) {
	_, client, _ := fake(t)
	r := takedown.New(client, func(o *takedown.Options) { o.Reason = "spam" })
	for _, verb := range []string{"%s", "%q", "%v", "%+v", "%#v", "%x", "%X"} {
		out := fmt.Sprintf(verb, r)
		assert.NotContains(t, out, chatrecalltest.DefaultSecretKey, verb)
		assert.NotContains(t, strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", chatrecalltest.DefaultSecretKey)), verb)
	}
	assert.Equal(t, `takedown.Runner{Reason:"spam" SkipVerify:false Ledger:false Conversations:16}`, fmt.Sprint(r))
}

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
}

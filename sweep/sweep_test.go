package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func groupConv(id string) chatrecall.Conversation { return chatrecall.Conversation{GroupID: id} }

// wantGroup lists the seqs of sent that f selects, newest first.
func wantGroup(sent []chatrecalltest.Sent, senders []string, since, until time.Time) []uint64 {
	var out []uint64
	for i := len(sent) - 1; i >= 0; i-- {
		m := sent[i]
		if slices.Contains(senders, m.Sender) && !m.Time.Before(since) && (until.IsZero() || !m.Time.After(until)) {
			out = append(out, m.Seq)
		}
	}
	return out
}

func TestSweepEachKind(t *testing.T) {
	t.Run("group", func(t *testing.T) {
		srv, client, clock := fake(t)
		sent := srv.FillGroup("@TGS#g", chatrecalltest.Fill{Messages: 1000, Senders: 10, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 1})
		since := epoch.Add(-5 * time.Hour)
		var outcomes []sweep.Outcome
		var mu sync.Mutex
		s := sweep.New(client, func(o *sweep.Options) {
			o.Clock = clock
			o.OnOutcome = func(out sweep.Outcome) { mu.Lock(); outcomes = append(outcomes, out); mu.Unlock() }
		})
		rep, err := s.Sweep(bg, groupConv("@TGS#g"), sweep.Filter{Senders: []string{"user03"}, Since: since})
		require.NoError(t, err)
		want := wantGroup(sent, []string{"user03"}, since, time.Time{})
		assert.Equal(t, sweep.Summary{Total: len(want), Recalled: len(want), Verified: len(want)}, rep.Summary())
		var got []uint64
		for o := range rep.Outcomes() {
			got = append(got, o.MsgSeq)
			assert.Equal(t, sweep.CheckRecalled, o.Check)
		}
		assert.Equal(t, want, got, "plan order, newest first")
		assert.ElementsMatch(t, want, srv.RecalledGroupMessages("@TGS#g"), "nothing else recalled")
		assert.Len(t, outcomes, len(want), "one final outcome each")
		assert.True(t, rep.Verified)
		assert.Equal(t, 1, rep.Rounds)
	})
	t.Run("one-to-one, many messages a second across slices", func(t *testing.T) {
		srv, client, clock := fake(t)
		// 3,000 messages in 300 seconds: ten in every second, so every
		// slice boundary falls inside a second full of messages.
		sent := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 3000, From: epoch.Add(-300 * time.Second), To: epoch, Seed: 1})
		s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
		var st sweep.PlanStats
		var got []string
		for it, err := range s.Plan(bg, chatrecall.Conversation{Account: "alice", Peer: "mallory"}, sweep.Filter{Senders: []string{"mallory", "alice"}, Since: epoch.Add(-300 * time.Second), Until: epoch}, &st) {
			require.NoError(t, err)
			got = append(got, it.MsgKey)
		}
		var want []string
		for _, m := range sent {
			want = append(want, m.Key)
		}
		assert.ElementsMatch(t, want, got, "every message once")
		assert.Len(t, got, 3000)
		rep, err := s.Sweep(bg, chatrecall.Conversation{Account: "alice", Peer: "mallory"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-300 * time.Second), Until: epoch})
		require.NoError(t, err)
		n := 0
		for _, m := range sent {
			if m.Sender == "mallory" {
				n++
				assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(m.Key))
			} else {
				assert.Equal(t, chatrecalltest.MessagePresent, srv.C2CMessage(m.Key))
			}
		}
		assert.Equal(t, sweep.Summary{Total: n, Recalled: n, Verified: n}, rep.Summary())
		assert.Greater(t, rep.PagesInFlight, 1, "slices read at once")
	})
	t.Run("official account", func(t *testing.T) {
		srv, client, clock := fake(t)
		sent := srv.FillOfficial("@TOA#o", chatrecalltest.Fill{Messages: 100, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 1})
		s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
		rep, err := s.Sweep(bg, chatrecall.Conversation{Official: "@TOA#o"}, sweep.Filter{Senders: []string{"@TOA#o"}, Since: epoch.Add(-5 * time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, sweep.Summary{Total: 50, Recalled: 50, Verified: 50}, rep.Summary())
		for i, m := range sent {
			want := chatrecalltest.MessagePresent
			if i >= 50 {
				want = chatrecalltest.MessageRecalled
			}
			assert.Equal(t, want, srv.OfficialMessage("@TOA#o", m.Key), m.Key)
		}
	})
}

// TestSweepWaitsForLaggingHistory: history shows recalls 1.5 s late. The
// sweep reads back with backoff (the clock is manual: no real wait) and
// reports every message verified, each recalled once; a read never turns
// the service's "done" into "not recalled".
func TestSweepWaitsForLaggingHistory(t *testing.T) {
	for _, kind := range []string{"group", "c2c"} {
		t.Run(kind, func(t *testing.T) {
			srv, client, clock := fake(t, chatrecalltest.WithHistoryLag(1500*time.Millisecond))
			conv := groupConv("@TGS#lag")
			f := sweep.Filter{Senders: []string{"user01"}, Since: epoch.Add(-time.Hour)}
			if kind == "c2c" {
				conv, f.Senders = chatrecall.Conversation{Account: "alice", Peer: "mallory"}, []string{"mallory"}
				srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 300, From: epoch.Add(-time.Hour), To: epoch, Seed: 2})
			} else {
				srv.FillGroup("@TGS#lag", chatrecalltest.Fill{Messages: 300, Senders: 2, From: epoch.Add(-time.Hour), To: epoch, Seed: 2})
			}
			rep, err := sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).Sweep(bg, conv, f)
			require.NoError(t, err)
			s := rep.Summary()
			require.NotZero(t, s.Total)
			assert.Equal(t, sweep.Summary{Total: s.Total, Recalled: s.Total, Verified: s.Total}, s)
			assert.Equal(t, 1, rep.Rounds, "nothing recalled twice")
			ep := chatrecall.EndpointGroupRecall
			per := 10
			if kind == "c2c" {
				ep, per = chatrecall.EndpointC2CRecall, 1
			}
			assert.LessOrEqual(t, len(srv.RequestsTo(ep)), (s.Total+per-1)/per+1)
		})
	}
}

// TestSweepLagLongerThanSettle: history still shows the messages when the
// settle time is over. They stay recalled (the service said so), with
// their own check: still visible.
func TestSweepLagLongerThanSettle(t *testing.T) {
	srv, client, clock := fake(t, chatrecalltest.WithHistoryLag(time.Minute))
	srv.FillGroup("@TGS#slow", chatrecalltest.Fill{Messages: 100, Senders: 2, From: epoch.Add(-time.Hour), To: epoch, Seed: 2})
	rep, err := sweep.New(client, func(o *sweep.Options) { o.Clock, o.Settle = clock, 3*time.Second }).
		Sweep(bg, groupConv("@TGS#slow"), sweep.Filter{Senders: []string{"user01"}})
	require.NoError(t, err, "the service's own answer stands")
	s := rep.Summary()
	assert.Equal(t, sweep.Summary{Total: s.Total, Recalled: s.Total, StillVisible: s.Total}, s)
	for o := range rep.Outcomes() {
		assert.Equal(t, sweep.CheckStillVisible, o.Check)
		assert.NoError(t, o.Err)
	}
	assert.Equal(t, 1, rep.Rounds)
}

// TestSweepStopsReadingWhenRecallsStop: a group whose type forbids recall
// answers 10033 to the first request; planning stops too.
func TestSweepStopsReadingWhenRecallsStop(t *testing.T) {
	srv, client, clock := fake(t)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#norecall", Type: "Public", NoRecall: true})
	srv.FillGroup("@TGS#norecall", chatrecalltest.Fill{Messages: 2000, Senders: 1, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 2})
	rep, err := sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).Sweep(bg, groupConv("@TGS#norecall"), sweep.Filter{Senders: []string{"user00"}})
	require.Error(t, err)
	var pe *chatrecall.PartialError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, rep.Plan.Stop, "recalls stopped")
	assert.Less(t, len(srv.RequestsTo(chatrecall.EndpointGroupHistory)), 100, "not every page")
	s := rep.Summary()
	assert.NotZero(t, s.Total)
	assert.Zero(t, s.Recalled)
	assert.Equal(t, s.Total, s.NotRecalled+s.NotSent, "read back still there, with the service's reason inside, or never sent")
}

// TestSweepIncomplete: a seq the history never shows makes the sweep end
// with ErrIncomplete naming it, whatever else succeeded.
func TestSweepIncomplete(t *testing.T) {
	st := newStub("count", 300)
	st.fault = func(_ uint64, _, _ int, p *chatrecall.GroupHistoryPage) {
		kept := p.Messages[:0]
		for _, m := range p.Messages {
			if m.MsgSeq != 150 {
				kept = append(kept, m)
			}
		}
		if len(kept) < len(p.Messages) {
			p.IsFinished = 0
		}
		p.Messages = kept
	}
	rep, err := sweep.New(st).Sweep(bg, groupConv("@TGS#stub"), sweep.Filter{Senders: []string{"u3"}})
	require.ErrorIs(t, err, sweep.ErrIncomplete)
	assert.NotErrorIs(t, err, chatrecall.ErrOutcomeUnknown)
	require.NotEmpty(t, rep.Unseen)
	assert.Equal(t, uint64(150), rep.Unseen[0].FirstSeq)
	assert.False(t, rep.Verified)
	s := rep.Summary()
	assert.Equal(t, s.Total, s.Recalled, "what was seen is recalled")
}

// deleteSpy injects a message from the sender just before the delete runs:
// the race between the check and the delete.
type deleteSpy struct {
	*chatrecall.Client
	before func()
}

func (d deleteSpy) DeleteGroupMessagesBySender(ctx context.Context, r chatrecall.GroupDeleteBySender) (*chatrecall.Result, error) {
	if d.before != nil {
		d.before()
	}
	return d.Client.DeleteGroupMessagesBySender(ctx, r)
}

// TestDeleteBySenderTakesNothingUnplanned: the fast path is used for a
// sender only when it can take nothing the plan leaves out. Each way the
// old path over-reached (a window, a content filter, other members) is
// shown to take back exactly the plan.
func TestDeleteBySenderTakesNothingUnplanned(t *testing.T) {
	spam := func(m chatrecall.Message) bool { return m.MsgSeq%2 == 0 }
	for _, tc := range []struct {
		name    string
		filter  sweep.Filter
		deleted bool // the fast path is used
	}{
		{"whole window, one sender", sweep.Filter{Senders: []string{"user01"}}, true},
		{"two senders", sweep.Filter{Senders: []string{"user01", "user02"}}, true},
		{"window ends before now", sweep.Filter{Senders: []string{"user01"}, Until: epoch.Add(-30 * time.Minute)}, false},
		{"window starts after recent messages began", sweep.Filter{Senders: []string{"user01"}, Since: epoch.Add(-30 * time.Minute)}, false},
		{"content filter", sweep.Filter{Senders: []string{"user01"}, Match: spam}, false},
		{"content filter, any sender", sweep.Filter{Match: spam}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, client, clock := fake(t)
			sent := srv.FillGroup("@TGS#d", chatrecalltest.Fill{Messages: 600, Senders: 4, From: epoch.Add(-time.Hour), To: epoch, Seed: 5})
			var plan []uint64
			for it, err := range sweep.New(client).Plan(bg, groupConv("@TGS#d"), tc.filter, nil) {
				require.NoError(t, err)
				plan = append(plan, it.MsgSeq)
			}
			rep, err := sweep.New(client, func(o *sweep.Options) { o.Clock, o.DeleteBySender = clock, true }).Sweep(bg, groupConv("@TGS#d"), tc.filter)
			require.NoError(t, err)
			assert.ElementsMatch(t, plan, srv.RecalledGroupMessages("@TGS#d"), "exactly the plan went")
			s := rep.Summary()
			assert.Equal(t, len(plan), s.Total)
			assert.Equal(t, s.Total, s.Recalled)
			assert.Zero(t, s.Extra)
			if tc.filter.Senders != nil {
				require.Len(t, rep.Senders, len(tc.filter.Senders))
			} else {
				require.Len(t, rep.Senders, 4, "every member the content filter matched")
			}
			for _, n := range rep.Senders {
				assert.Equal(t, tc.deleted, n.Deleted, n.Why)
			}
			if tc.deleted {
				assert.Equal(t, s.Total, s.DeletedBySender)
			} else {
				assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupDeleteBySender))
				assert.Equal(t, s.Total, s.Verified)
			}
			_ = sent
		})
	}
	t.Run("a message posted between the check and the delete is reported", func(t *testing.T) {
		srv, client, clock := fake(t)
		srv.FillGroup("@TGS#race", chatrecalltest.Fill{Messages: 100, Senders: 2, From: epoch.Add(-time.Hour), To: epoch.Add(-time.Minute), Seed: 5})
		var late uint64
		spy := deleteSpy{Client: client, before: func() { late = srv.SendGroupMessage("@TGS#race", "user01", epoch) }}
		rep, err := sweep.New(spy, func(o *sweep.Options) { o.Clock, o.DeleteBySender = clock, true }).
			Sweep(bg, groupConv("@TGS#race"), sweep.Filter{Senders: []string{"user01"}, Until: epoch.Add(-time.Minute)})
		require.NoError(t, err)
		require.NotZero(t, late)
		assert.Equal(t, 1, rep.Summary().Extra)
		var extra []uint64
		for o := range rep.Outcomes() {
			if o.Extra {
				extra = append(extra, o.MsgSeq)
				assert.True(t, o.DeletedBySender)
			}
		}
		assert.Equal(t, []uint64{late}, extra, "what went unplanned is listed")
	})
}

func TestSweepBadInput(t *testing.T) {
	srv, client, _ := fake(t)
	g := groupConv("@TGS#x")
	who := sweep.Filter{Senders: []string{"u"}}
	for _, tc := range []struct {
		name  string
		opts  func(*sweep.Options)
		conv  chatrecall.Conversation
		f     sweep.Filter
		field string
	}{
		{"no conversation", nil, chatrecall.Conversation{}, who, "GroupID"},
		{"two kinds", nil, chatrecall.Conversation{GroupID: "g", Official: "o"}, who, "Conversation"},
		{"control character", nil, groupConv("g\x00"), who, "GroupID"},
		{"same account twice", nil, chatrecall.Conversation{Account: "a", Peer: "a"}, who, "Peer"},
		{"no filter", nil, g, sweep.Filter{}, "Senders"},
		{"empty sender", nil, g, sweep.Filter{Senders: []string{""}}, "Senders[0]"},
		{"duplicate sender", nil, g, sweep.Filter{Senders: []string{"u", "v", "u"}}, "Senders[2]"},
		{"bad UTF-8 sender", nil, g, sweep.Filter{Senders: []string{"\xff"}}, "Senders[0]"},
		{"empty window", nil, g, sweep.Filter{Senders: []string{"u"}, Since: epoch, Until: epoch}, "Until"},
		{"inverted window", nil, g, sweep.Filter{Senders: []string{"u"}, Since: epoch, Until: epoch.Add(-time.Second)}, "Until"},
		{"long reason", func(o *sweep.Options) { o.Reason = strings.Repeat("x", 101) }, g, who, "Reason"},
		{"negative rounds", func(o *sweep.Options) { o.Rounds = -1 }, g, who, "Rounds"},
		{"negative settle", func(o *sweep.Options) { o.Settle = -time.Second }, g, who, "Settle"},
		{"delete-by-sender without verify", func(o *sweep.Options) { o.DeleteBySender, o.SkipVerify = true, true }, g, who, "DeleteBySender"},
		{"delete-by-sender one-to-one", func(o *sweep.Options) { o.DeleteBySender = true }, chatrecall.Conversation{Account: "a", Peer: "b"}, who, "DeleteBySender"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fns []func(*sweep.Options)
			if tc.opts != nil {
				fns = append(fns, tc.opts)
			}
			rep, err := sweep.New(client, fns...).Sweep(bg, tc.conv, tc.f)
			assert.Nil(t, rep)
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
		})
	}
	item := sweep.Item{Conversation: g, Sender: "u", MsgSeq: 1}
	for _, tc := range []struct {
		name  string
		plan  []sweep.Item
		field string
	}{
		{"seq 0", []sweep.Item{{Conversation: g, Sender: "u"}}, "plan[0].MsgSeq"},
		{"seq too big", []sweep.Item{{Conversation: g, Sender: "u", MsgSeq: 1 << 32}}, "plan[0].MsgSeq"},
		{"two conversations", []sweep.Item{item, {Conversation: groupConv("h"), Sender: "u", MsgSeq: 2}}, "plan[1]"},
		{"duplicate", []sweep.Item{item, item}, "plan[1]"},
		{"one-to-one outside the conversation", []sweep.Item{{Conversation: chatrecall.Conversation{Account: "a", Peer: "b"}, Sender: "c", To: "a", MsgKey: "k"}}, "plan[0].Sender"},
		{"no key", []sweep.Item{{Conversation: chatrecall.Conversation{Official: "o"}, Sender: "o"}}, "plan[0].MsgKey"},
	} {
		t.Run("apply "+tc.name, func(t *testing.T) {
			rep, err := sweep.New(client).Apply(bg, slices.Values(tc.plan))
			assert.Nil(t, rep)
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	rep, err := sweep.New(client).Apply(bg, slices.Values([]sweep.Item(nil)))
	require.NoError(t, err, "an empty plan is nothing to do, not an error")
	require.NotNil(t, rep)
	assert.Zero(t, rep.Len())
	var nilCtx context.Context
	_, err = sweep.New(client).Sweep(nilCtx, g, who)
	assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
	assert.Empty(t, srv.Requests(), "nothing sent for bad input")
}

// TestApplyAndCheck: a reviewed plan is recalled and verified; Check then
// reads it back without recalling.
func TestApplyAndCheck(t *testing.T) {
	srv, client, clock := fake(t)
	sent := srv.FillGroup("@TGS#a", chatrecalltest.Fill{Messages: 300, Senders: 3, From: epoch.Add(-time.Hour), To: epoch, Seed: 9})
	var plan []sweep.Item
	for _, m := range sent[:25] {
		plan = append(plan, sweep.Item{Conversation: groupConv("@TGS#a"), Sender: m.Sender, MsgSeq: m.Seq, Time: m.Time.Unix()})
	}
	s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
	rep, err := s.Check(bg, slices.Values(plan))
	require.ErrorIs(t, err, chatrecall.ErrNotRecalled)
	assert.Equal(t, 25, rep.Summary().NotRecalled)
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall), "a check recalls nothing")

	rep, err = s.Apply(bg, slices.Values(plan))
	require.NoError(t, err)
	assert.Equal(t, sweep.Summary{Total: 25, Recalled: 25, Verified: 25}, rep.Summary())
	rep, err = s.Check(bg, slices.Values(plan))
	require.NoError(t, err)
	assert.Equal(t, sweep.Summary{Total: 25, Recalled: 25, Verified: 25}, rep.Summary())
}

// TestSweeperPrintsNoSecret: a Sweeper holds a client; no verb prints its
// key.
func TestSweeperPrintsNoSecret(t *testing.T) {
	_, client, _ := fake(t)
	s := sweep.New(client, func(o *sweep.Options) { o.Reason = "spam" })
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "sweeper", s)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, chatrecalltest.DefaultSecretKey, verb)
		assert.NotContains(t, strings.ToLower(out), "secret", verb)
	}
	assert.NotContains(t, logs.String(), chatrecalltest.DefaultSecretKey)
	assert.Contains(t, fmt.Sprint(s), "sweep.Sweeper")
}

func TestCheckStrings(t *testing.T) {
	for c, want := range map[sweep.Check]string{sweep.CheckNone: "unverified", sweep.CheckRecalled: "recalled", sweep.CheckNotRecalled: "not recalled",
		sweep.CheckDeleted: "deleted", sweep.CheckMissing: "missing", sweep.CheckStillVisible: "still visible", 99: "Check(99)"} {
		assert.Equal(t, want, c.String())
	}
	assert.True(t, errors.Is(&sweep.IncompleteError{}, sweep.ErrIncomplete))
}

// TestSweepReadsPastALaggingClock: with no Until, a one-to-one message the
// service stamped a few minutes ahead of this machine's clock is still
// swept, not silently missed.
func TestSweepReadsPastALaggingClock(t *testing.T) {
	srv, client, clock := fake(t)
	ahead := srv.SendC2CMessage("mallory", "alice", epoch.Add(10*time.Minute))
	srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 20, From: epoch.Add(-time.Hour), To: epoch, Seed: 3})
	rep, err := sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).
		Sweep(bg, chatrecall.Conversation{Account: "alice", Peer: "mallory"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-2 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(ahead))
	assert.Equal(t, rep.Summary().Total, rep.Summary().Verified)
}

// haltingStub answers every page until the top 200 seqs' pages (about
// 28 targets) have all been answered, then holds every later page below
// them until its read is cancelled. A sweep over it ends only if planning
// is stopped, so whether the recalls' failure stops it does not depend on
// timing; and the top pages never wait behind held ones for a slot (a
// held page takes one), since nothing is held before they are answered.
type haltingStub struct {
	*stub
	mu  sync.Mutex
	top map[uint64]bool // top pages answered, by ReqMsgSeq
}

func (h *haltingStub) GroupHistoryPage(ctx context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error) {
	before := r.Before
	if before == 0 {
		before = h.stub.top
	}
	h.mu.Lock()
	hold := before+200 < h.stub.top && len(h.top) >= 10
	h.mu.Unlock()
	if hold {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	p, err := h.stub.GroupHistoryPage(ctx, r)
	if before+200 >= h.stub.top {
		h.mu.Lock()
		h.top[before] = true
		h.mu.Unlock()
	}
	return p, err
}

func (h *haltingStub) RecallGroupMessages(_ context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	cause := &chatrecall.APIError{Endpoint: chatrecall.EndpointGroupRecall, Code: chatrecall.CodeGroupTypeNoRecall}
	res := &chatrecall.GroupRecallResult{GroupID: r.GroupID}
	for _, seq := range r.MsgSeqs {
		res.Items = append(res.Items, chatrecall.GroupRecallItem{MsgSeq: seq, Err: cause})
	}
	return res, &chatrecall.PartialError{Endpoint: chatrecall.EndpointGroupRecall, Total: len(r.MsgSeqs), NotDone: len(r.MsgSeqs), Failed: len(r.MsgSeqs), Cause: cause}
}

// TestPlanningStopsWhenRecallsStop: a recall answered with a failure every
// recall would repeat (10033) stops the plan's reading: the sweep ends,
// well before its deadline, saying why.
func TestPlanningStopsWhenRecallsStop(t *testing.T) {
	h := &haltingStub{stub: newStub("count", 2000), top: map[uint64]bool{}}
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	rep, err := sweep.New(h, func(o *sweep.Options) { o.SkipVerify = true }).Sweep(ctx, groupConv("@TGS#stub"), sweep.Filter{Senders: []string{"u3"}})
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the recalls' failure ended the plan, not the deadline")
	assert.ErrorIs(t, err, chatrecall.ErrNotRecallable)
	assert.Contains(t, rep.Plan.Stop, "recalls stopped")
	assert.Empty(t, rep.Unseen, "a plan stopped on purpose is not an incomplete read")
	s := rep.Summary()
	assert.Zero(t, s.Recalled)
	assert.Equal(t, s.Total, s.Failed+s.NotSent)
}

// recalledVerifier reads every item back recalled, at once.
type recalledVerifier struct{}

func (recalledVerifier) States(_ context.Context, _ chatrecall.Conversation, items []sweep.Item) (map[string]chatrecall.MessageState, error) {
	out := make(map[string]chatrecall.MessageState, len(items))
	for _, it := range items {
		out[it.ID()] = chatrecall.MessageRecalled
	}
	return out, nil
}

// TestOnRecallComesBeforeOnOutcome: an item's first recall is reported
// before its final outcome, however fast the read-back: a journal records
// them in that order, and a resume reads the last as final. The verifier
// answers at once and OnRecall gives way to other goroutines, so a final
// outcome that could overtake its first recall does.
func TestOnRecallComesBeforeOnOutcome(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.FillGroup("@TGS#order", chatrecalltest.Fill{Messages: 400, Senders: 2, From: epoch.Add(-time.Hour), To: epoch, Seed: 5})
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	var mu sync.Mutex
	recalled := map[string]bool{}
	outOfOrder := 0
	_, err = sweep.New(client, func(o *sweep.Options) {
		o.Verifier = recalledVerifier{}
		o.OnRecall = func(out sweep.Outcome) {
			for range 200 {
				runtime.Gosched()
			}
			mu.Lock()
			recalled[out.ID()] = true
			mu.Unlock()
		}
		o.OnOutcome = func(out sweep.Outcome) {
			mu.Lock()
			if !recalled[out.ID()] {
				outOfOrder++
			}
			mu.Unlock()
		}
	}).Sweep(bg, chatrecall.Conversation{GroupID: "@TGS#order"}, sweep.Filter{Senders: []string{chatrecalltest.SenderName(1)}})
	require.NoError(t, err)
	require.Zero(t, outOfOrder, "a final outcome came before its first recall")
}

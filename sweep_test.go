package chatrecall_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// bigGroup fills the incident of issue 14: 100,000 messages from 50 senders
// over 7 days, ending at histEpoch.
func bigGroup(srv *chatrecalltest.Server, id string) []chatrecalltest.Sent {
	return srv.FillGroup(id, chatrecalltest.Fill{Messages: 100_000, Senders: 50, From: histEpoch.Add(-7 * 24 * time.Hour), To: histEpoch, Seed: 14})
}

// truthOf returns the seqs senders posted at or after since, newest first.
func truthOf(sent []chatrecalltest.Sent, since time.Time, senders ...string) []uint64 {
	want := map[string]bool{}
	for _, s := range senders {
		want[s] = true
	}
	var out []uint64
	for i := len(sent) - 1; i >= 0; i-- {
		if want[sent[i].Sender] && !sent[i].Time.Before(since) {
			out = append(out, sent[i].Seq)
		}
	}
	return out
}

// TestSweepOneSenderLastTwoHours: the plan equals the ground truth exactly,
// every planned message is recalled, and verification reads each back as
// recalled. Nobody else's messages are touched.
func TestSweepOneSenderLastTwoHours(t *testing.T) {
	srv, client := newHistoryFake(t)
	sent := bigGroup(srv, "@TGS#big")
	since := histEpoch.Add(-2 * time.Hour)
	spammer := chatrecalltest.SenderName(7)
	want := truthOf(sent, since, spammer)
	require.NotEmpty(t, want)

	// The dry run: a plan, nothing recalled.
	p := client.PlanSweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#big"}, chatrecall.SweepFilter{Senders: []string{spammer}, Since: since})
	var planned []uint64
	for it, err := range p.All() {
		require.NoError(t, err)
		planned = append(planned, it.MsgSeq)
		assert.Equal(t, spammer, it.Sender)
		assert.Equal(t, "@TGS#big", it.GroupID)
	}
	assert.Equal(t, want, planned, "the plan is the ground truth")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall))
	assert.Equal(t, "time bound", p.Stats().History.Stop)
	assert.Less(t, p.Stats().History.Pages, 80, "reads only the last two hours")

	rep, err := client.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#big"}, chatrecall.SweepFilter{Senders: []string{spammer}, Since: since}, chatrecall.SweepOptions{})
	require.NoError(t, err)
	require.Len(t, rep.Items, len(want))
	for i, it := range rep.Items {
		assert.Equal(t, want[i], it.MsgSeq)
		assert.NoError(t, it.Err)
		assert.Equal(t, chatrecall.CheckRecalled, it.Check)
	}
	sum := rep.Summary()
	assert.Equal(t, chatrecall.SweepSummary{Total: len(want), Recalled: len(want), Verified: len(want)}, sum)
	assert.True(t, rep.Verified)
	assert.Equal(t, srv.RecalledGroupMessages("@TGS#big"), sortedAsc(want), "exactly the spammer's messages are recalled")

	// Sweeping again finds them recalled already and plans nothing.
	rep, err = client.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#big"}, chatrecall.SweepFilter{Senders: []string{spammer}, Since: since}, chatrecall.SweepOptions{})
	require.NoError(t, err)
	assert.Empty(t, rep.Items)
	assert.Equal(t, len(want), rep.Plan.AlreadyRecalled)
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedAsc(desc []uint64) []uint64 {
	out := make([]uint64, len(desc))
	for i, s := range desc {
		out[len(desc)-1-i] = s
	}
	return out
}

// TestSweepUnderFaults runs a sweep of ten senders' last 12 hours through the
// fault matrix on both the recall and the history endpoints, with few
// attempts so that recalls end "unknown": after verification no outcome is
// wrong and none is unknown.
func TestSweepUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of traffic")
	}
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	sent := bigGroup(srv, "@TGS#storm")
	since := histEpoch.Add(-12 * time.Hour)
	var senders []string
	for i := 0; i < 10; i++ {
		senders = append(senders, chatrecalltest.SenderName(i))
	}
	want := truthOf(sent, since, senders...)
	timeout := 300 * time.Millisecond
	injectAll(srv, chatrecall.EndpointGroupRecall, 20261122, timeout)
	srv.FailRandomly(chatrecall.EndpointGroupHistory, 7,
		chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 10002}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}},
		chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
		chatrecalltest.Chance{P: 0.01, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 2 * timeout}},
	)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithTimeout(timeout), chatrecall.WithoutRateLimits(),
		chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 2, Budget: -1}))
	require.NoError(t, err)

	var unknownAfterApply atomic.Int64
	rep, err := client.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#storm"},
		chatrecall.SweepFilter{Senders: senders, Since: since},
		chatrecall.SweepOptions{Rounds: 4, Outcome: func(o chatrecall.SweepOutcome) {
			if errors.Is(o.Err, chatrecall.ErrOutcomeUnknown) {
				unknownAfterApply.Add(1)
			}
		}})
	srv.Close() // delayed handlers finish before the ground truth is read
	require.NotNil(t, rep)
	planned := make([]uint64, len(rep.Items))
	for i, it := range rep.Items {
		planned[i] = it.MsgSeq
	}
	assert.Equal(t, len(want), len(planned), "no message missed, none extra")
	assert.True(t, equalSeqs(want, planned), "the plan is the ground truth")
	var wrong, unknown int
	for _, it := range rep.Items {
		truth := srv.GroupMessage("@TGS#storm", it.MsgSeq)
		switch {
		case errors.Is(it.Err, chatrecall.ErrOutcomeUnknown):
			unknown++
		case it.Err == nil && truth != chatrecalltest.MessageRecalled:
			wrong++
		case it.Err != nil && truth == chatrecalltest.MessageRecalled:
			wrong++
		}
	}
	sum := rep.Summary()
	t.Logf("sweep under faults: %d planned; %d unknown after the recalls alone; after verification %+v, rounds %d; %d history requests, %d recall requests",
		len(rep.Items), unknownAfterApply.Load(), sum, rep.Rounds, len(srv.RequestsTo(chatrecall.EndpointGroupHistory)), len(srv.RequestsTo(chatrecall.EndpointGroupRecall)))
	assert.Zero(t, wrong, "wrong outcomes")
	assert.Zero(t, unknown, "unknown outcomes after verification")
	assert.Positive(t, unknownAfterApply.Load(), "the faults leave some recalls unknown")
	assert.Positive(t, sum.Settled, "verification settled what the recalls left unknown")
	assert.LessOrEqual(t, int64(sum.Settled), unknownAfterApply.Load(), "Outcome also reports the later rounds")
	if err == nil {
		assert.Equal(t, len(want), sum.Recalled)
	}
}

// TestSweepRecallsAgainWhatVerifyFindsThere: a recall whose every attempt
// got 91000 ("internal error, retry", nothing applied) ends unknown; the
// verification reads the message still there, and the next round recalls
// it.
func TestSweepRecallsAgainWhatVerifyFindsThere(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.FillGroup("@TGS#r", chatrecalltest.Fill{Messages: 40, Senders: 2, From: histEpoch.Add(-time.Hour), To: histEpoch, Seed: 5})
	srv.FailNext(chatrecall.EndpointGroupRecall, 3, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 10002})
	client2, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithClock(&fastClock{}),
		chatrecall.WithConcurrency(1), chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 3, Budget: -1}))
	require.NoError(t, err)
	_ = client
	rep, err := client2.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#r"}, chatrecall.SweepFilter{Senders: []string{"user00"}}, chatrecall.SweepOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Rounds)
	sum := rep.Summary()
	assert.Equal(t, sum.Total, sum.Verified)
	assert.Positive(t, sum.Settled)
}

// TestSweepVerifyStates: a message deleted before the recall reads back as
// deleted (gone, not unknown), and a plan item the history no longer lists
// stays as the recall left it, marked missing.
func TestSweepVerifyStates(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.FillGroup("@TGS#v", chatrecalltest.Fill{Messages: 10, Senders: 1, From: histEpoch.Add(-time.Hour), To: histEpoch})
	plan := []chatrecall.SweepItem{}
	for s := uint64(1); s <= 10; s++ {
		plan = append(plan, chatrecall.SweepItem{Conversation: chatrecall.Conversation{GroupID: "@TGS#v"}, Sender: "user00", MsgSeq: s})
	}
	plan = append(plan, chatrecall.SweepItem{Conversation: chatrecall.Conversation{GroupID: "@TGS#v"}, Sender: "user00", MsgSeq: 99})
	srv.DeleteGroupMessage("@TGS#v", 4)
	rep, err := client.ApplySweep(context.Background(), plan, chatrecall.SweepOptions{})
	var pe *chatrecall.PartialError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Failed)
	assert.Equal(t, chatrecall.CheckDeleted, rep.Items[3].Check)
	assert.ErrorIs(t, rep.Items[3].Err, chatrecall.ErrGone)
	assert.Equal(t, chatrecall.CheckMissing, rep.Items[10].Check)
	assert.ErrorIs(t, rep.Items[10].Err, chatrecall.ErrGone, "10030 as the recall answered it")
	for i, it := range rep.Items {
		if i != 3 && i != 10 {
			assert.Equal(t, chatrecall.CheckRecalled, it.Check)
			assert.NoError(t, it.Err)
		}
	}
}

// TestSweepOneToOneAndOfficial sweeps the other two kinds end to end.
func TestSweepOneToOneAndOfficial(t *testing.T) {
	srv, client := newHistoryFake(t)
	c2c := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 120, From: histEpoch.Add(-3 * time.Hour), To: histEpoch, Seed: 9})
	rep, err := client.Sweep(context.Background(), chatrecall.Conversation{Account: "alice", Peer: "mallory"},
		chatrecall.SweepFilter{Senders: []string{"mallory"}, Since: histEpoch.Add(-time.Hour), Until: histEpoch}, chatrecall.SweepOptions{})
	require.NoError(t, err)
	n := 0
	for _, m := range c2c {
		if m.Sender == "mallory" && !m.Time.Before(histEpoch.Add(-time.Hour)) {
			n++
			assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(m.Key))
		} else {
			assert.Equal(t, chatrecalltest.MessagePresent, srv.C2CMessage(m.Key))
		}
	}
	assert.Equal(t, chatrecall.SweepSummary{Total: n, Recalled: n, Verified: n}, rep.Summary())

	off := srv.FillOfficial("@TOA#news", chatrecalltest.Fill{Messages: 50, From: histEpoch.Add(-50 * time.Minute), To: histEpoch})
	rep, err = client.Sweep(context.Background(), chatrecall.Conversation{Official: "@TOA#news"},
		chatrecall.SweepFilter{Since: histEpoch.Add(-5 * time.Minute), Match: func(m chatrecall.Message) bool {
			var body []struct{ MsgContent struct{ Text string } }
			return json.Unmarshal(m.Body, &body) == nil && len(body) == 1
		}}, chatrecall.SweepOptions{Reason: "wrong push"})
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Summary().Verified)
	for i, m := range off {
		want := chatrecalltest.MessagePresent
		if i >= 45 {
			want = chatrecalltest.MessageRecalled
		}
		assert.Equal(t, want, srv.OfficialMessage("@TOA#news", m.Key), "message %d", i)
	}
	recalls := srv.RequestsTo(chatrecall.EndpointOfficialRecall)
	require.Len(t, recalls, 1)
	assert.Equal(t, "wrong push", recalls[0].JSON["Reason"])
}

// TestSweepBadInput: refused before any request, naming the field.
func TestSweepBadInput(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	g := chatrecall.Conversation{GroupID: "@TGS#x"}
	item := func(seq uint64) chatrecall.SweepItem {
		return chatrecall.SweepItem{Conversation: g, Sender: "u", MsgSeq: seq}
	}
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"no filter", func() error {
			_, err := client.Sweep(ctx, g, chatrecall.SweepFilter{}, chatrecall.SweepOptions{})
			return err
		}, "Senders"},
		{"empty sender", func() error {
			_, err := client.Sweep(ctx, g, chatrecall.SweepFilter{Senders: []string{""}}, chatrecall.SweepOptions{})
			return err
		}, "Senders[0]"},
		{"two kinds", func() error {
			_, err := client.Sweep(ctx, chatrecall.Conversation{GroupID: "g", Official: "o"}, chatrecall.SweepFilter{Senders: []string{"u"}}, chatrecall.SweepOptions{})
			return err
		}, "Conversation"},
		{"reason too long", func() error {
			_, err := client.Sweep(ctx, g, chatrecall.SweepFilter{Senders: []string{"u"}}, chatrecall.SweepOptions{Reason: string(make([]byte, 101))})
			return err
		}, "Reason"},
		{"until before since", func() error {
			_, err := client.Sweep(ctx, g, chatrecall.SweepFilter{Senders: []string{"u"}, Since: histEpoch, Until: histEpoch.Add(-1)}, chatrecall.SweepOptions{})
			return err
		}, "Until"},
		{"empty plan", func() error { _, err := client.ApplySweep(ctx, nil, chatrecall.SweepOptions{}); return err }, "plan"},
		{"seq 0", func() error {
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{item(0)}, chatrecall.SweepOptions{})
			return err
		}, "plan[0].MsgSeq"},
		{"duplicate", func() error {
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{item(1), item(2), item(1)}, chatrecall.SweepOptions{})
			return err
		}, "plan[2]"},
		{"mixed conversations", func() error {
			other := item(2)
			other.GroupID = "@TGS#y"
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{item(1), other}, chatrecall.SweepOptions{})
			return err
		}, "plan[1]"},
		{"c2c without receiver", func() error {
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{{Conversation: chatrecall.Conversation{Account: "a", Peer: "b"}, Sender: "a", MsgKey: "1_2_3"}}, chatrecall.SweepOptions{})
			return err
		}, "plan[0].To"},
		{"c2c not between the two", func() error {
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{{Conversation: chatrecall.Conversation{Account: "a", Peer: "b"}, Sender: "x", To: "y", MsgKey: "1_2_3"}}, chatrecall.SweepOptions{})
			return err
		}, "plan[0].Sender"},
		{"verify nil report", func() error { return client.VerifySweep(ctx, nil, nil) }, "rep"},
		{"verify item of another conversation", func() error {
			return client.VerifySweep(ctx, &chatrecall.SweepReport{Conversation: chatrecall.Conversation{GroupID: "@TGS#y"}, Items: []chatrecall.SweepOutcome{{SweepItem: item(1)}}}, nil)
		}, "rep.Items[0]"},
		{"verify invalid item", func() error {
			return client.VerifySweep(ctx, &chatrecall.SweepReport{Conversation: g, Items: []chatrecall.SweepOutcome{{SweepItem: item(0)}}}, nil)
		}, "rep.Items[0].MsgSeq"},
		{"control char sender", func() error {
			it := item(1)
			it.Sender = "u\n"
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{it}, chatrecall.SweepOptions{})
			return err
		}, "plan[0].Sender"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Empty(t, srv.Requests())
}

// TestSweepPlanIsJSONLines: a plan item round-trips through JSON with its
// conversation, so each line of a plan file stands alone.
func TestSweepPlanIsJSONLines(t *testing.T) {
	it := chatrecall.SweepItem{Conversation: chatrecall.Conversation{GroupID: "@TGS#x", TopicID: "t"}, Sender: "u1", MsgSeq: 42, Time: 1795000000}
	b, err := json.Marshal(it)
	require.NoError(t, err)
	assert.JSONEq(t, `{"group":"@TGS#x","topic":"t","sender":"u1","seq":42,"time":1795000000}`, string(b))
	var back chatrecall.SweepItem
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, it, back)
	assert.Equal(t, strconv.Itoa(42), back.ID())
}

// BenchmarkSweep is issue 14's figure: one sender's last two hours in a
// 100,000-message group, read and recalled (pipelined, verification off)
// against a fake enforcing the documented 200 calls per second on each
// endpoint. x-floor is the time over the floor those limits allow: the
// busier endpoint's requests at 200 per second.
func BenchmarkSweep(b *testing.B) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	bigGroup(srv, "@TGS#bench")
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil)))
	require.NoError(b, err)
	since := histEpoch.Add(-2 * time.Hour)
	var ratio, floorSum, elapsedSum float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srv.Reset()
		sender := chatrecalltest.SenderName(i % 50)
		start := time.Now()
		rep, err := client.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#bench"},
			chatrecall.SweepFilter{Senders: []string{sender}, Since: since}, chatrecall.SweepOptions{SkipVerify: true})
		elapsed := time.Since(start).Seconds()
		if err != nil || srv.RateLimited() > 0 {
			b.Fatalf("sweep: %v, %d refused", err, srv.RateLimited())
		}
		_ = rep
		reads, recalls := len(srv.RequestsTo(chatrecall.EndpointGroupHistory)), len(srv.RequestsTo(chatrecall.EndpointGroupRecall))
		floor := float64(max(reads, recalls)) / 200
		ratio += elapsed / floor
		floorSum += floor
		elapsedSum += elapsed
	}
	b.ReportMetric(ratio/float64(b.N), "x-floor")
	b.ReportMetric(floorSum/float64(b.N)*1000, "floor-ms")
	b.ReportMetric(elapsedSum/float64(b.N)*1000, "sweep-ms")
}

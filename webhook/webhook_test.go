package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	appID = 1400000000
	token = "xxxxyyyy"
)

var now = time.Unix(1669872112, 0)

// TestSignVector is the documentation's vector (checked with sha256sum).
func TestSignVector(t *testing.T) {
	assert.Equal(t, "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061", webhook.Sign("xxxxyyyy", "1669872112"))
}

func newHandler(t testing.TB, logs *bytes.Buffer) *webhook.Handler {
	cfg := webhook.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return now }}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	h, err := webhook.NewHandler(cfg)
	require.NoError(t, err)
	return h
}

// callback builds a signed request as Tencent sends it; tweak changes the
// query.
func callback(command, body string, tweak func(q url.Values)) *http.Request {
	rt := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"SdkAppid": {strconv.Itoa(appID)}, "CallbackCommand": {command}, "contenttype": {"json"},
		"ClientIP": {"1.2.3.4"}, "OptPlatform": {"iOS"}, "RequestTime": {rt}, "Sign": {webhook.Sign(token, rt)}}
	if tweak != nil {
		tweak(q)
	}
	r := httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

const groupSample = `{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Public","From_Account":"jared","Operator_Account":"admin","Random":123456,"MsgSeq":123,"MsgTime":1490686222,"OnlineOnlyFlag":1,"MsgBody":[],"EventTime":"1670574414123"}`

func TestRefusedRequestsDispatchNothing(t *testing.T) {
	stale := func(d time.Duration) func(url.Values) {
		return func(q url.Values) {
			rt := strconv.FormatInt(now.Add(d).Unix(), 10)
			q.Set("RequestTime", rt)
			q.Set("Sign", webhook.Sign(token, rt))
		}
	}
	tests := []struct {
		name    string
		req     func() *http.Request
		status  int
		refusal string
	}{
		{"wrong token", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Set("Sign", webhook.Sign("other", q.Get("RequestTime"))) })
		}, 403, webhook.RefusedBadSign},
		{"no sign", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Del("Sign") })
		}, 403, webhook.RefusedBadSign},
		{"stale request time", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, stale(-61*time.Second))
		}, 403, webhook.RefusedStaleTime},
		{"future request time", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, stale(61*time.Second))
		}, 403, webhook.RefusedStaleTime},
		{"another app", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Set("SdkAppid", "1400000001") })
		}, 403, webhook.RefusedWrongApp},
		{"command mismatch", func() *http.Request { return callback(webhook.CommandGroupAfterRecall, groupSample, nil) }, 400, webhook.RefusedMalformed},
		{"oversized body", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, `{"x":"`+strings.Repeat("a", webhook.MaxBodyBytes)+`"}`, nil)
		}, 413, webhook.RefusedSize},
		{"not JSON", func() *http.Request { return callback(webhook.CommandGroupAfterSend, `<xml/>`, nil) }, 400, webhook.RefusedMalformed},
		{"GET", func() *http.Request {
			r := callback(webhook.CommandGroupAfterSend, groupSample, nil)
			r.Method = http.MethodGet
			return r
		}, 405, webhook.RefusedMethod},
		{"form content type", func() *http.Request {
			r := callback(webhook.CommandGroupAfterSend, groupSample, nil)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 415, webhook.RefusedType},
		{"a second SdkAppid", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Add("SdkAppid", "1400000001") })
		}, 400, webhook.RefusedDuplicateParam},
		{"a second Sign", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Add("Sign", "x") })
		}, 400, webhook.RefusedDuplicateParam},
		{"a second CallbackCommand", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Add("CallbackCommand", webhook.CommandGroupAfterRecall) })
		}, 400, webhook.RefusedDuplicateParam},
		{"a second RequestTime", func() *http.Request {
			return callback(webhook.CommandGroupAfterSend, groupSample, func(q url.Values) { q.Add("RequestTime", "1") })
		}, 400, webhook.RefusedDuplicateParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHandler(t, &logs)
			dispatched := 0
			h.OnGroupAfterSend(func(context.Context, *webhook.GroupAfterSend) error { dispatched++; return nil })
			h.OnOther(func(context.Context, *webhook.Other) error { dispatched++; return nil })
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			h.Wait() // the event is dispatched after the answer
			assert.Equal(t, tt.status, w.Code)
			assert.Contains(t, w.Body.String(), `"ActionStatus":"FAIL"`)
			assert.Zero(t, dispatched)
			assert.Contains(t, logs.String(), "refused")
			assert.NotContains(t, logs.String()+w.Body.String(), token)
			assert.EqualValues(t, 1, h.Stats().Refused)
			assert.Equal(t, map[string]int64{tt.refusal: 1}, h.Stats().Refusals, "counted by reason")
		})
	}
	cfg := webhook.Config{SDKAppID: appID, Token: "s3cret-token"}
	for _, out := range []string{cfg.String(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)} {
		assert.NotContains(t, out, "s3cret-token")
	}
}

// TestDocumentedSamples: the documentation's sample bodies (trimmed as the
// spec gives them) decode into their typed events.
func TestDocumentedSamples(t *testing.T) {
	h := newHandler(t, nil)
	var got []webhook.Event
	var mu sync.Mutex
	keep := func(e webhook.Event) { mu.Lock(); got = append(got, e); mu.Unlock() }
	h.OnGroupAfterSend(func(_ context.Context, e *webhook.GroupAfterSend) error { keep(e); return nil })
	h.OnC2CAfterSend(func(_ context.Context, e *webhook.C2CAfterSend) error { keep(e); return nil })
	h.OnGroupAfterRecall(func(_ context.Context, e *webhook.GroupAfterRecall) error { keep(e); return nil })
	h.OnC2CAfterWithdraw(func(_ context.Context, e *webhook.C2CAfterWithdraw) error { keep(e); return nil })
	h.OnOfficialAfterWithdraw(func(_ context.Context, e *webhook.OfficialAfterWithdraw) error { keep(e); return nil })
	h.OnRequestOverLimit(func(_ context.Context, e *webhook.RequestOverLimit) error { keep(e); return nil })
	var other []string
	h.OnOther(func(_ context.Context, e *webhook.Other) error { other = append(other, e.Command); return nil })
	samples := []struct{ command, body string }{
		{webhook.CommandGroupAfterSend, groupSample},
		{webhook.CommandC2CAfterSend, `{"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"jared","To_Account":"Jonh","MsgSeq":48374,"MsgRandom":2837546,"MsgTime":1557481126,"MsgKey":"48374_2837546_1557481126","OnlineOnlyFlag":1,"SendMsgResult":0,"ErrorInfo":"send msg succeed","UnreadMsgNum":7,"MsgBody":[]}`},
		{webhook.CommandGroupAfterRecall, `{"CallbackCommand":"Group.CallbackAfterRecallMsg","Operator_Account":"admin","Type":"Community","GroupId":"1213456","MsgSeqList":[{"MsgSeq":130}],"EventTime":"1670574414123"}`},
		{webhook.CommandC2CAfterWithdraw, `{"CallbackCommand":"C2C.CallbackAfterMsgWithDraw","From_Account":"jared","To_Account":"Jonh","MsgKey":"48374_2837546_1557481126","UnreadMsgNum":7}`},
		{webhook.CommandOfficialAfterWithdraw, `{"CallbackCommand":"OfficialAccount.CallbackAfterMsgWithDraw","Official_Account":"#TOA#_123","WithdrawMsgList":[{"MsgKey":"71_1_1698741698"}],"EventTime":1670574414123}`},
		{webhook.CommandAlertRequestOverLimit, `{"CallbackCommand":"Alert.RequestOverLimit","ServiceName":"openim","Command":"batchsendmsg","Request":510,"Limit":200}`},
		{"State.StateChange", `{"CallbackCommand":"State.StateChange","Info":{"Action":"Login","To_Account":"a"}}`},
	}
	for _, s := range samples {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callback(s.command, s.body, nil))
		h.Wait() // the event is dispatched after the answer
		require.Equal(t, http.StatusOK, w.Code, s.command)
		assert.JSONEq(t, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, w.Body.String())
	}
	require.Len(t, got, 6)
	g := got[0].(*webhook.GroupAfterSend)
	assert.Equal(t, "@TGS#2J4SZEAEL", g.GroupID)
	assert.Equal(t, uint32(123), g.MsgSeq)
	assert.Equal(t, "jared", g.From)
	assert.Equal(t, time.UnixMilli(1670574414123), g.EventTime.Time(), "EventTime as a string")
	assert.Equal(t, "iOS", g.OptPlatform)
	assert.Equal(t, now, g.RequestTime)
	c := got[1].(*webhook.C2CAfterSend)
	assert.True(t, c.Delivered())
	assert.Equal(t, "48374_2837546_1557481126", c.MsgKey)
	assert.Equal(t, uint32(130), got[2].(*webhook.GroupAfterRecall).MsgSeqList[0].MsgSeq)
	assert.Equal(t, 7, got[3].(*webhook.C2CAfterWithdraw).UnreadMsgNum)
	o := got[4].(*webhook.OfficialAfterWithdraw)
	assert.Equal(t, time.UnixMilli(1670574414123), o.EventTime.Time(), "EventTime as a number")
	assert.Equal(t, 510, got[5].(*webhook.RequestOverLimit).Request)
	assert.Equal(t, []string{"State.StateChange"}, other, "unknown commands go to OnOther and are answered OK")
}

// TestRepeatsAndIdempotentRecording: a second delivery of the same callback
// is marked Repeat, and the ledger records it once.
func TestRepeatsAndIdempotentRecording(t *testing.T) {
	h := newHandler(t, nil)
	ledger := webhook.NewMemoryLedger(0, 0)
	rec := webhook.Record(h, ledger, nil)
	var repeats []bool
	h2 := newHandler(t, nil)
	h2.OnGroupAfterSend(func(_ context.Context, e *webhook.GroupAfterSend) error {
		repeats = append(repeats, e.Repeat)
		return nil
	})
	for i := 0; i < 2; i++ {
		h.ServeHTTP(httptest.NewRecorder(), callback(webhook.CommandGroupAfterSend, groupSample, nil))
		h.Wait() // the event is dispatched after the answer
		h2.ServeHTTP(httptest.NewRecorder(), callback(webhook.CommandGroupAfterSend, groupSample, nil))
		h2.Wait() // the event is dispatched after the answer
	}
	assert.Equal(t, []bool{false, true}, repeats)
	msgs, err := ledger.Find(context.Background(), webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#2J4SZEAEL"})
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#2J4SZEAEL", Sender: "jared", Seq: 123, Time: time.Unix(1490686222, 0)}, msgs[0])
	assert.Zero(t, rec.Failures())
	assert.EqualValues(t, 1, h.Stats().Repeats)

	// A one-to-one message whose delivery failed is flagged, not recorded.
	failed := `{"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"a","To_Account":"b","MsgKey":"1_2_3","MsgTime":1,"SendMsgResult":20006,"UnreadMsgNum":-1}`
	h.ServeHTTP(httptest.NewRecorder(), callback(webhook.CommandC2CAfterSend, failed, nil))
	h.Wait() // the event is dispatched after the answer
	msgs, _ = ledger.Find(context.Background(), webhook.Query{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("a", "b")})
	assert.Empty(t, msgs)
}

type brokenLedger struct{}

func (brokenLedger) Record(context.Context, ...webhook.SentMessage) error {
	return errors.New("redis: connection refused")
}
func (brokenLedger) MarkRecalled(context.Context, string, string, ...string) error {
	return errors.New("redis: connection refused")
}
func (brokenLedger) Find(context.Context, webhook.Query) ([]webhook.SentMessage, error) {
	return nil, errors.New("redis: connection refused")
}

// TestLedgerFailureIsCountedAndLogged: Tencent still gets its OK (an
// after-event's answer changes nothing, and a failure would not make it
// resend), but the loss is counted and logged, never silent.
func TestLedgerFailureIsCountedAndLogged(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, &logs)
	rec := webhook.Record(h, brokenLedger{}, slog.New(slog.NewTextHandler(&logs, nil)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, callback(webhook.CommandGroupAfterSend, groupSample, nil))
	h.Wait() // the event is dispatched after the answer
	assert.Equal(t, http.StatusOK, w.Code)
	assert.EqualValues(t, 1, rec.Failures())
	assert.EqualValues(t, 1, h.Stats().HandlerErrors)
	assert.Contains(t, logs.String(), "ledger failed; this callback is not recorded")
}

// TestLoopAgainstTheFake: the fake posts signed callbacks for messages sent
// through it and for the recalls it performs; the ledger's answers equal the
// fake's ground truth, for a group, an AVChatRoom group and a one-to-one
// conversation; a recall shows up as recalled.
func TestLoopAgainstTheFake(t *testing.T) {
	ledger := webhook.NewMemoryLedger(0, 0)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "tok"})
	require.NoError(t, err)
	rec := webhook.Record(h, ledger, nil)
	tracked := &settled{h: h}
	receiver := httptest.NewServer(tracked)
	defer receiver.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(receiver.URL, "tok"), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})

	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	senders := []string{"spammer", "alice", "bob"}
	want := map[string][]uint64{}
	for _, g := range []string{"@TGS#g", "@TGS#live"} {
		for i := 0; i < 60; i++ {
			sender := senders[i%3]
			seq := srv.SendGroupMessage(g, sender, start.Add(time.Duration(i)*time.Minute))
			if sender == "spammer" && i >= 30 {
				want[g] = append(want[g], seq)
			}
		}
	}
	var c2cWant []string
	for i := 0; i < 10; i++ {
		from, to := "spammer", "victim"
		if i%2 == 1 {
			from, to = to, from
		}
		key := srv.SendC2CMessage(from, to, start.Add(time.Duration(i)*time.Minute))
		if from == "spammer" {
			c2cWant = append(c2cWant, key)
		}
	}
	require.Empty(t, srv.CallbackErrors())
	tracked.wait() // the handler answers first, then records

	ctx := context.Background()
	for _, g := range []string{"@TGS#g", "@TGS#live"} {
		found, err := ledger.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: g, Senders: []string{"spammer"}, From: start.Add(30 * time.Minute)})
		require.NoError(t, err)
		var seqs []uint64
		for _, m := range found {
			seqs = append(seqs, uint64(m.Seq))
		}
		assert.Equal(t, want[g], seqs, g)
	}
	found, err := ledger.Find(ctx, webhook.Query{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("victim", "spammer"), Senders: []string{"spammer"}})
	require.NoError(t, err)
	var keys []string
	for _, m := range found {
		keys = append(keys, m.Key)
	}
	assert.Equal(t, c2cWant, keys)

	// Recall what the ledger found; the after-recall callbacks mark it.
	client, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	_, err = client.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#live", MsgSeqs: want["@TGS#live"]})
	require.NoError(t, err)
	_, err = client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "spammer", To: "victim", MsgKey: c2cWant[0]})
	require.NoError(t, err)
	srv.WaitCallbacks()
	tracked.wait()
	require.Empty(t, srv.CallbackErrors())
	found, _ = ledger.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#live", Senders: []string{"spammer"}, From: start.Add(30 * time.Minute)})
	for _, m := range found {
		assert.True(t, m.Recalled, "seq %d", m.Seq)
	}
	found, _ = ledger.Find(ctx, webhook.Query{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("spammer", "victim")})
	assert.True(t, found[0].Recalled)
	assert.Zero(t, rec.Failures())
}

// settled wraps a webhook receiver so a test can wait until every callback
// was dispatched: the handler answers first and dispatches after.
type settled struct {
	h  http.Handler
	wg sync.WaitGroup
}

func (s *settled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	s.h.ServeHTTP(w, r)
}

// wait returns once every request is answered and its event dispatched.
func (s *settled) wait() {
	s.wg.Wait()
	if d, ok := s.h.(interface{ Wait() }); ok {
		d.Wait()
	}
}

// TestSweepFromTheLedger: spam in a live-stream group, which keeps no
// history. The ledger recorded what was sent; the sweep plans from it and
// recalls. One recall's answer is lost, so it ends unknown; its
// after-recall callback arrives, and verifying against the ledger settles
// it as recalled.
func TestSweepFromTheLedger(t *testing.T) {
	ledger := webhook.NewMemoryLedger(0, 0)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "tok"})
	require.NoError(t, err)
	webhook.Record(h, ledger, nil)
	tracked := &settled{h: h}
	receiver := httptest.NewServer(tracked)
	defer receiver.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(receiver.URL, "tok"), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})
	start := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	var want []uint64
	for i := 0; i < 25; i++ {
		sender := []string{"spammer", "alice"}[i%2]
		seq := srv.SendGroupMessage("@TGS#live", sender, start.Add(time.Duration(i)*time.Second))
		if sender == "spammer" {
			want = append(want, seq)
		}
	}
	tracked.wait()

	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()
	live := chatrecall.Conversation{GroupID: "@TGS#live"}
	filter := sweep.Filter{Senders: []string{"spammer"}, Since: start}
	_, err = sweep.New(client).Sweep(ctx, live, filter)
	require.ErrorIs(t, err, chatrecall.ErrNoHistory, "no history: the error says so")
	require.ErrorIs(t, err, sweep.ErrIncomplete)

	plan, err := webhook.SweepPlan(ctx, ledger, live, filter)
	require.NoError(t, err)
	var planned []uint64
	for _, it := range plan {
		planned = append(planned, it.MsgSeq)
	}
	assert.Equal(t, want, planned, "the plan is what the spammer sent")

	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	rep, err := sweep.New(client, func(o *sweep.Options) { o.SkipVerify, o.MaxInFlight = true, 1 }).Apply(ctx, slices.Values(plan))
	require.Error(t, err)
	assert.Equal(t, 10, rep.Summary().Unknown, "the first request's answer was lost")

	srv.WaitCallbacks()
	tracked.wait()
	require.NoError(t, sweep.New(client, func(o *sweep.Options) { o.Verifier = webhook.LedgerVerifier{Ledger: ledger} }).Verify(ctx, rep))
	sum := rep.Summary()
	assert.Equal(t, sweep.Summary{Total: len(want), Recalled: len(want), Verified: len(want), Settled: 10}, sum)
	assert.NoError(t, rep.Err())
}

// TestLedgerKeepsTopicsApart: in a Community group every topic numbers its
// messages apart from the group and from the other topics, so seq 1 exists
// three times here. A sweep planned from the ledger for one topic plans
// only that topic's messages; recalls marked in one topic settle only that
// topic's.
func TestLedgerKeepsTopicsApart(t *testing.T) {
	ledger := webhook.NewMemoryLedger(0, 0)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "tok"})
	require.NoError(t, err)
	rec := webhook.Record(h, ledger, nil)
	tracked := &settled{h: h}
	receiver := httptest.NewServer(tracked)
	defer receiver.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(receiver.URL, "tok"), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#com", Type: "Community"})
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	const news, spam = "@TGS#com@TOPIC#news", "@TGS#com@TOPIC#spam"
	for i := 0; i < 4; i++ {
		at := start.Add(time.Duration(i) * time.Minute)
		require.Equal(t, uint64(i+1), srv.SendGroupMessage("@TGS#com", "alice", at))
		require.Equal(t, uint64(i+1), srv.SendTopicMessage("@TGS#com", news, "spammer", at))
		require.Equal(t, uint64(i+1), srv.SendTopicMessage("@TGS#com", spam, []string{"spammer", "bob"}[i%2], at))
	}
	srv.WaitCallbacks()
	tracked.wait()
	require.Zero(t, rec.Failures())

	ctx := context.Background()
	plan := func(conv chatrecall.Conversation, senders ...string) []uint64 {
		items, err := webhook.SweepPlan(ctx, ledger, conv, sweep.Filter{Senders: senders, Since: start})
		require.NoError(t, err)
		var seqs []uint64
		for _, it := range items {
			assert.Equal(t, conv, it.Conversation, "each item names its own topic")
			seqs = append(seqs, it.MsgSeq)
		}
		return seqs
	}
	assert.Equal(t, []uint64{1, 2, 3, 4}, plan(chatrecall.Conversation{GroupID: "@TGS#com", TopicID: news}, "spammer"))
	assert.Equal(t, []uint64{1, 3}, plan(chatrecall.Conversation{GroupID: "@TGS#com", TopicID: spam}, "spammer"))
	assert.Empty(t, plan(chatrecall.Conversation{GroupID: "@TGS#com"}, "spammer"), "the group's own seqs are alice's")
	assert.Equal(t, []uint64{1, 2, 3, 4}, plan(chatrecall.Conversation{GroupID: "@TGS#com"}, "alice"))

	// Recall the spam topic's messages of spammer; the after-recall
	// callbacks carry the topic, and only that topic's seqs are settled.
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	spamTopic := chatrecall.Conversation{GroupID: "@TGS#com", TopicID: spam}
	items, err := webhook.SweepPlan(ctx, ledger, spamTopic, sweep.Filter{Senders: []string{"spammer"}})
	require.NoError(t, err)
	_, err = sweep.New(client, func(o *sweep.Options) { o.SkipVerify = true }).Apply(ctx, slices.Values(items))
	require.NoError(t, err)
	srv.WaitCallbacks()
	tracked.wait()
	for _, conv := range []chatrecall.Conversation{{GroupID: "@TGS#com"}, {GroupID: "@TGS#com", TopicID: news}, spamTopic} {
		found, err := ledger.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation(conv.GroupID, conv.TopicID)})
		require.NoError(t, err)
		require.Len(t, found, 4)
		for _, m := range found {
			want := conv == spamTopic && m.Sender == "spammer"
			assert.Equal(t, want, m.Recalled, "%s seq %d", conv, m.Seq)
		}
	}
	states, err := webhook.LedgerVerifier{Ledger: ledger}.States(ctx, chatrecall.Conversation{GroupID: "@TGS#com", TopicID: news},
		[]sweep.Item{{Conversation: chatrecall.Conversation{GroupID: "@TGS#com", TopicID: news}, Sender: "spammer", MsgSeq: 1, Time: start.Unix()}})
	require.NoError(t, err)
	assert.Empty(t, states, "seq 1 was recalled in another topic, not in this one")
}

// TestMissingContentTypeIsJSON: Tencent names no Content-Type, and its
// sample request has none: such a callback is read as JSON.
func TestMissingContentTypeIsJSON(t *testing.T) {
	h := newHandler(t, nil)
	var got *webhook.GroupAfterSend
	h.OnGroupAfterSend(func(_ context.Context, e *webhook.GroupAfterSend) error { got = e; return nil })
	r := callback(webhook.CommandGroupAfterSend, groupSample, nil)
	r.Header.Del("Content-Type")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	h.Wait()
	assert.Equal(t, http.StatusOK, w.Code)
	require.NotNil(t, got)
	assert.Equal(t, uint32(123), got.MsgSeq)
}

// TestSlowEventFunctionsHoldNoConnection: Tencent keeps callback
// connections alive. Callbacks sent one after another on one connection
// are all answered while the first event function is still running (it is
// released only once every answer is in): dispatch never holds the
// connection. With one worker and a queue of one, the third finds the
// queue full: still answered, and counted as overflow, never silent.
func TestSlowEventFunctionsHoldNoConnection(t *testing.T) {
	var logs bytes.Buffer
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Workers: 1, Queue: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	release := make(chan struct{})
	started := make(chan struct{}, 3)
	var ran atomic.Int32
	h.OnGroupAfterSend(func(context.Context, *webhook.GroupAfterSend) error {
		started <- struct{}{}
		<-release
		ran.Add(1)
		return nil
	})
	srv := httptest.NewUnstartedServer(h)
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for i := 0; i < 3; i++ {
		q := url.Values{"SdkAppid": {strconv.Itoa(appID)}, "CallbackCommand": {webhook.CommandGroupAfterSend}}
		body := strings.Replace(groupSample, `"MsgSeq":123`, `"MsgSeq":`+strconv.Itoa(200+i), 1)
		resp, err := c.Post(srv.URL+"/cb?"+q.Encode(), "application/json", strings.NewReader(body))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, string(b))
		if i == 0 {
			<-started // the one worker is busy with the first: the second waits in the queue, the third finds it full
		}
	}
	assert.Zero(t, ran.Load(), "every answer came while the first function was still running")
	assert.LessOrEqual(t, conns.Load(), int32(1), "one kept-alive connection")
	close(release)
	h.Wait()
	assert.EqualValues(t, 2, ran.Load(), "one running, one queued")
	st := h.Stats()
	assert.EqualValues(t, 1, st.Overflow)
	assert.EqualValues(t, 2, st.Dispatched)
	assert.Contains(t, logs.String(), "dispatch queue full")
}

// TestDispatchTimeoutBoundsTheFunction: a function that ignores its context
// and blocks is left behind after DispatchTimeout; its worker goes on, and
// the timeout is counted as the handler's error.
func TestDispatchTimeoutBoundsTheFunction(t *testing.T) {
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Workers: 1, DispatchTimeout: 20 * time.Millisecond})
	require.NoError(t, err)
	stuck := make(chan struct{})
	defer close(stuck)
	var calls atomic.Int32
	h.OnGroupAfterSend(func(context.Context, *webhook.GroupAfterSend) error {
		if calls.Add(1) == 1 {
			<-stuck // ignores its context
		}
		return nil
	})
	for i := 0; i < 2; i++ {
		q := url.Values{"SdkAppid": {strconv.Itoa(appID)}, "CallbackCommand": {webhook.CommandGroupAfterSend}}
		body := strings.Replace(groupSample, `"MsgSeq":123`, `"MsgSeq":`+strconv.Itoa(300+i), 1)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), strings.NewReader(body)))
		assert.Equal(t, http.StatusOK, w.Code)
	}
	h.Wait()
	assert.EqualValues(t, 2, calls.Load(), "the second ran on the same worker after the first timed out")
	assert.EqualValues(t, 1, h.Stats().HandlerErrors)
}

// TestRecallBeforeSend: an after-recall that overtakes its after-send is
// kept: the message is recorded as recalled when its after-send arrives
// (the Redis ledger does the same: TestRecallBeforeSendInRedis).
func TestRecallBeforeSend(t *testing.T) {
	l := webhook.NewMemoryLedger(0, 0)
	ctx := context.Background()
	require.NoError(t, l.MarkRecalled(ctx, webhook.KindGroup, "@TGS#g", "7"))
	require.NoError(t, l.Record(ctx, webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "u", Seq: 7, Time: time.Now()},
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "u", Seq: 8, Time: time.Now()}))
	got, err := l.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#g"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, got[0].Recalled, "seq 7: its recall came first")
	assert.False(t, got[1].Recalled)
}

// TestNoSecretInAnyVerb: the handler holds the token, the recaller a
// client with its secret key; neither is printed by any verb or by slog.
func TestNoSecretInAnyVerb(t *testing.T) {
	const key, tok = "client-secret-key-0001", "callback-token-0001"
	c, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: appID, SecretKey: key, Region: chatrecall.RegionSingapore})
	require.NoError(t, err)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Token: tok})
	require.NoError(t, err)
	v, err := webhook.NewVerdictRecaller(c, webhook.VerdictOptions{Allow: func(chatrecall.Conversation) bool { return true }})
	require.NoError(t, err)
	rec := webhook.Record(h, webhook.NewMemoryLedger(0, 0), nil)
	for name, x := range map[string]any{"handler": h, "verdicts": v, "recorder": rec} {
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "v", x)
		outs := []string{logs.String()}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs = append(outs, fmt.Sprintf(verb, x))
		}
		for _, out := range outs {
			for _, secret := range []string{key, tok} {
				assert.NotContains(t, out, secret, name)
				assert.NotContains(t, strings.ToLower(out), fmt.Sprintf("%x", secret), name)
			}
		}
	}
}

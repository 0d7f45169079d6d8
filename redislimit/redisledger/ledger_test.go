package redisledger_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/redislimit/redistest"
	"github.com/chatrecall/chatrecall/webhook"
)

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"),
		goleak.IgnoreTopFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).reaper"))
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...interface{}) {}

// t0 is in the local zone, as times read back from Redis (Unix milliseconds) are.
var t0 = time.UnixMilli(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC).UnixMilli())

func TestRecordFindMark(t *testing.T) {
	r := redistest.Start(t)
	l := redisledger.New(r.Client(t))
	ctx := context.Background()
	msgs := []webhook.SentMessage{
		{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "spam", Seq: 3, Time: t0.Add(3 * time.Minute)},
		{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "spam", Seq: 1, Time: t0.Add(time.Minute)},
		{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "ok", Seq: 2, Time: t0.Add(2 * time.Minute)},
		{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("a", "b"), Sender: "a", Key: "1_2_3", Time: t0},
	}
	require.NoError(t, l.Record(ctx, msgs...))
	require.NoError(t, l.Record(ctx, msgs[0]), "idempotent")
	require.NoError(t, l.MarkRecalled(ctx, webhook.KindGroup, "@TGS#g", "3"))

	got, err := l.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#g", Senders: []string{"spam"}})
	require.NoError(t, err)
	assert.Equal(t, []webhook.SentMessage{
		{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "spam", Seq: 1, Time: t0.Add(time.Minute)},
		{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "spam", Seq: 3, Time: t0.Add(3 * time.Minute), Recalled: true},
	}, got)
	got, err = l.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#g", From: t0.Add(2 * time.Minute), To: t0.Add(3 * time.Minute)})
	require.NoError(t, err)
	require.Len(t, got, 1, "From inclusive, To exclusive, every sender")
	assert.Equal(t, uint32(2), got[0].Seq)
	got, err = l.Find(ctx, webhook.Query{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("b", "a")})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "1_2_3", got[0].Key)

	keys, err := r.Client(t).Keys(ctx, "chatrecall:ledger:*").Result()
	require.NoError(t, err)
	for _, k := range keys {
		ttl, err := r.Client(t).TTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Greater(t, ttl, 6*24*time.Hour, "%s expires with the roaming retention", k)
	}
}

// TestTwoReceiversShareOneLedger: callbacks split between two replicas (as a
// load balancer would), one Redis ledger: it holds every message.
func TestTwoReceiversShareOneLedger(t *testing.T) {
	r := redistest.Start(t)
	var recorders []*webhook.Recorder
	var replicas []http.Handler
	for i := 0; i < 2; i++ {
		h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "tok"})
		require.NoError(t, err)
		recorders = append(recorders, webhook.Record(h, redisledger.New(r.Client(t)), nil))
		replicas = append(replicas, h)
	}
	var n atomic.Int64
	perReplica := make([]atomic.Int64, 2)
	tracked := &settled{h: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i := n.Add(1) % 2
		perReplica[i].Add(1)
		replicas[i].ServeHTTP(w, req)
	})}
	balancer := httptest.NewServer(tracked)
	defer balancer.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(balancer.URL, "tok"))
	defer srv.Close()
	var want []uint64
	for i := 0; i < 200; i++ {
		sender := []string{"spam", "alice"}[i%2]
		seq := srv.SendGroupMessage("@TGS#live", sender, t0.Add(time.Duration(i)*time.Second))
		if sender == "spam" {
			want = append(want, seq)
		}
	}
	require.Empty(t, srv.CallbackErrors())
	tracked.wait()
	assert.Positive(t, perReplica[0].Load())
	assert.Positive(t, perReplica[1].Load())
	got, err := redisledger.New(r.Client(t)).Find(context.Background(), webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#live", Senders: []string{"spam"}})
	require.NoError(t, err)
	var seqs []uint64
	for _, m := range got {
		seqs = append(seqs, uint64(m.Seq))
	}
	assert.Equal(t, want, seqs)
	for _, rec := range recorders {
		assert.Zero(t, rec.Failures())
	}
}

// TestRedisDownIsCounted: with Redis gone, callbacks are still answered OK,
// and every one that could not be recorded is counted.
func TestRedisDownIsCounted(t *testing.T) {
	r := redistest.Start(t)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID})
	require.NoError(t, err)
	rec := webhook.Record(h, redisledger.New(r.Client(t)), nil)
	tracked := &settled{h: h}
	receiver := httptest.NewServer(tracked)
	defer receiver.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(receiver.URL, ""))
	defer srv.Close()
	srv.SendGroupMessage("@TGS#g", "a", t0)
	tracked.wait() // answered before recorded: wait for the record
	require.Zero(t, rec.Failures())
	r.Stop()
	for i := 0; i < 5; i++ {
		srv.SendGroupMessage("@TGS#g", "a", t0)
	}
	tracked.wait()
	assert.Empty(t, srv.CallbackErrors(), "Tencent still gets its OK")
	assert.EqualValues(t, 5, rec.Failures())
}

// BenchmarkHandlerRedisLedger: group after-send callbacks verified, decoded
// and recorded in a real Redis, from 16 concurrent senders; reports
// callbacks per second (until every one is recorded) and the reply
// latency's p50 and p99.
func BenchmarkHandlerRedisLedger(b *testing.B) {
	r := redistest.Start(b)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: 1400000000, Token: "tok", Queue: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr, PoolSize: 32})
	defer rdb.Close()
	webhook.Record(h, redisledger.New(rdb), nil)
	const workers = 16
	lat := make([][]time.Duration, workers)
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				rt := strconv.FormatInt(time.Now().Unix(), 10)
				q := url.Values{"SdkAppid": {"1400000000"}, "CallbackCommand": {webhook.CommandGroupAfterSend},
					"RequestTime": {rt}, "Sign": {webhook.Sign("tok", rt)}}
				body := `{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#bench","From_Account":"u` + strconv.FormatInt(i%50, 10) +
					`","MsgSeq":` + strconv.FormatInt(i, 10) + `,"MsgTime":1700000000,"MsgBody":[]}`
				req := httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				t := time.Now()
				h.ServeHTTP(rec, req)
				lat[w] = append(lat[w], time.Since(t))
				if rec.Code != http.StatusOK {
					b.Error(rec.Code)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	h.Wait() // recorded in Redis, not only answered
	elapsed := time.Since(start)
	if st := h.Stats(); st.Overflow != 0 || st.HandlerErrors != 0 {
		b.Fatalf("%+v", st)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "callbacks/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
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

// TestTopicsApart: the group and two of its topics each have a seq 1; each
// is its own conversation in Redis, found and marked apart.
func TestTopicsApart(t *testing.T) {
	r := redistest.Start(t)
	l := redisledger.New(r.Client(t))
	ctx := context.Background()
	convs := []string{webhook.GroupConversation("@TGS#c", ""), webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#a"), webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#b")}
	for i, c := range convs {
		require.NoError(t, l.Record(ctx, webhook.SentMessage{Kind: webhook.KindGroup, Conversation: c, Sender: "u" + strconv.Itoa(i), Seq: 1, Time: t0}))
	}
	require.NoError(t, l.MarkRecalled(ctx, webhook.KindGroup, convs[1], "1"))
	for i, c := range convs {
		got, err := l.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: c})
		require.NoError(t, err)
		require.Len(t, got, 1, c)
		assert.Equal(t, "u"+strconv.Itoa(i), got[0].Sender, "seq 1 of %q is its own", c)
		assert.Equal(t, i == 1, got[0].Recalled, "only topic a's seq 1 was recalled")
	}
}

// TestRecallBeforeSendInRedis: as the memory ledger, an after-recall that
// overtakes its after-send is kept.
func TestRecallBeforeSendInRedis(t *testing.T) {
	r := redistest.Start(t)
	l := redisledger.New(r.Client(t))
	ctx := context.Background()
	require.NoError(t, l.MarkRecalled(ctx, webhook.KindGroup, "@TGS#g", "7"))
	require.NoError(t, l.Record(ctx, webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#g", Sender: "u", Seq: 7, Time: t0}))
	got, err := l.Find(ctx, webhook.Query{Kind: webhook.KindGroup, Conversation: "@TGS#g"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].Recalled)
}

// TestLedgerPrintsNoPassword: the ledger holds a client whose options carry
// the Redis password; no verb prints it.
func TestLedgerPrintsNoPassword(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Password: "redis-password-0001"})
	defer rdb.Close()
	l := redisledger.New(rdb)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, l)
		assert.NotContains(t, out, "redis-password-0001", verb)
		assert.NotContains(t, out, fmt.Sprintf("%x", "redis-password-0001"), verb)
	}
}

func TestTouched(t *testing.T) {
	r := redistest.Start(t)
	l := redisledger.New(r.Client(t))
	ctx := context.Background()
	require.NoError(t, l.Record(ctx,
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#live", Sender: "spam", Seq: 1, Time: t0},
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#t"), Sender: "spam", Seq: 2, Time: t0.Add(2 * time.Hour)},
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#t"), Sender: "spam", Seq: 1, Time: t0.Add(time.Hour)},
		webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("spam", "alice"), Sender: "spam", Key: "k1", Time: t0.Add(2 * time.Hour)},
		webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("bob", "spam"), Sender: "bob", Key: "k2", Time: t0.Add(3 * time.Hour)},
	))
	got, err := l.Touched(ctx, "spam", t0.Add(30*time.Minute))
	require.NoError(t, err)
	sort.Slice(got, func(i, j int) bool { return got[i].Kind < got[j].Kind })
	assert.Equal(t, []webhook.Touched{
		{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("alice", "spam"), Last: t0.Add(2 * time.Hour)},
		{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#t"), Last: t0.Add(2 * time.Hour)},
	}, got, "the newest of spam's messages per conversation, even recorded out of order; not bob's")
	none, err := l.Touched(ctx, "nobody", time.Time{})
	require.NoError(t, err)
	assert.Empty(t, none)
}

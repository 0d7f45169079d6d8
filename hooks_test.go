package chatrecall

import (
	"bytes"
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHooksCostNothingWhenUnset: the hook points on the request path
// allocate nothing when no hook is set.
func TestHooksCostNothingWhenUnset(t *testing.T) {
	c := newMockClient(t, httpmock.NewMockTransport())
	ctx := context.Background()
	st := make([]itemState, 10)
	for i := range st {
		st[i].final = true
	}
	j := &job{batch: true, n: 10}
	allocs := testing.AllocsPerRun(1000, func() {
		ctx2, op := c.begin(ctx, "RecallGroupMessages", EndpointGroupRecall, 10)
		c.reportItems(ctx2, j, firstIndexes[:], st)
		c.finishMany(ctx2, op, st, nil)
		c.finishOne(ctx2, op, nil, nil)
		c.finishCall(ctx2, op, nil)
	})
	assert.Zero(t, allocs)
}

// TestHooksSeeEveryItemOnce: 25 seqs in 3 requests, one answered 502 and
// retried: every item is reported exactly once, with its outcome, before
// the operation ends; the operation's summary adds up; every attempt and
// limiter wait is seen; hooks given twice both run.
func TestHooksSeeEveryItemOnce(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var calls int
	var mu sync.Mutex
	mt.RegisterResponder("POST", groupURL, (&recorder{}).responder(func(n int, req sentRequest) (*http.Response, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			return httpmock.NewStringResponse(502, "bad gateway"), nil
		}
		return okGroupReply(n, req)
	}))
	type event struct {
		kind  string
		index int
		out   Outcome
	}
	var events []event
	var ended OperationEnd
	var attempts, waits, starts int
	type key struct{}
	h := Hooks{
		OperationStart: func(ctx context.Context, op Operation) context.Context {
			mu.Lock()
			starts++
			mu.Unlock()
			return context.WithValue(ctx, key{}, op.Method)
		},
		OperationEnd: func(ctx context.Context, op Operation, e OperationEnd) {
			assert.Equal(t, "RecallGroupMessages", ctx.Value(key{}), "the context OperationStart returned")
			ended = e
		},
		ItemOutcome: func(ctx context.Context, op Operation, it ItemOutcome) {
			assert.Equal(t, 25, op.Items)
			mu.Lock()
			events = append(events, event{"item", it.Index, it.Outcome})
			mu.Unlock()
		},
		Attempt: func(ctx context.Context, a AttemptInfo) {
			assert.Equal(t, "RecallGroupMessages", ctx.Value(key{}))
			mu.Lock()
			attempts++
			mu.Unlock()
		},
		LimiterWait: func(ctx context.Context, w LimiterWait) {
			mu.Lock()
			waits++
			mu.Unlock()
		},
	}
	second := 0
	c := newMockClient(t, mt, WithHooks(h), WithHooks(Hooks{OperationStart: func(ctx context.Context, op Operation) context.Context {
		second++
		return ctx
	}}), WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: 1, MaxDelay: 1}), WithConcurrency(1))
	seqs := make([]uint64, 25)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: seqs})
	require.NoError(t, err)
	require.Len(t, events, 25)
	sort.Slice(events, func(a, b int) bool { return events[a].index < events[b].index })
	for i, e := range events {
		assert.Equal(t, i, e.index)
		assert.Equal(t, OutcomeRecalled, e.out)
	}
	assert.Equal(t, Summary{Total: 25, Recalled: 25}, ended.Summary)
	assert.Equal(t, 4, attempts, "3 requests and 1 retry")
	assert.Equal(t, 4, waits)
	assert.Equal(t, 1, starts)
	assert.Equal(t, 1, second, "a second WithHooks runs too")
}

func TestOutcomeOf(t *testing.T) {
	assert.Equal(t, OutcomeRecalled, OutcomeOf(nil))
	assert.Equal(t, OutcomeUnknown, OutcomeOf(&unknownError{last: &HTTPError{StatusCode: 502}}))
	assert.Equal(t, OutcomeNotSent, OutcomeOf(&NotSentError{Cause: context.Canceled}))
	assert.Equal(t, OutcomeFailed, OutcomeOf(&APIError{Endpoint: EndpointGroupRecall, Code: CodeGroupMsgNotFound}))
	for o, s := range map[Outcome]string{OutcomeRecalled: "recalled", OutcomeFailed: "failed", OutcomeUnknown: "unknown", OutcomeNotSent: "not_sent", 0: "invalid"} {
		assert.Equal(t, s, o.String())
	}
}

// TestHookAppendCannotCorruptLaterCalls: the item indexes a hook is given
// cannot be grown into the client's own memory: an append in one call's
// hook leaves later calls' item mapping intact.
func TestHookAppendCannotCorruptLaterCalls(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", c2cURL, httpmock.NewStringResponder(200, `{"ActionStatus":"OK","ErrorCode":0}`))
	var seen [][]int
	hooks := Hooks{BeforeAttempt: func(_ context.Context, _ Operation, s AttemptStart) error {
		grown := append(s.Items, 7, 8, 9) // a careless hook
		_ = grown
		seen = append(seen, append([]int(nil), s.Items...))
		return nil
	}}
	c := newMockClient(t, mt, WithHooks(hooks))
	for range 3 {
		require.NoError(t, errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"})))
	}
	assert.Equal(t, [][]int{{0}, {0}, {0}}, seen)
	assert.Equal(t, [maxItemsPerRequest]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, firstIndexes, "the shared indexes are untouched")
}

// TestAttemptNumbersAfterUserSigRenewal: the attempt at once after a
// renewed UserSig is the next attempt, never attempt 1 again.
func TestAttemptNumbersAfterUserSigRenewal(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", c2cURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(200, `{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"usersig expired"}`),
		httpmock.NewStringResponse(200, `{"ActionStatus":"OK","ErrorCode":0}`),
	}))
	var mu sync.Mutex
	var before, after []int
	hooks := Hooks{
		BeforeAttempt: func(_ context.Context, _ Operation, s AttemptStart) error {
			mu.Lock()
			defer mu.Unlock()
			before = append(before, s.Attempt)
			return nil
		},
		Attempt: func(_ context.Context, a AttemptInfo) {
			mu.Lock()
			defer mu.Unlock()
			after = append(after, a.Attempt)
		},
	}
	c := newMockClient(t, mt, WithHooks(hooks))
	require.NoError(t, errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"})))
	assert.Equal(t, []int{1, 2}, before)
	assert.Equal(t, []int{1, 2}, after)
}

// TestHeadersAreTheRequestsOwn: a transport that changes a header value in
// place changes that request only.
func TestHeadersAreTheRequestsOwn(t *testing.T) {
	var agents []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		agents = append(agents, req.Header.Get("User-Agent"))
		req.Header["User-Agent"][0] = "mutated"      // a careless middleware
		req.Header["Content-Type"][0] = "text/plain" //
		return httpmock.NewStringResponse(200, `{"ActionStatus":"OK","ErrorCode":0}`), nil
	})
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore},
		WithHTTPClient(&http.Client{Transport: rt}), WithLimiter(NewLocalLimiter(nil)), WithRetry(NoRetry()))
	require.NoError(t, err)
	for range 2 {
		require.NoError(t, errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"})))
	}
	assert.Equal(t, []string{userAgent, userAgent}, agents)
}

// TestLargeReadBuffersAreNotPooled: a buffer a large answer grew is
// dropped, so the pool never holds a megabyte per buffer.
func TestLargeReadBuffersAreNotPooled(t *testing.T) {
	big := bytes.NewBuffer(make([]byte, 0, maxResponseBytes))
	releaseReadBuf(big)
	for range 4 {
		got := readBufs.Get().(*bytes.Buffer)
		assert.NotSame(t, big, got)
		assert.LessOrEqual(t, got.Cap(), maxPooledBuf)
	}
}

package chatrecall

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func fastRetry(n int) Option {
	return WithRetry(RetryPolicy{MaxAttempts: n, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second})
}

func TestRetriesTemporaryFailuresWithFreshSignatures(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", groupURL, rec.responder(func(n int, req sentRequest) (*http.Response, error) {
		switch n {
		case 1:
			return httpmock.NewStringResponse(502, "<html>bad gateway</html>"), nil
		case 2:
			return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"too fast"}`)
		}
		return okGroupReply(n, req)
	}))
	c := newMockClient(t, mt, WithClock(clock), fastRetry(3))
	start := clock.Now()
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	assert.False(t, res.Items[0].ConfirmedByRetry, "the retry recalled it itself")
	reqs := rec.all()
	require.Len(t, reqs, 3)
	randoms := map[string]bool{}
	for _, r := range reqs {
		randoms[r.URL.Query().Get("random")] = true
		assert.JSONEq(t, `{"GroupId":"g","MsgSeqList":[{"MsgSeq":1}]}`, string(r.Body), "the body is rebuilt whole")
	}
	assert.Len(t, randoms, 3, "a fresh random per attempt")
	waited := clock.Now().Sub(start)
	assert.Less(t, waited, 100*time.Millisecond+200*time.Millisecond, "full jitter below the caps of attempts 2 and 3")
}

func TestNeverRetried(t *testing.T) {
	for _, code := range []Code{CodeUserSigWrongKey, CodeAdminRequired, CodeGroupNotFound, CodeGroupInvalidParameter, CodeIPNotAllowed} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", groupURL, httpmock.NewStringResponder(200, `{"ActionStatus":"FAIL","ErrorCode":`+itoa(int(code))+`}`))
		c := newMockClient(t, mt, WithClock(&manualClock{now: time.Now()}), fastRetry(5))
		_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		require.Error(t, err)
		assert.Equal(t, 1, mt.GetTotalCallCount(), "code %d", code)
	}
}

func itoa(n int) string { return mustJSON(n) }

func TestPerItemTemporaryCodesAreResent(t *testing.T) {
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", groupURL, rec.responder(func(n int, req sentRequest) (*http.Response, error) {
		if n == 1 {
			return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[
				{"MsgSeq":1,"RetCode":0},{"MsgSeq":2,"RetCode":10002},{"MsgSeq":3,"RetCode":10030}]}`)
		}
		return okGroupReply(n, req)
	}))
	c := newMockClient(t, mt, WithClock(&manualClock{now: time.Now()}), fastRetry(3))
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3}})
	require.Error(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"GroupId":"g","MsgSeqList":[{"MsgSeq":2}]}`, string(reqs[1].Body), "only the temporary item")
	assert.NoError(t, res.Items[0].Err)
	assert.NoError(t, res.Items[1].Err)
	assert.ErrorIs(t, res.Items[2].Err, ErrGone, "a clean first answer: plainly gone")
	assert.False(t, res.Items[2].ConfirmedByRetry)
}

func TestRetryBudgetStopsStorms(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, httpmock.NewStringResponder(503, "down"))
	c := newMockClient(t, mt, WithClock(&manualClock{now: time.Now()}),
		WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Budget: 2}))
	for i := 0; i < 3; i++ {
		_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "a 503 may have been applied")
	}
	assert.Equal(t, 3+1+1, mt.GetTotalCallCount(), "two retries, then the budget is dry")
}

func TestRetryWaitStopsWithTheContext(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, httpmock.NewStringResponder(200, `{"ActionStatus":"FAIL","ErrorCode":91000}`))
	c := newMockClient(t, mt, WithRetry(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.RecallGroupMessages(ctx, GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second, "an hour-long backoff ended with the context")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestLimiterSharedPerAppAndEndpoint(t *testing.T) {
	a, err := NewClient(Config{SDKAppID: 1400000000, SecretKey: "k", Region: RegionChina})
	require.NoError(t, err)
	b, err := NewClient(Config{SDKAppID: 1400000000, SecretKey: "k2", Region: RegionChina, Identifier: "ops"})
	require.NoError(t, err)
	assert.Same(t, a.limiter, b.limiter)
	assert.Equal(t, a.limitReqs[EndpointPushRevoke], b.limitReqs[EndpointPushRevoke], "same key, same budget")

	// Two clients on one limiter: the second revoke in a second waits.
	clock := &manualClock{now: time.Now()}
	shared := NewLocalLimiter(clock)
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", sgpHost+"/v4/timpush/revoke", httpmock.NewStringResponder(200, `{"ActionStatus":"OK","ErrorCode":0}`))
	c1 := newMockClient(t, mt, WithClock(clock), WithLimiter(shared))
	c2 := newMockClient(t, mt, WithClock(clock), WithLimiter(shared))
	start := clock.Now()
	require.NoError(t, errOf(c1.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "a"})))
	require.NoError(t, errOf(c2.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "b"})))
	assert.InDelta(t, float64(time.Second)/DefaultLimitFactor, float64(clock.Now().Sub(start)), float64(time.Millisecond))
}

func TestLimiterWaitEndsWithTheContext(t *testing.T) {
	l := NewLocalLimiter(nil)
	req := LimitRequest{Key: "x", Endpoint: "x", Limit: rate.Every(time.Hour), Burst: 1}
	require.NoError(t, l.Wait(context.Background(), req))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Wait(ctx, req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestWithRateLimitOverrides(t *testing.T) {
	// A paid add-on: 1,000 per second. The client paces at 97.5% of it.
	c := newMockClient(t, httpmock.NewMockTransport(), WithRateLimit(EndpointGroupRecall, 1000, time.Second))
	assert.InDelta(t, 975, float64(c.limitReqs[EndpointGroupRecall].Limit), 1e-9)
	assert.Equal(t, 5, c.limitReqs[EndpointGroupRecall].Burst)
	assert.InDelta(t, 195, float64(c.limitReqs[EndpointOfficialRecall].Limit), 1e-9, "the others keep the documented 200/s")
	assert.Equal(t, 3, c.limitReqs[EndpointOfficialRecall].Burst)
	assert.Equal(t, 1, c.limitReqs[EndpointPushRevoke].Burst)

	off := newMockClient(t, httpmock.NewMockTransport(), WithoutRateLimits())
	for ep, req := range off.limitReqs {
		assert.Equal(t, rate.Inf, req.Limit, ep)
	}
}

// failoverTransport refuses the primary domain as a DNS failure would and
// sends the backup's requests to target.
type failoverTransport struct {
	mu      sync.Mutex
	hosts   []string
	primary string
	target  http.RoundTripper
}

func (f *failoverTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.hosts = append(f.hosts, r.URL.Host)
	f.mu.Unlock()
	if r.URL.Host == f.primary {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Host, IsNotFound: true}}
	}
	return f.target.RoundTrip(r)
}

func (f *failoverTransport) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.hosts
	f.hosts = nil
	return out
}

func TestDomainFailover(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", "https://adminapisgp.my-imcloud.com/v4/group_open_http_svc/group_msg_recall", rec0(okGroupReply))
	ft := &failoverTransport{primary: "adminapisgp.im.qcloud.com", target: mt}
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore},
		WithHTTPClient(&http.Client{Transport: ft}), WithClock(clock), fastRetry(3), WithFailoverCooldown(time.Minute))
	require.NoError(t, err)
	recall := func() error {
		_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		return err
	}

	require.NoError(t, recall())
	assert.Equal(t, []string{"adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"}, ft.seen(), "the retry went to the backup")

	require.NoError(t, recall())
	assert.Equal(t, []string{"adminapisgp.my-imcloud.com"}, ft.seen(), "during the cool-down, straight to the backup")

	clock.Advance(time.Minute + time.Second)
	require.NoError(t, recall())
	assert.Equal(t, []string{"adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"}, ft.seen(), "after it, the primary is tried again")
}

func rec0(reply func(int, sentRequest) (*http.Response, error)) httpmock.Responder {
	return (&recorder{}).responder(reply)
}

func TestAttemptHookSeesEveryAttempt(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, rec0(func(n int, req sentRequest) (*http.Response, error) {
		if n == 1 {
			return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":10002}`)
		}
		return okGroupReply(n, req)
	}))
	var mu sync.Mutex
	var seen []AttemptInfo
	c := newMockClient(t, mt, WithClock(&manualClock{now: time.Now()}), fastRetry(3), WithAttemptHook(func(_ context.Context, a AttemptInfo) {
		mu.Lock()
		seen = append(seen, a)
		mu.Unlock()
	}))
	_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	require.Len(t, seen, 2)
	assert.Equal(t, 1, seen[0].Attempt)
	assert.Equal(t, CodeGroupInternalError, seen[0].Code)
	assert.Equal(t, 200, seen[0].StatusCode)
	assert.True(t, errors.Is(seen[0].Err, ErrTemporary))
	assert.Equal(t, 2, seen[1].Attempt)
	assert.NoError(t, seen[1].Err)
	assert.Equal(t, EndpointGroupRecall, seen[1].Endpoint)
	assert.Equal(t, "adminapisgp.im.qcloud.com", seen[1].Host)
}

func TestBackoffIsFullJitterWithACap(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n, ceiling := range map[int]time.Duration{2: 100 * time.Millisecond, 3: 200 * time.Millisecond, 4: 400 * time.Millisecond, 5: 800 * time.Millisecond, 6: time.Second, 9: time.Second} {
		var max time.Duration
		for i := 0; i < 2000; i++ {
			d := p.delay(n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceiling, "attempt %d", n)
			if d > max {
				max = d
			}
		}
		assert.Greater(t, max, ceiling/2, "uses the whole range at attempt %d", n)
	}
}

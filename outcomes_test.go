package chatrecall_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// fastClock reads the real time (the fake checks UserSigs against it) but
// returns from every wait at once, recording how long it was asked to wait.
type fastClock struct {
	mu     sync.Mutex
	waits  []time.Duration
	onWait func()
}

func (c *fastClock) Now() time.Time { return time.Now() }

func (c *fastClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	f := c.onWait
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return ctx.Err()
}

func (c *fastClock) longest() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m time.Duration
	for _, w := range c.waits {
		m = max(m, w)
	}
	return m
}

func fakeClient(t *testing.T, srv *chatrecalltest.Server, opts ...chatrecall.Option) *chatrecall.Client {
	t.Helper()
	base := []chatrecall.Option{chatrecall.WithClock(&fastClock{}), chatrecall.WithTimeout(2 * time.Second)}
	c, err := chatrecall.NewClient(srv.Config(), append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// TestPossiblyAppliedCodes: the service's own "internal error / timeout,
// retry" codes can come back after it acted. The retry that then hears
// "already gone" confirms the recall; it is never reported as a failure.
func TestPossiblyAppliedCodes(t *testing.T) {
	type call func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (confirmed bool, err error)
	group := func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (bool, error) {
		srv.AddGroupMessages("@TGS#g", 1, 2)
		res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1, 2}})
		if err != nil {
			return false, err
		}
		return res.Items[0].ConfirmedByRetry && res.Items[1].ConfirmedByRetry, nil
	}
	official := func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (bool, error) {
		srv.AddOfficialMessages("@TOA#_o", "k1")
		res, err := c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_o", MsgKeys: []string{"k1"}})
		if err != nil {
			return false, err
		}
		return res.Items[0].ConfirmedByRetry, nil
	}
	c2c := func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (bool, error) {
		srv.AddC2CMessage("a", "b", "1_2_3")
		return true, errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"}))
	}
	revoke := func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (bool, error) {
		id := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
		return true, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: id}))
	}
	stop := func(ctx context.Context, c *chatrecall.Client, srv *chatrecalltest.Server) (bool, error) {
		id := srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "77", PushType: "all", Platform: "android"})
		err := errOf(c.StopTPNSPush(ctx, id))
		st, _ := srv.TPNSTaskState(id)
		if err == nil && st.Status != chatrecall.TPNSStatusStopped {
			return false, fmt.Errorf("status %s", st.Status)
		}
		return true, err
	}
	tests := []struct {
		name     string
		endpoint string
		fault    chatrecalltest.Fault
		call     call
	}{
		{"group 10002", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 10002}, group},
		{"group 60008", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 60008}, group},
		{"group 70169", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 70169}, group},
		{"group 70202", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 70202}, group},
		{"group 70500", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 70500}, group},
		{"group 502 after applying", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}, group},
		{"group contradictory list", chatrecall.EndpointGroupRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultContradict}, group},
		{"official 10002", chatrecall.EndpointOfficialRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 10002}, official},
		{"c2c 91000", chatrecall.EndpointC2CRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 91000}, c2c},
		{"c2c 60008", chatrecall.EndpointC2CRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 60008}, c2c},
		{"c2c lost", chatrecall.EndpointC2CRecall, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}, c2c},
		{"push revoke 91000", chatrecall.EndpointPushRevoke, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 91000}, revoke},
		{"tpns stop 1008004", chatrecall.EndpointTPNSStop, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 1008004}, stop},
		{"tpns stop lost", chatrecall.EndpointTPNSStop, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}, stop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The test clock skips waits, so the fake's frequency limits are
			// lifted: they are not what is tested here.
			srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
			defer srv.Close()
			srv.FailNext(tt.endpoint, 1, tt.fault)
			confirmed, err := tt.call(context.Background(), fakeClient(t, srv), srv)
			require.NoError(t, err, "an earlier attempt took effect and the retry heard it is gone")
			assert.True(t, confirmed, "confirmed by retry")
			reqs := srv.RequestsTo(tt.endpoint)
			require.Len(t, reqs, 2)
			assert.True(t, reqs[0].Applied, "the faulted attempt was applied")
			assert.False(t, reqs[1].Applied)
		})
	}
}

// TestFinalAnswerAfterAmbiguityIsUnknown: once an attempt may have taken
// effect, a later answer that says nothing of that attempt (auth, a rate
// limit with retries exhausted) leaves the outcome unknown, never failed.
func TestFinalAnswerAfterAmbiguityIsUnknown(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#g", 1)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 10002})
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeAdminRequired})
	res, err := fakeClient(t, srv).RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}})
	require.Error(t, err)
	assert.ErrorIs(t, res.Items[0].Err, chatrecall.ErrOutcomeUnknown)
	assert.ErrorIs(t, res.Items[0].Err, chatrecall.ErrPermission, "the last answer is kept")

	// C2C 20022 ("does not exist") cannot follow a recall that worked
	// (that answers 20023): it stays a definite failure.
	srv.AddC2CMessage("a", "b", "k")
	srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502})
	err = errOf(fakeClient(t, srv).RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "other"}))
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)
	assert.NotErrorIs(t, err, chatrecall.ErrOutcomeUnknown)
}

// TestOmittedItemsAreResent: items an accepted answer leaves out are sent
// again (and only they), not called unknown after one attempt.
func TestOmittedItemsAreResent(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#g", 1, 2, 3)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultOmit})
	res, err := fakeClient(t, srv).RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1, 2, 3}})
	require.NoError(t, err)
	assert.False(t, res.Items[0].ConfirmedByRetry)
	assert.True(t, res.Items[2].ConfirmedByRetry, "seq 3 was left out, sent again, and found gone")
	reqs := srv.RequestsTo(chatrecall.EndpointGroupRecall)
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"GroupId":"@TGS#g","MsgSeqList":[{"MsgSeq":3}]}`, string(reqs[1].Body))

	// With no retries left it is unknown, not guessed.
	srv.AddGroupMessages("@TGS#h", 1, 2)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultOmit})
	res, err = fakeClient(t, srv, chatrecall.WithRetry(chatrecall.NoRetry())).RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#h", MsgSeqs: []uint64{1, 2}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err)
	assert.ErrorIs(t, res.Items[1].Err, chatrecall.ErrOutcomeUnknown)
}

// TestContradictoryListWithoutRetryIsUnknown: an item listed with two
// different codes is neither recalled nor failed.
func TestContradictoryListWithoutRetryIsUnknown(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#g", 1, 2)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultContradict})
	res, err := fakeClient(t, srv, chatrecall.WithRetry(chatrecall.NoRetry())).RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1, 2}})
	require.Error(t, err)
	for _, it := range res.Items {
		assert.ErrorIs(t, it.Err, chatrecall.ErrOutcomeUnknown, "seq %d", it.MsgSeq)
	}
}

// TestWholeRequestFailureStops: a failure every request would repeat (a
// wrong key, an unknown group) stops the operation; the rest is "not sent"
// and the partial error names the cause.
func TestWholeRequestFailureStops(t *testing.T) {
	seqs := make([]uint64, 10000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	tests := []struct {
		name  string
		cfg   func(chatrecall.Config) chatrecall.Config
		group string
		want  error
	}{
		{"wrong key", func(c chatrecall.Config) chatrecall.Config { c.SecretKey = "wrong"; return c }, "@TGS#g", chatrecall.ErrAuth},
		{"unknown group", func(c chatrecall.Config) chatrecall.Config { return c }, "@TGS#nope", chatrecall.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
			defer srv.Close()
			srv.AddGroupMessages("@TGS#g", seqs...)
			c, err := chatrecall.NewClient(tt.cfg(srv.Config()), chatrecall.WithClock(&fastClock{}), chatrecall.WithConcurrency(4))
			require.NoError(t, err)
			res, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: tt.group, MsgSeqs: seqs})
			var pe *chatrecall.PartialError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, pe.Cause, tt.want)
			assert.LessOrEqual(t, len(srv.Requests()), 4, "at most the requests already in flight")
			assert.GreaterOrEqual(t, pe.NotSent, len(seqs)-40)
			for _, it := range res.Items {
				require.ErrorIs(t, it.Err, tt.want, "seq %d", it.MsgSeq)
				require.NotErrorIs(t, it.Err, chatrecall.ErrOutcomeUnknown)
			}
		})
	}
}

// TestRetryAfterIsHonoured: a 429 with Retry-After makes the next attempt
// wait at least that long (capped at 30 s).
func TestRetryAfterIsHonoured(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{{"7", 7 * time.Second}, {"3600", 30 * time.Second}} {
		srv := chatrecalltest.NewServer()
		srv.AddC2CMessage("a", "b", "k")
		srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTPStatus, Status: 429, RetryAfter: tt.header})
		clock := &fastClock{}
		require.NoError(t, errOf(fakeClient(t, srv, chatrecall.WithClock(clock)).RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"})))
		assert.Equal(t, tt.want, clock.longest(), "Retry-After %s", tt.header)
		srv.Close()
	}
}

// TestCancelDuringBackoffReportsTheContext: items stopped by the context
// match its error, and keep what the service said.
func TestCancelDuringBackoffReportsTheContext(t *testing.T) {
	for _, tt := range []struct {
		code    chatrecall.Code
		unknown bool
	}{{10002, true}, {60007, false}} {
		srv := chatrecalltest.NewServer()
		srv.AddGroupMessages("@TGS#g", 1)
		srv.FailNext(chatrecall.EndpointGroupRecall, 5, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: tt.code})
		ctx, cancel := context.WithCancel(context.Background())
		clock := &fastClock{onWait: cancel}
		res, err := fakeClient(t, srv, chatrecall.WithClock(clock)).RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}})
		require.Error(t, err)
		itemErr := res.Items[0].Err
		assert.ErrorIs(t, itemErr, context.Canceled, "code %d", tt.code)
		assert.Equal(t, tt.unknown, errors.Is(itemErr, chatrecall.ErrOutcomeUnknown), "code %d: %v", tt.code, itemErr)
		var apiErr *chatrecall.APIError
		require.ErrorAs(t, itemErr, &apiErr)
		assert.Equal(t, tt.code, apiErr.Code)
		assert.Len(t, srv.Requests(), 1)
		cancel()
		srv.Close()
	}
}

// TestSlowSignerHonoursContext: a caller waiting behind a slow Signer gives
// up when its own context ends.
func TestSlowSignerHonoursContext(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("a", "b", "k")
	cfg := srv.Config()
	key := cfg.SecretKey
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cfg.SecretKey = ""
	cfg.Signer = chatrecall.SignerFunc(func(ctx context.Context, app uint64, id string) (string, error) {
		once.Do(func() { close(entered) })
		<-release
		return chatrecall.GenUserSig(app, key, id, time.Hour)
	})
	c, err := chatrecall.NewClient(cfg, chatrecall.WithClock(&fastClock{}))
	require.NoError(t, err)
	first := make(chan error, 1)
	go func() {
		first <- errOf(c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, chatrecall.ErrNotSent)
	close(release)
	require.NoError(t, <-first)
}

// TestNeverHandshakingPeerIsNotSent: a host that accepts TCP and never
// completes TLS did not get the request: the client fails over to the
// backup domain instead of reporting an unknown outcome.
func TestNeverHandshakingPeerIsNotSent(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#g", 1)
	backup := httptest.NewTLSServer(srv)
	defer backup.Close()
	peer := chatrecalltest.NewUnresponsivePeer()
	defer peer.Close()

	region := chatrecall.RegionSingapore
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a test server's certificate
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			target := map[string]string{
				region.PrimaryDomain() + ":443": peer.Addr,
				region.BackupDomain() + ":443":  backup.Listener.Addr().String(),
			}[addr]
			var d net.Dialer
			return d.DialContext(ctx, network, target)
		},
	}
	defer tr.CloseIdleConnections()
	cfg := srv.Config()
	cfg.BaseURL, cfg.Region = "", region
	var attempts []chatrecall.AttemptInfo
	var mu sync.Mutex
	c, err := chatrecall.NewClient(cfg, chatrecall.WithHTTPClient(&http.Client{Transport: tr}), chatrecall.WithTimeout(300*time.Millisecond),
		chatrecall.WithClock(&fastClock{}), chatrecall.WithAttemptHook(func(_ context.Context, a chatrecall.AttemptInfo) {
			mu.Lock()
			attempts = append(attempts, a)
			mu.Unlock()
		}))
	require.NoError(t, err)
	res, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	assert.False(t, res.Items[0].ConfirmedByRetry, "a plain success: the first attempt was never sent")
	require.Len(t, attempts, 2)
	assert.False(t, attempts[0].Sent)
	assert.Equal(t, region.PrimaryDomain(), attempts[0].Host)
	assert.Equal(t, region.BackupDomain(), attempts[1].Host)
	assert.GreaterOrEqual(t, peer.Accepted(), 1)
}

// TestRedirectIsNeverFollowed: a 302 to another host is reported, not
// followed, even with a caller's client that follows redirects.
func TestRedirectIsNeverFollowed(t *testing.T) {
	var hits atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer elsewhere.Close()
	for _, hc := range []*http.Client{nil, {}, {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
		srv := chatrecalltest.NewServer()
		srv.AddC2CMessage("a", "b", "k")
		srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultRedirect, Location: elsewhere.URL})
		opts := []chatrecall.Option{}
		if hc != nil {
			opts = append(opts, chatrecall.WithHTTPClient(hc))
		}
		err := errOf(fakeClient(t, srv, opts...).RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
		var httpErr *chatrecall.HTTPError
		require.ErrorAs(t, err, &httpErr)
		assert.Equal(t, http.StatusFound, httpErr.StatusCode)
		assert.NotErrorIs(t, err, chatrecall.ErrOutcomeUnknown, "a redirect applies nothing")
		assert.Len(t, srv.Requests(), 1, "not retried")
		srv.Close()
	}
	assert.Zero(t, hits.Load(), "the signed URL never reached the other host")
}

// TestManyGoroutinesOneClient: 64 goroutines share one client while the
// fake injects every fault class; every outcome agrees with the ground
// truth.
func TestManyGoroutinesOneClient(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	injectAll(srv, chatrecall.EndpointGroupRecall, 7, 200*time.Millisecond)
	injectAll(srv, chatrecall.EndpointC2CRecall, 8, 200*time.Millisecond)
	c := fakeClient(t, srv, chatrecall.WithTimeout(200*time.Millisecond))
	const workers = 64
	type c2cOutcome struct {
		key string
		err error
	}
	var wg sync.WaitGroup
	groups := make([]*chatrecall.GroupRecallResult, workers)
	c2cs := make([]c2cOutcome, workers)
	for w := 0; w < workers; w++ {
		g := fmt.Sprintf("@TGS#w%d", w)
		seqs := make([]uint64, 25)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		srv.AddGroupMessages(g, seqs...)
		key := fmt.Sprintf("%d_1_1", w)
		srv.AddC2CMessage("a", "b", key)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			groups[w], _ = c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: g, MsgSeqs: seqs})
			c2cs[w] = c2cOutcome{key, errOf(c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: key}))}
		}(w)
	}
	wg.Wait()
	srv.Close()
	var unknown int
	for _, res := range groups {
		for _, it := range res.Items {
			unknown += checkTruth(t, it.Err, srv.GroupMessage(res.GroupID, it.MsgSeq), res.GroupID, it.MsgSeq)
		}
	}
	for _, o := range c2cs {
		unknown += checkTruth(t, o.err, srv.C2CMessage(o.key), "c2c", o.key)
	}
	t.Logf("64 goroutines: %d group items and %d one-to-one recalls, %d unknown", workers*25, workers, unknown)
}

// checkTruth fails the test when a definite outcome contradicts the
// server's state, and returns 1 for an unknown one.
func checkTruth(t *testing.T, err error, truth chatrecalltest.MessageState, where string, item any) int {
	t.Helper()
	switch {
	case err == nil:
		assert.Equal(t, chatrecalltest.MessageRecalled, truth, "%s %v reported recalled", where, item)
	case errors.Is(err, chatrecall.ErrOutcomeUnknown):
		return 1
	default:
		assert.Equal(t, chatrecalltest.MessagePresent, truth, "%s %v reported not recalled (%v)", where, item, err)
	}
	return 0
}

// injectAll makes the fake inject every fault class into endpoint.
func injectAll(srv *chatrecalltest.Server, endpoint string, seed uint64, timeout time.Duration) {
	srv.FailRandomly(endpoint, seed,
		chatrecalltest.Chance{P: 0.06, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 91000}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 10002}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 91000}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 10002}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultContradict}},
		chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultOmit}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}},
		chatrecalltest.Chance{P: 0.01, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 2 * timeout}},
	)
}

// errOf keeps the error of a single-item call.
func errOf(_ *chatrecall.Result, err error) error { return err }

// TestBeforeAttemptIsAWriteAheadPoint: the hook sees each request's items
// before it leaves; its error stops the operation with nothing more sent,
// and the items end "not sent" with that cause.
func TestBeforeAttemptIsAWriteAheadPoint(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	seqs := make([]uint64, 35)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#g", seqs...)
	stopped := errors.New("stopped by SIGTERM")
	var seen [][]int
	hook := func(_ context.Context, op chatrecall.Operation, a chatrecall.AttemptStart) error {
		if len(seen) == 2 {
			return stopped
		}
		seen = append(seen, append([]int(nil), a.Items...))
		return nil
	}
	c := fakeClient(t, srv, chatrecall.WithHooks(chatrecall.Hooks{BeforeAttempt: hook}), chatrecall.WithConcurrency(1))
	res, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: seqs})
	var pe *chatrecall.PartialError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, pe.Cause, stopped)
	require.Len(t, seen, 2)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen[0])
	assert.Len(t, srv.Requests(), 2, "the refused attempt was not sent")
	s := res.Summary()
	assert.Equal(t, chatrecall.Summary{Total: 35, Recalled: 20, NotSent: 15}, s)
	assert.ErrorIs(t, res.Items[34].Err, stopped)
}

// TestPossiblyAppliedConfirmsGone: a resumed run tells the SDK which items
// an earlier run may have applied; "already gone" then confirms them, and
// stays a failure for the others.
func TestPossiblyAppliedConfirmsGone(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddGroupMessages("@TGS#g", 1, 2, 3)
	c := fakeClient(t, srv)
	_, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}}) // the earlier run
	require.NoError(t, err)
	res, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1, 2, 4},
		PossiblyApplied: []uint64{1}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err)
	assert.True(t, res.Items[0].ConfirmedByRetry)
	assert.NoError(t, res.Items[1].Err)
	assert.ErrorIs(t, res.Items[2].Err, chatrecall.ErrGone, "seq 4 never existed and no run sent it")

	srv.AddC2CMessage("a", "b", "k")
	_, err = c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"})
	require.NoError(t, err)
	r, err := c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k", PossiblyApplied: true})
	require.NoError(t, err)
	assert.True(t, r.ConfirmedByRetry)

	_, err = c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}, PossiblyApplied: []uint64{9}})
	assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
}

// TestOneWordForFailed: three lost answers are three unknowns in every
// count (Summary, PartialError), never "failed" in one and not the other.
func TestOneWordForFailed(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#lost", 1, 2, 3)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithRetry(chatrecall.NoRetry()))
	require.NoError(t, err)
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#lost", MsgSeqs: []uint64{1, 2, 3}})
	var pe *chatrecall.PartialError
	require.ErrorAs(t, err, &pe)
	sum := res.Summary()
	assert.Equal(t, chatrecall.Summary{Total: 3, Unknown: 3}, sum)
	assert.Equal(t, [4]int{3, 0, 3, 0}, [4]int{pe.NotDone, pe.Failed, pe.Unknown, pe.NotSent})
	assert.Equal(t, sum.Failed, pe.Failed)
	assert.Contains(t, err.Error(), "3 of 3 items not recalled (0 failed, 3 outcome unknown, 0 not sent)")
}

package chatrecall

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall/internal/redact"
	"github.com/chatrecall/chatrecall/internal/tpnsauth"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const c2cURL = sgpHost + "/v4/openim/admin_msgwithdraw"

// replies answers the n-th request with bodies[n-1]; an empty body stands
// for a connection dropped after sending.
func replies(bodies ...string) func(n int, req sentRequest) (*http.Response, error) {
	return func(n int, req sentRequest) (*http.Response, error) {
		b := bodies[min(n, len(bodies))-1]
		if b == "" {
			return nil, io.ErrUnexpectedEOF
		}
		return jsonResponse(200, b)
	}
}

// TestEachAttemptDecodesAFreshValue: 91000, then an OK without ErrorCode,
// then 20023. The second answer is the outcome: recalled. A reused
// response value would keep 91000 from the first.
func TestEachAttemptDecodesAFreshValue(t *testing.T) {
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", c2cURL, rec.responder(replies(
		`{"ActionStatus":"FAIL","ErrorCode":91000,"ErrorInfo":"internal"}`,
		`{"ActionStatus":"OK"}`,
		`{"ActionStatus":"FAIL","ErrorCode":20023,"ErrorInfo":"already"}`)))
	c := newMockClient(t, mt, WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond}))
	require.NoError(t, errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "k"})))
	assert.Len(t, rec.all(), 2)
}

// TestTopLevelErrorCoversUnlistedItems: seqs 1-3, the first attempt lost
// after it may have applied, the second answers top-level 10030 listing only
// seqs 1 and 2. Seq 3 takes the top-level code, and "gone" after a possibly
// applied attempt confirms it, as for the listed ones.
func TestTopLevelErrorCoversUnlistedItems(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, (&recorder{}).responder(replies("",
		`{"ActionStatus":"FAIL","ErrorCode":10030,"ErrorInfo":"gone","RecallRetList":[{"MsgSeq":1,"RetCode":10030},{"MsgSeq":2,"RetCode":10030},{"MsgSeq":3,"RetCode":null}]}`)))
	c := newMockClient(t, mt, WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond}))
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3}})
	require.NoError(t, err)
	for _, it := range res.Items {
		assert.True(t, it.ConfirmedByRetry, "seq %d", it.MsgSeq)
	}

	// Without an earlier ambiguous attempt the same answer is a definite
	// "gone" for all three.
	mt2 := httpmock.NewMockTransport()
	mt2.RegisterResponder("POST", groupURL, (&recorder{}).responder(replies(
		`{"ActionStatus":"FAIL","ErrorCode":10030,"ErrorInfo":"gone","RecallRetList":[{"MsgSeq":1,"RetCode":10030}]}`)))
	res, err = newMockClient(t, mt2).RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3}})
	require.Error(t, err)
	for _, it := range res.Items {
		assert.ErrorIs(t, it.Err, ErrGone, "seq %d", it.MsgSeq)
		assert.NotErrorIs(t, it.Err, ErrOutcomeUnknown)
	}
}

// TestContradictionIsNeverGuessed: a seq listed twice with different codes
// is unknown whichever entry comes first.
func TestContradictionIsNeverGuessed(t *testing.T) {
	for _, list := range []string{
		`[{"MsgSeq":1,"RetCode":0},{"MsgSeq":1,"RetCode":10030}]`,
		`[{"MsgSeq":1,"RetCode":10030},{"MsgSeq":1,"RetCode":0}]`,
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", groupURL, (&recorder{}).responder(replies(`{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":`+list+`}`)))
		res, _ := newMockClient(t, mt).RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		assert.ErrorIs(t, res.Items[0].Err, ErrOutcomeUnknown, list)
	}
}

// TestRequestsCanBeReplayedByNetHTTP: every request carries GetBody (so a
// dead kept-alive connection is retried by net/http) and its own body.
func TestRequestsCanBeReplayedByNetHTTP(t *testing.T) {
	var bodies [][]byte
	c := newMockClient(t, httpmock.NewMockTransport(), WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		require.NotNil(t, r.GetBody)
		b1, _ := io.ReadAll(r.Body)
		rc, err := r.GetBody()
		require.NoError(t, err)
		b2, _ := io.ReadAll(rc)
		assert.Equal(t, b1, b2)
		bodies = append(bodies, b1)
		return nil, io.ErrUnexpectedEOF
	})}), WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond}))
	_, _ = c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	require.Len(t, bodies, 2)
	assert.Equal(t, bodies[0], bodies[1])
	assert.NotSame(t, &bodies[0][0], &bodies[1][0], "each attempt owns its bytes")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFailoverDoesNotFlap: a failure on the backup while the primary is in
// its cool-down keeps traffic on the backup.
func TestFailoverDoesNotFlap(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	h, err := newHostSet(RegionSingapore, "", "", clock, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, h.primary, h.pick())
	assert.True(t, h.failed(h.primary))
	assert.Equal(t, h.backup, h.pick())
	assert.False(t, h.failed(h.backup))
	assert.Equal(t, h.backup, h.pick(), "still in the primary's cool-down")
	clock.Advance(time.Minute + time.Second)
	assert.Equal(t, h.primary, h.pick(), "the primary is tried again after its cool-down")
}

// TestSecretsAreRedactedBeforeTheCut: a secret straddling the 200-byte
// excerpt leaves no part of itself.
func TestSecretsAreRedactedBeforeTheCut(t *testing.T) {
	for _, offset := range []int{0, 150, 180, 195} {
		mt := httpmock.NewMockTransport()
		var sig string
		mt.RegisterResponder("POST", groupURL, func(r *http.Request) (*http.Response, error) {
			sig = r.URL.Query().Get("usersig")
			body := strings.Repeat("x", offset) + " key=" + testKey + " sig " + sig + " escaped " + r.URL.RawQuery
			return httpmock.NewStringResponse(502, body), nil
		})
		res, _ := newMockClient(t, mt).RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		var httpErr *HTTPError
		require.ErrorAs(t, res.Items[0].Err, &httpErr)
		assertNoFragment(t, httpErr.Excerpt, testKey, sig)
		assertNoFragment(t, res.Items[0].Err.Error(), testKey, sig)
	}
}

// TestTPNSDerivedSecretsNeverLeak: a gateway echoing the Authorization or
// Sign header, in an HTTP error and in err_msg, shows none of it: not in
// the error, the attempt hook or the debug log.
func TestTPNSDerivedSecretsNeverLeak(t *testing.T) {
	for _, auth := range []TPNSAuth{TPNSAuthSignature, TPNSAuthBasic} {
		for _, status := range []int{502, 200} {
			mt := httpmock.NewMockTransport()
			var echoed []string
			mt.RegisterResponder("POST", "https://api.tpns.tencent.com/v3/push/stop_push_msg", func(r *http.Request) (*http.Response, error) {
				h := r.Header.Get("Authorization") + " Sign=" + r.Header.Get("Sign")
				echoed = append(echoed, r.Header.Get("Sign"), strings.TrimPrefix(r.Header.Get("Authorization"), "Basic "))
				if status == 200 {
					return jsonResponse(200, `{"ret_code":1008003,"err_msg":"bad auth: `+h+`"}`)
				}
				return httpmock.NewStringResponse(status, "<html>gateway saw "+h+"</html>"), nil
			})
			var logs bytes.Buffer
			var hooked []string
			const secret = "1452fcebae9f3115ba794fb0fff2fd73"
			c, err := NewClient(Config{TPNS: &TPNSConfig{AccessID: "1500001048", SecretKey: secret, Region: TPNSGuangzhou, Auth: auth}},
				WithHTTPClient(&http.Client{Transport: mt}), WithRetry(NoRetry()), WithLogger(newDebugLogger(&logs)),
				WithAttemptHook(func(_ context.Context, a AttemptInfo) { hooked = append(hooked, a.Err.Error()) }))
			require.NoError(t, err)
			err = errOf(c.StopTPNSPush(context.Background(), "42"))
			require.Error(t, err)
			secrets := append([]string{secret, tpnsauth.BasicAuth("1500001048", secret)}, echoed...)
			for _, out := range append(hooked, err.Error(), logs.String()) {
				assertNoFragment(t, out, secrets...)
			}
		}
	}
}

// assertNoFragment fails when out holds redact.MinFragment characters of any
// secret.
func assertNoFragment(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		s = strings.TrimPrefix(s, "Basic ")
		for i := 0; i+redact.MinFragment <= len(s); i++ {
			if strings.Contains(out, s[i:i+redact.MinFragment]) {
				t.Errorf("leaked %q (part of a secret) in %q", s[i:i+redact.MinFragment], out)
				return
			}
		}
	}
}

// TestNilContextIsAnError: like net/http, a nil context is refused with an
// error, not a panic.
func TestNilContextIsAnError(t *testing.T) {
	c := newMockClient(t, httpmock.NewMockTransport())
	var nilCtx context.Context
	_, err := c.RecallGroupMessages(nilCtx, GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.RecallOfficialAccountMessages(nilCtx, OfficialAccountRecall{Account: "a", MsgKeys: []string{"k"}})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorIs(t, errOf(c.RecallC2CMessage(nilCtx, C2CRecall{From: "a", To: "b", MsgKey: "k"})), ErrInvalidRequest)
	assert.ErrorIs(t, errOf(c.RevokeChatPush(nilCtx, ChatPushRevoke{TaskID: "t"})), ErrInvalidRequest)
	var ve *ValidationError
	require.True(t, errors.As(errOf(c.RevokeChatPush(nilCtx, ChatPushRevoke{TaskID: "t"})), &ve))
	assert.Equal(t, "ctx", ve.Field)
}

func newDebugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestOptIntReadsJSONIntegers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{{"0", 0, true}, {"10030", 10030, true}, {"-1", -1, true}, {"1008004", 1008004, true},
		{"", 0, false}, {"-", 0, false}, {"1.5", 0, false}, {"1e3", 0, false}, {`"7"`, 0, false}} {
		var o optInt
		err := o.UnmarshalJSON([]byte(tt.in))
		assert.Equal(t, tt.ok, err == nil, tt.in)
		assert.Equal(t, tt.want, o.v, tt.in)
		assert.Equal(t, tt.ok, o.set, tt.in)
	}
	var o optInt
	require.NoError(t, o.UnmarshalJSON([]byte("null")))
	assert.False(t, o.set)
}

// TestMissingMockResponderIsNotSent: a request httpmock has no responder
// for never left the process: "not sent" (safe to send again), not
// "outcome unknown". A transport error that may have reached the peer
// stays unknown.
func TestMissingMockResponderIsNotSent(t *testing.T) {
	mt := httpmock.NewMockTransport()
	c := newMockClient(t, mt)
	err := errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"}))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNotSent, "%v", err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2}})
	require.Error(t, err)
	for _, it := range res.Items {
		assert.Equal(t, OutcomeNotSent, OutcomeOf(it.Err), "%v", it.Err)
	}

	mt.RegisterNoResponder(httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	err = errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"}))
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "a failure that may have reached the peer stays unknown: %v", err)
}

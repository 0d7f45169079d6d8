package chatrecall

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closeTracker is a response body that records being closed.
type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

// blockingBody is a response body whose Read waits for ctx to end.
type blockingBody struct{ ctx context.Context }

func (b blockingBody) Read([]byte) (int, error) { <-b.ctx.Done(); return 0, b.ctx.Err() }
func (b blockingBody) Close() error             { return nil }

// TestTransportDo: requests go straight to the RoundTripper, and what an
// http.Client would guarantee its caller still holds: errors wrapped in a
// *url.Error, a Body on every response, the caller's Client.Timeout over
// the whole exchange, and a response returned beside an error closed.
func TestTransportDo(t *testing.T) {
	const target = "https://console.tim.qq.com/v4/openim/admin_msgwithdraw?usersig=abc"
	leftOpen := &closeTracker{Reader: strings.NewReader("{}")}
	tests := []struct {
		name    string
		timeout time.Duration
		rt      roundTripFunc
		check   func(t *testing.T, resp *http.Response, err error)
	}{
		{
			name: "a nil response with a nil error is an error, not a panic",
			rt:   func(*http.Request) (*http.Response, error) { return nil, nil },
			check: func(t *testing.T, resp *http.Response, err error) {
				assert.Nil(t, resp)
				var ue *url.Error
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, "Post", ue.Op)
				assert.ErrorContains(t, err, "returned a nil *Response with a nil error")
			},
		},
		{
			name: "a response without a Body gets an empty one",
			rt: func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}, nil
			},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.Empty(t, b)
				assert.NoError(t, resp.Body.Close())
			},
		},
		{
			name: "a response returned beside an error is closed and dropped",
			rt: func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusOK, Body: leftOpen}, errors.New("broken transport")
			},
			check: func(t *testing.T, resp *http.Response, err error) {
				assert.Nil(t, resp)
				assert.ErrorContains(t, err, "broken transport")
				assert.True(t, leftOpen.closed)
			},
		},
		{
			name: "no redirect is followed: a 302 is the answer",
			rt: func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {"https://elsewhere.example/"}}, Body: http.NoBody}, nil
			},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusFound, resp.StatusCode)
			},
		},
		{
			name:    "the caller's Client.Timeout ends a transport that never answers",
			timeout: time.Nanosecond,
			rt: func(r *http.Request) (*http.Response, error) {
				<-r.Context().Done()
				return nil, r.Context().Err()
			},
			check: func(t *testing.T, resp *http.Response, err error) {
				assert.Nil(t, resp)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			},
		},
		{
			name:    "the caller's Client.Timeout also bounds reading the body",
			timeout: time.Nanosecond,
			rt: func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusOK, Body: blockingBody{r.Context()}}, nil
			},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				_, err = io.ReadAll(resp.Body)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				assert.NoError(t, resp.Body.Close())
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &transport{user: &http.Client{Transport: tt.rt, Timeout: tt.timeout}}
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader([]byte("{}")))
			require.NoError(t, err)
			resp, err := tr.do(req)
			tt.check(t, resp, err)
		})
	}
}

// TestHTTPSAnsweredByPlainHTTP: an https base URL that reaches a plain HTTP
// server says so (http.ErrSchemeMismatch), as http.Client would, and the
// request counts as not sent: no handshake completed.
func TestHTTPSAnsweredByPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("no request should be read")
	}))
	defer srv.Close()
	base := strings.Replace(srv.URL, "http://", "https://", 1)
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, BaseURL: base},
		WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	_, err = c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "k"})
	assert.ErrorIs(t, err, http.ErrSchemeMismatch)
	assert.ErrorIs(t, err, ErrNotSent)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

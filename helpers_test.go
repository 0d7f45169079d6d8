package chatrecall

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAppID = 1400000000
	testKey   = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	sgpHost   = "https://adminapisgp.im.qcloud.com"
)

// sentRequest is one request as a responder saw it.
type sentRequest struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// recorder answers with reply and keeps every request it saw.
type recorder struct {
	mu   sync.Mutex
	reqs []sentRequest
}

func (r *recorder) responder(reply func(n int, req sentRequest) (*http.Response, error)) httpmock.Responder {
	return func(h *http.Request) (*http.Response, error) {
		var body []byte
		if h.Body != nil {
			body, _ = io.ReadAll(h.Body)
		}
		s := sentRequest{Method: h.Method, URL: h.URL, Header: h.Header.Clone(), Body: body}
		r.mu.Lock()
		r.reqs = append(r.reqs, s)
		n := len(r.reqs)
		r.mu.Unlock()
		return reply(n, s)
	}
}

func (r *recorder) all() []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentRequest(nil), r.reqs...)
}

func jsonResponse(status int, body string) (*http.Response, error) {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", "application/json")
	return resp, nil
}

// newMockClient returns a client for the Singapore region whose requests go
// to mt. It has its own limiter buckets and no retries unless opts say so.
func newMockClient(t testing.TB, mt *httpmock.MockTransport, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithLimiter(NewLocalLimiter(nil)),
		WithRetry(NoRetry()),
	}
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore}, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// assertChatQuery checks the five query parameters of a Chat request.
func assertChatQuery(t *testing.T, u *url.URL, identifier string) {
	t.Helper()
	q := u.Query()
	assert.Len(t, q, 5, "exactly sdkappid, identifier, usersig, random, contenttype: %v", u.RawQuery)
	assert.Equal(t, strconv.Itoa(testAppID), q.Get("sdkappid"))
	assert.Equal(t, identifier, q.Get("identifier"))
	assert.Equal(t, "json", q.Get("contenttype"))
	_, err := strconv.ParseUint(q.Get("random"), 10, 32)
	assert.NoError(t, err, "random is a uint32: %q", q.Get("random"))
	_, err = VerifyUserSig(testAppID, testKey, identifier, q.Get("usersig"), time.Now())
	assert.NoError(t, err, "usersig verifies with the app key")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// errOf keeps the error of a single-item call.
func errOf(_ *Result, err error) error { return err }

package chatrecall

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
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertNoSecrets checks every rendering of v, and of every error in its
// chain, for the secret key and the client's current UserSig.
func assertNoSecrets(t *testing.T, c *Client, v any) {
	t.Helper()
	secrets := []string{testKey, "tpns-secret-value"}
	if c != nil && c.sig != nil {
		if cur := c.sig.cur.Load(); cur != nil {
			secrets = append(secrets, cur.sig, cur.escaped)
		}
	}
	var renders []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		renders = append(renders, fmt.Sprintf(verb, v))
	}
	if err, ok := v.(error); ok {
		for e := err; e != nil; e = errors.Unwrap(e) {
			renders = append(renders, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
			var ue *url.Error
			if errors.As(e, &ue) {
				renders = append(renders, ue.URL)
			}
		}
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "value", v)
	renders = append(renders, logged.String())
	for _, r := range renders {
		for _, s := range secrets {
			assert.NotContains(t, r, s)
		}
	}
}

func redactClient(t *testing.T, baseURL string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, BaseURL: baseURL},
		append([]Option{WithRetry(NoRetry()), WithLimiter(NewLocalLimiter(nil))}, opts...)...)
	require.NoError(t, err)
	return c
}

func recallOne(c *Client) error {
	_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	return err
}

func TestSecretsNeverLeakFromErrors(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		c := redactClient(t, "http://"+addr)
		err = recallOne(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.False(t, te.Sent, "refused: never sent")
		assertNoSecrets(t, c, err)
		var ue *url.Error
		require.ErrorAs(t, err, &ue, "the *url.Error is still there for callers")
		assert.Contains(t, ue.URL, "usersig=REDACTED")
	})
	t.Run("client timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body) // the server notices a hang-up only once the body is read
			<-r.Context().Done()
		}))
		defer srv.Close()
		c := redactClient(t, srv.URL, WithTimeout(50*time.Millisecond))
		err := recallOne(c)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "sent and unanswered")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Timeout())
		assertNoSecrets(t, c, err)
	})
	t.Run("HTTP 502 with an HTML body echoing the URL", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body><h1>502 Bad Gateway</h1><p>upstream of %s failed</p></body></html>", r.URL.String())
		}))
		defer srv.Close()
		c := redactClient(t, srv.URL)
		err := recallOne(c)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		assert.Contains(t, he.Excerpt, "<html>")
		assert.Contains(t, he.Excerpt, "usersig=REDACTED")
		assert.LessOrEqual(t, len(he.Excerpt), 220)
		assertNoSecrets(t, c, err)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"ActionStatus":"OK","ErrorCode":0,"echo":"%s"`, r.URL.RawQuery)
		}))
		defer srv.Close()
		c := redactClient(t, srv.URL)
		err := recallOne(c)
		var de *DecodeError
		require.ErrorAs(t, err, &de)
		assertNoSecrets(t, c, err)
	})
	t.Run("httpmock without a responder", func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		c := newMockClient(t, mt)
		err := recallOne(c)
		require.Error(t, err)
		assertNoSecrets(t, c, err)
	})
}

func TestSecretsNeverLeakFromValues(t *testing.T) {
	cfg := Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionChina,
		TPNS: &TPNSConfig{AccessID: "1500001048", SecretKey: "tpns-secret-value", Region: TPNSGuangzhou}}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	require.NoError(t, recallOneOffline(c))
	assertNoSecrets(t, c, cfg)
	assertNoSecrets(t, c, &cfg)
	assertNoSecrets(t, c, *cfg.TPNS)
	assertNoSecrets(t, c, cfg.TPNS)
	assertNoSecrets(t, c, c)
	assert.Contains(t, fmt.Sprintf("%#v", cfg), "SecretKey:REDACTED")
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "SDKAppID:1400000000")
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", cfg, "client", c)
	assert.Contains(t, logged.String(), "cfg.secret_key=REDACTED")
	assert.NotContains(t, logged.String(), testKey)
}

// recallOneOffline makes the client sign (so a UserSig is cached) without
// any network.
func recallOneOffline(c *Client) error {
	_, err := c.sig.get(context.Background())
	return err
}

func TestDebugLogsCarryNoSecrets(t *testing.T) {
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, r.URL.String())
	}))
	defer srv.Close()
	c := redactClient(t, srv.URL, WithLogger(logger), WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_ = recallOne(c)
	out := logged.String()
	assert.Contains(t, out, `"msg":"chatrecall attempt"`)
	assert.Contains(t, out, `"attempt":2`)
	assert.Contains(t, out, `"status":502`)
	assert.Contains(t, out, `"endpoint":"group_msg_recall"`)
	assert.NotContains(t, out, testKey)
	assert.NotContains(t, out, c.sig.cur.Load().sig)
	assert.NotContains(t, out, c.sig.cur.Load().escaped)
}

// A secret shorter than a fragment (a placeholder in a test) is hidden
// where it stands as itself, never inside every word that contains it.
func TestRedactShortSecret(t *testing.T) {
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: "x", BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	for _, tc := range []struct{ in, want string }{
		{"group does not exist: next text", "group does not exist: next text"},
		{"key=x&sdkappid=1", "key=REDACTED&sdkappid=1"},
		{"x", "REDACTED"},
		{"the key is x.", "the key is REDACTED."},
		{"xx box x1", "xx box x1"},
	} {
		assert.Equal(t, tc.want, c.redact(tc.in), tc.in)
	}
}

// TestRedactorFollowsNewUserSigs: the redactor is built once per set of
// secrets, and again when a new UserSig is issued, which it then hides.
func TestRedactorFollowsNewUserSigs(t *testing.T) {
	clock := &manualClock{now: time.Unix(1_700_000_000, 0)}
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, BaseURL: "http://127.0.0.1:1"}, WithClock(clock))
	require.NoError(t, err)
	first, err := c.sig.get(context.Background())
	require.NoError(t, err)
	r := c.redactor()
	assert.Same(t, r, c.redactor(), "built once")
	assert.Equal(t, "REDACTED", c.redact(first.sig))

	clock.Advance(time.Hour)
	c.sig.invalidate(first)
	second, err := c.sig.get(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, first.sig, second.sig)
	assert.NotSame(t, r, c.redactor(), "a new UserSig: built again")
	assert.Equal(t, "REDACTED REDACTED", c.redact(first.sig+" "+second.escaped))
}

package chatrecall

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// This file sends one attempt and reads its answer: net/http, traced so
// that "may have reached the service" is known rather than guessed, and
// the answer decoded into a fresh value.

// userAgent is the User-Agent of every request.
const userAgent = "chatrecall-go/" + Version

// readBufs holds the buffers responses are read into. A buffer that grew
// past maxPooledBuf (a large answer) is dropped, not kept: the pool would
// otherwise hold up to 1 MiB per buffer for the life of the process.
var readBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuf = 64 << 10

func releaseReadBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		readBufs.Put(b)
	}
}

// sendTrace records what net/http really did with a request: whether a
// connection was ever obtained, and whether writing the request failed.
type sendTrace struct {
	getConn  atomic.Bool // the transport asked for a connection (net/http is in use)
	gotConn  atomic.Bool // a connection was obtained (TCP and TLS done)
	wroteErr atomic.Bool // the last write of the request failed
	hooks    httptrace.ClientTrace
}

// newSendTrace returns a trace whose hooks record into itself.
func newSendTrace() *sendTrace {
	t := new(sendTrace)
	t.hooks = httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) {
			t.gotConn.Store(true)
			t.wroteErr.Store(false)
		},
		WroteRequest: func(w httptrace.WroteRequestInfo) { t.wroteErr.Store(w.Err != nil) },
	}
	return t
}

// reached reports whether a failed request may have reached the peer. With
// net/http's transport that is decided from what was written: no connection
// (DNS, connect, a TLS handshake that never completed) or a failed write
// means the peer never had the whole request. A transport that reports no
// trace events (a mock, a custom RoundTripper) is judged by its error: DNS,
// dial and TLS errors were not sent, nor was a request httpmock had no
// responder for, and so is an error that matches ErrNotSent (a
// RoundTripper that refuses without sending can say so).
func (t *sendTrace) reached(err error) bool {
	if errors.Is(err, ErrNotSent) {
		return false // the transport says it sent nothing
	}
	if t.getConn.Load() {
		return t.gotConn.Load() && !t.wroteErr.Load()
	}
	return !connectFailure(err) && !mockRefused(err)
}

// send POSTs body and decodes the answer into out. It is the one place
// requests leave; everything it returns is redacted.
func (c *Client) send(ctx context.Context, name string, attempt, items int, host, url string, header http.Header, body []byte, out response, extra []string) (a attemptResult) {
	observed := c.hooks.Attempt != nil || c.logger != nil
	var start time.Time
	if observed {
		start = time.Now()
	}
	status := 0
	defer func() {
		if observed {
			info := AttemptInfo{Endpoint: name, Attempt: attempt, Start: start, Items: items, Host: host, StatusCode: status,
				Sent: a.reached, Duration: time.Since(start), Err: a.err}
			if a.resp != nil {
				info.Code, _, _ = a.resp.result()
			}
			c.observe(ctx, info)
		}
	}()
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	tr := newSendTrace()
	actx = httptrace.WithClientTrace(actx, &tr.hooks)
	// A bytes.Reader body gives the request a GetBody, so net/http can
	// resend it on a fresh connection when a kept-alive one was dead before
	// anything was written.
	req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.preSend = &finalError{&TransportError{Endpoint: name, Host: host, Err: c.redactErr(err, extra)}}
		a.err = a.preSend
		return a
	}
	// The request's own header map, which NewRequestWithContext made, with
	// values of its own: a transport or a hook that changes them in place
	// changes this request only.
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{userAgent}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := c.transport.do(req)
	if err != nil {
		a.reached = tr.reached(err)
		a.maybe = a.reached
		a.err = &TransportError{Endpoint: name, Host: host, Sent: a.reached, cert: isCertificateError(err), Err: c.redactErr(err, extra)}
		return a
	}
	defer resp.Body.Close()
	a.reached = true
	status = resp.StatusCode
	// The response is read into a pooled buffer: it is decoded before
	// send returns, and every error keeps its own copy of an excerpt.
	buf := readBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer releaseReadBuf(buf)
	_, rerr := buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBytes+1))
	raw := buf.Bytes()
	if rerr != nil {
		a.maybe = true
		a.err = &TransportError{Endpoint: name, Host: host, Sent: true, Err: c.redactErr(rerr, extra)}
		return a
	}
	if status < 200 || status > 299 {
		httpErr := &HTTPError{Endpoint: name, StatusCode: status, Excerpt: c.redactExcerpt(string(raw), 200, extra...)}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			httpErr.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
			a.retryAfter = httpErr.RetryAfter
		}
		a.maybe = status >= 500 // a 5xx may come after the service acted
		a.err = httpErr
		return a
	}
	if len(raw) > maxResponseBytes {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: fmt.Errorf("response larger than %d bytes", maxResponseBytes)}
		return a
	}
	if err := json.Unmarshal(raw, out); err != nil {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: err}
		return a
	}
	code, info, ok := out.result()
	if !ok {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: errors.New("no error code in response")}
		return a
	}
	a.resp = out
	if code != 0 {
		a.err = &APIError{Endpoint: name, Code: code, Info: c.redactExcerpt(info, 1024, extra...), StatusCode: status}
	}
	return a
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// afterFailure drops an expired UserSig and switches domains after a
// failure to reach the primary.
func (c *Client) afterFailure(ctx context.Context, ep *endpoint, host string, sig *cachedSig, a attemptResult) {
	var apiErr *APIError
	if errors.As(a.err, &apiErr) && apiErr.Code == CodeUserSigExpired && sig != nil {
		c.sig.invalidate(sig)
		c.logInfo(ctx, "chatrecall: UserSig expired; renewing", ep.name, apiErr.Code)
	}
	var tErr *TransportError
	if errors.As(a.err, &tErr) && !tErr.Sent && ctx.Err() == nil && c.hosts.failed(host) {
		c.logInfo(ctx, "chatrecall: cannot reach "+host+"; switching domain", ep.name, 0)
	}
}

// stopError is BeforeAttempt's refusal: it stops the whole operation.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// finalError marks a failure no retry can mend.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

// transport sends through the caller's http.Client transport, or through
// http.DefaultTransport: a clone with more idle connections per host while
// http.DefaultTransport is what it was when the client was made, and
// http.DefaultTransport itself once something (httpmock.Activate, a tracing
// wrapper) replaced it.
type transport struct {
	user *http.Client
	snap http.RoundTripper
	own  *http.Transport
}

func (t *transport) base(rt http.RoundTripper) http.RoundTripper {
	switch {
	case rt != nil:
		return rt
	case t.own != nil && http.DefaultTransport == t.snap:
		return t.own
	}
	return http.DefaultTransport
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// do sends req and returns the answer, whatever its status. It is what
// http.Client.Do would do with redirects refused, without the Client: a
// Client's own work is following redirects (never wanted: a redirect would
// carry the signed URL to another host, and in a Referer), cookies (the
// APIs set none) and keeping a copy of every request's headers for those
// redirects. What a Client promises its callers is kept: the caller's
// Client.Timeout bounds the exchange, body included; a transport's error
// comes wrapped in a *url.Error; a response always has a Body.
func (t *transport) do(req *http.Request) (*http.Response, error) {
	var rt http.RoundTripper
	var cancel context.CancelFunc
	if t.user != nil {
		rt = t.user.Transport
		if t.user.Timeout > 0 {
			var ctx context.Context
			ctx, cancel = context.WithTimeout(req.Context(), t.user.Timeout)
			req = req.WithContext(ctx)
		}
	}
	rt = t.base(rt)
	resp, err := rt.RoundTrip(req)
	if err == nil && resp == nil {
		err = fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", rt)
	}
	if err != nil {
		if cancel != nil {
			cancel()
		}
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) && string(rh.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch // an https URL answered by plain HTTP
		}
		return nil, &url.Error{Op: "Post", URL: req.URL.String(), Err: err}
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	if cancel != nil {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	return resp, nil
}

// hostSet picks the domain of each Chat attempt: the primary, or the backup
// for a cool-down after the primary failed to resolve or connect.
type hostSet struct {
	scheme    string
	primary   string
	backup    string
	path      string
	clock     Clock
	cooldown  time.Duration
	downUntil atomic.Int64 // unix nanoseconds; 0: primary is up
}

func newHostSet(region Region, baseURL, field string, clock Clock, cooldown time.Duration) (*hostSet, error) {
	h := &hostSet{clock: clock, cooldown: cooldown}
	if baseURL == "" {
		if region == "" {
			return nil, errors.New("chatrecall: Config.Region is required (there is no default: an app's data lives in one region); or set Config.BaseURL")
		}
		h.scheme, h.primary, h.backup = "https", region.PrimaryDomain(), region.BackupDomain()
		return h, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("chatrecall: %s %q must be an http or https URL with a host and no query or user info", field, baseURL)
	}
	h.scheme, h.primary, h.path = u.Scheme, u.Host, strings.TrimRight(u.Path, "/")
	return h, nil
}

func (h *hostSet) pick() string {
	if h.backup != "" {
		if until := h.downUntil.Load(); until != 0 && h.clock.Now().UnixNano() < until {
			return h.backup
		}
	}
	return h.primary
}

// failed records a connect failure on host and reports whether the client
// switched domains because of it.
func (h *hostSet) failed(host string) bool {
	switch {
	case h.backup == "":
		return false
	case host == h.primary:
		h.downUntil.Store(h.clock.Now().Add(h.cooldown).UnixNano())
		return true
	}
	// The backup fails too. Going back to a primary still in its cool-down
	// would flap between two failing hosts; the primary is tried again when
	// its cool-down ends.
	return false
}

package chatrecall

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// RetryPolicy says how the client retries a failed attempt. Only failures
// that may pass are retried: network errors, HTTP 5xx, 408 and 429, and the
// service codes documented as temporary or rate limiting. Invalid input,
// authentication, permission and not-found answers are final at once. Every
// attempt is signed again (a fresh random; a fresh UserSig after 70001).
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included. 1 turns
	// retries off. Zero means the default, 3.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the wait before attempt n: a uniformly
	// random duration in [0, min(MaxDelay, BaseDelay*2^(n-2))) ("full
	// jitter"). Zero means the defaults, 100ms and 2s.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Budget caps retries across the whole client: each retry spends one
	// token and each success earns back half of one, up to Budget tokens.
	// When the service is failing most calls, the budget runs dry and calls
	// fail after their first attempt instead of multiplying the load. Zero
	// means the default, 100; a negative value means no budget.
	Budget int
}

// DefaultRetryPolicy returns the policy a client has unless WithRetry says
// otherwise: 3 attempts, 100ms to 2s full-jitter backoff, a budget of 100.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, Budget: 100}
}

// NoRetry returns a policy of a single attempt.
func NoRetry() RetryPolicy { return RetryPolicy{MaxAttempts: 1, Budget: -1} }

func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	d := DefaultRetryPolicy()
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
		return p, fmt.Errorf("chatrecall: WithRetry: MaxAttempts, BaseDelay and MaxDelay must not be negative, got %d, %s, %s", p.MaxAttempts, p.BaseDelay, p.MaxDelay)
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		return p, fmt.Errorf("chatrecall: WithRetry: MaxDelay (%s) is below BaseDelay (%s)", p.MaxDelay, p.BaseDelay)
	}
	if p.Budget == 0 {
		p.Budget = d.Budget
	}
	return p, nil
}

// delay is the full-jitter wait before attempt n (n >= 2).
func (p RetryPolicy) delay(n int) time.Duration {
	ceiling := p.BaseDelay
	for i := 2; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	if ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling)))
}

// retryBudget is a client-wide token bucket for retries.
type retryBudget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
}

func newRetryBudget(n int) *retryBudget {
	if n < 0 {
		return nil
	}
	return &retryBudget{tokens: float64(n), max: float64(n)}
}

func (b *retryBudget) take() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (b *retryBudget) earn() {
	if b == nil {
		return
	}
	b.mu.Lock()
	if b.tokens < b.max {
		b.tokens = min(b.max, b.tokens+0.5)
	}
	b.mu.Unlock()
}

// The classification of a failure, in one place: whether it may pass if
// tried again (retryable, retryableCode), whether it may come after the
// service acted (possiblyApplied), and whether every further request of the
// operation would meet it (fatal).

// possiblyApplied reports whether a service code may come back after the
// service applied the request: its own "internal error / timeout, retry"
// codes.
func possiblyApplied(endpoint string, code Code) bool { return codeIs(endpoint, code, ErrTemporary) }

// retryableCode reports whether a code is a refusal that may pass later
// (frequency limits), which the service answers before acting.
func retryableCode(endpoint string, code Code) bool {
	// Retrying 70050 within the minute only extends the lock-out.
	return code != CodeTooManyFailedVerifications && codeIs(endpoint, code, ErrRateLimited)
}

// codeIs reports whether code on endpoint matches the category cat.
func codeIs(endpoint string, code Code, cat error) bool {
	info, _ := lookupCode(endpoint, code)
	for _, c := range info.cats {
		if c == cat {
			return true
		}
	}
	return false
}

// fatal reports whether err failed the whole request in a way every other
// request of the operation would repeat. ep may be nil when the endpoint is
// not known (then its own whole-request codes are not consulted).
func fatal(ep *endpoint, err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		var httpErr *HTTPError
		return errors.As(err, &httpErr) && (httpErr.StatusCode == http.StatusUnauthorized || httpErr.StatusCode == http.StatusForbidden)
	}
	switch {
	case apiErr.Code == CodeUserSigExpired:
		return false // renewed and retried
	case apiErr.Code == CodeTooManyFailedVerifications, ep != nil && ep.has(ep.fatal, apiErr.Code):
		return true
	}
	return apiErr.Is(ErrAuth) || apiErr.Is(ErrPermission) || apiErr.Is(ErrServiceDisabled) ||
		apiErr.Code == CodeHTTPUnparseable || apiErr.Code == CodeBodyNotJSON || apiErr.Code == CodeResourcePathWrong ||
		apiErr.Code == CodeSDKAppIDMissing || apiErr.Code == CodeAccountNotString
}

// retryable reports whether a failed attempt may succeed if tried again.
func retryable(err error) bool {
	var (
		apiErr  *APIError
		httpErr *HTTPError
		tErr    *TransportError
		dErr    *DecodeError
		final   *finalError
	)
	switch {
	case errors.As(err, &final):
		return false
	case errors.As(err, &apiErr):
		return apiErr.Retryable()
	case errors.As(err, &httpErr):
		return httpErr.Is(ErrTemporary) || httpErr.Is(ErrRateLimited)
	case errors.As(err, &tErr):
		return !tErr.cert && !isCertificateError(tErr.Err)
	case errors.As(err, &dErr):
		return true
	}
	return false
}

func isCertificateError(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
	)
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

// mockRefused reports whether a mocking transport refused the request
// because nothing was registered for it: github.com/jarcoal/httpmock's
// NoResponderFound ("no responder found", alone or in its "mistake"
// variants). A mock sends nothing, so the outcome is "not sent", not
// unknown. The text is matched: the core module does not import httpmock.
func mockRefused(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), "no responder found") {
			return true
		}
	}
	return false
}

// connectFailure reports whether err happened before the request left:
// the name did not resolve, the connection was refused, or TLS failed.
func connectFailure(err error) bool {
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
	)
	if errors.As(err, &dnsErr) {
		return true
	}
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return isCertificateError(err)
}

// Repeats reports whether err is a failure that every further request of
// the same kind would meet again, whatever item it carried: the
// credentials or the app (a wrong key, a disabled service, HTTP 401 or 403,
// too many failed signature checks), a missing permission, a request the
// service cannot read, or the target itself (a group or official account
// that does not exist or cannot recall). Sending more only adds failures,
// and may trip the service's lockout for bad signatures.
//
// Multi-item calls already stop at such a failure: the items not sent end
// with ErrNotSent and PartialError.Cause holds the failure (Repeats of the
// PartialError is Repeats of its Cause). A loop of single-item calls, one
// RecallC2CMessage per message, should stop on it too. An expired UserSig
// does not repeat (the client signs anew); item failures (not found,
// already recalled), rate limits, timeouts and a cancelled context do not.
func Repeats(err error) bool {
	var partial *PartialError
	if errors.As(err, &partial) {
		return partial.Cause != nil && Repeats(partial.Cause)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fatal(endpointNamed(apiErr.Endpoint), err)
	}
	return fatal(nil, err)
}

package chatrecall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client. Options check their input: NewClient fails
// with a message naming the option when one is given a bad value.
type Option func(*settings) error

type settings struct {
	httpClient  *http.Client
	timeout     time.Duration
	logger      *slog.Logger
	clock       Clock
	retry       RetryPolicy
	limiter     Limiter
	limits      map[string]limitSpec
	concurrency int
	sigTTL      time.Duration
	hooks       Hooks
	cooldown    time.Duration
}

// WithHTTPClient sets the HTTP client requests are sent with: its Transport
// (read at each request, so httpmock.ActivateNonDefault(hc) works before or
// after NewClient) and its Timeout, which applies on top of WithTimeout.
// Redirects are never followed, whatever hc.CheckRedirect says: a redirect
// would carry the signed URL to another host (and in its Referer), so a 3xx
// answer is reported as an *HTTPError instead.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("chatrecall: WithHTTPClient: client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt (default 10 s). The service itself gives
// up after about 3 s, so values under that turn slow successes into
// failures of unknown outcome.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("chatrecall: WithTimeout: timeout must be positive, got %s", d)
		}
		s.timeout = d
		return nil
	}
}

// WithLogger sets a logger. Each attempt is logged at debug level (endpoint,
// attempt, host, status, code, duration); renewals and failovers at info.
// Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("chatrecall: WithLogger: logger is nil")
		}
		s.logger = l
		return nil
	}
}

// WithClock sets the clock used for UserSig times, renewals, backoff waits,
// rate limiting and failover cool-downs. A client with its own clock gets its
// own rate-limit buckets, not the process-wide ones.
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("chatrecall: WithClock: clock is nil")
		}
		s.clock = c
		return nil
	}
}

// WithRetry sets the retry policy. WithRetry(NoRetry()) turns retries off.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		p, err := p.withDefaults()
		if err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithRateLimit tells the client the service's frequency limit for one
// endpoint (an Endpoint constant) when it differs from the documented one,
// for example after buying a paid add-on: at most n calls per period. The
// client paces itself at DefaultLimitFactor of it, as it does for the
// documented limits. chatrecalltest.WithRateLimit takes the same arguments
// for the fake's side.
func WithRateLimit(endpoint string, n int, per time.Duration) Option {
	return func(s *settings) error {
		if !knownEndpoints[endpoint] {
			return fmt.Errorf("chatrecall: WithRateLimit: unknown endpoint %q", endpoint)
		}
		if n < 1 || per <= 0 {
			return fmt.Errorf("chatrecall: WithRateLimit: %s: need at least 1 call per a positive period, got %d per %s", endpoint, n, per)
		}
		l := serviceLimit{n, per}.pace()
		s.limits[endpoint] = l
		if endpoint == EndpointTPNSPush {
			s.limits[endpointTPNSPushBroadcast] = l
		}
		return nil
	}
}

// WithoutRateLimits turns the client-side pacing off for every endpoint:
// for a fake service without limits (chatrecalltest.WithoutRateLimits), or
// a dry run. Against the real service, calls over its limits are refused.
func WithoutRateLimits() Option {
	return func(s *settings) error {
		for ep := range s.limits {
			s.limits[ep] = limitSpec{rate.Inf, 0}
		}
		return nil
	}
}

// WithLimiter replaces the in-process limiter, for example with one shared
// through Redis (package redislimit).
func WithLimiter(l Limiter) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("chatrecall: WithLimiter: limiter is nil")
		}
		s.limiter = l
		return nil
	}
}

// WithConcurrency sets how many requests of one multi-item recall may be in
// flight at once (default 4).
func WithConcurrency(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("chatrecall: WithConcurrency: need at least 1, got %d", n)
		}
		s.concurrency = n
		return nil
	}
}

// WithUserSigTTL sets the validity of the admin UserSig the client makes
// from Config.SecretKey (default 24 h). It is renewed after 3/4 of it.
func WithUserSigTTL(d time.Duration) Option {
	return func(s *settings) error {
		if d < time.Minute {
			return fmt.Errorf("chatrecall: WithUserSigTTL: need at least 1m, got %s", d)
		}
		s.sigTTL = d
		return nil
	}
}

// WithFailoverCooldown sets how long the client uses the backup domain after
// the primary failed to resolve or connect (default 1 minute).
func WithFailoverCooldown(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("chatrecall: WithFailoverCooldown: need a positive duration, got %s", d)
		}
		s.cooldown = d
		return nil
	}
}

// AttemptInfo describes one HTTP attempt, for metrics and tracing.
type AttemptInfo struct {
	Endpoint   string        // an Endpoint constant
	Attempt    int           // 1 for the first attempt
	Start      time.Time     // when the attempt was sent
	Items      int           // items the request carried (1 for single-item endpoints)
	Host       string        // the host called
	StatusCode int           // HTTP status, 0 when no response arrived
	Code       Code          // the service's error code, 0 on success or when none was read
	Sent       bool          // the request may have reached the service
	Duration   time.Duration // from sending to the end of reading the response
	Err        error         // nil on success; secrets already redacted
}

// WithAttemptHook calls fn after every attempt, on the calling goroutine.
// It is the place to export metrics or trace spans without wrapping the
// transport; fn must be quick and safe for concurrent use.
func WithAttemptHook(fn func(context.Context, AttemptInfo)) Option {
	return func(s *settings) error {
		if fn == nil {
			return errors.New("chatrecall: WithAttemptHook: hook is nil")
		}
		s.hooks = s.hooks.and(Hooks{Attempt: fn})
		return nil
	}
}

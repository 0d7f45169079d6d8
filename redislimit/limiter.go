// Package redislimit shares chatrecall's client-side rate limits across
// processes through Redis, so a fleet of replicas stays under limits that
// Tencent applies per app: timpush/revoke allows 1 call per second for the
// whole SDKAppID, not per process.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	client, err := chatrecall.NewClient(cfg, chatrecall.WithLimiter(redislimit.New(rdb)))
//
// Each app and endpoint has one key, "rate:<prefix><SDKAppID>:<endpoint>"
// (redis_rate adds "rate:"), such as "rate:chatrecall:1400000000:timpush/revoke", limited
// with GCRA (github.com/go-redis/redis_rate): one atomic Lua script per
// call, no clocks to agree on but Redis's own.
//
// # When Redis is unreachable
//
// By default the limiter falls back to an in-process limit with the same
// figures and logs a warning (at most once a minute): calls go on, paced per
// process rather than per fleet, so a large fleet may meet the service's own
// limit (60007, 90051) until Redis is back, and the client retries those.
// WithFailClosed makes Wait return ErrUnavailable instead, so no call is sent
// unpaced.
//
// A Redis that fails (refuses, or accepts connections and never answers)
// costs one failed call, then the limiter does not ask it again for a
// cool-down (WithCooldown, 30 s by default): every wait in between goes to
// the fallback at once instead of stalling for Redis's timeout. After the
// cool-down one call tries Redis again.
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/chatrecall/chatrecall"
)

// DefaultPrefix is prepended to every key unless WithPrefix says otherwise.
const DefaultPrefix = "chatrecall:"

// ErrUnavailable is returned by Wait with WithFailClosed when Redis cannot
// be asked. It matches chatrecall.ErrTemporary.
var ErrUnavailable = fmt.Errorf("redislimit: Redis is unreachable and the limiter fails closed: %w", chatrecall.ErrTemporary)

// Limiter is a chatrecall.Limiter backed by Redis. It is safe for
// concurrent use.
type Limiter struct {
	rl         *redis_rate.Limiter
	prefix     string
	failClosed bool
	fallback   chatrecall.Limiter
	logger     *slog.Logger
	clock      chatrecall.Clock

	cooldown time.Duration

	mu       sync.Mutex
	lastWarn time.Time
	// downUntil: Redis failed; until then it is not asked.
	downUntil time.Time
}

// DefaultCooldown is how long Redis is not asked after it failed.
const DefaultCooldown = 30 * time.Second

// Option configures a Limiter.
type Option func(*Limiter)

// WithPrefix sets the key prefix (default DefaultPrefix).
func WithPrefix(p string) Option { return func(l *Limiter) { l.prefix = p } }

// WithFailClosed makes Wait fail with ErrUnavailable while Redis is
// unreachable, instead of falling back to the in-process limit.
func WithFailClosed() Option { return func(l *Limiter) { l.failClosed = true } }

// WithFallback sets the limiter used while Redis is unreachable (default:
// chatrecall.NewLocalLimiter(nil)).
func WithFallback(f chatrecall.Limiter) Option { return func(l *Limiter) { l.fallback = f } }

// WithLogger sets where fallback warnings go (default slog.Default()).
func WithLogger(lg *slog.Logger) Option { return func(l *Limiter) { l.logger = lg } }

// WithCooldown sets how long Redis is not asked after it failed (default
// DefaultCooldown).
func WithCooldown(d time.Duration) Option { return func(l *Limiter) { l.cooldown = d } }

// WithClock sets the clock used for the waits between tries and the
// cool-down (default: the system clock).
func WithClock(c chatrecall.Clock) Option { return func(l *Limiter) { l.clock = c } }

// New returns a Limiter on rdb: a *redis.Client, *redis.ClusterClient or
// *redis.Ring.
func New(rdb redis.UniversalClient, opts ...Option) *Limiter {
	l := &Limiter{
		rl:       redis_rate.NewLimiter(rdb),
		prefix:   DefaultPrefix,
		logger:   slog.Default(),
		clock:    chatrecall.SystemClock(),
		cooldown: DefaultCooldown,
	}
	for _, o := range opts {
		o(l)
	}
	if l.fallback == nil {
		l.fallback = chatrecall.NewLocalLimiter(l.clock)
	}
	return l
}

// Wait blocks until the app's budget for req.Endpoint allows a call, or ctx
// ends. Between tries it sleeps for the time Redis says the next slot is
// away.
func (l *Limiter) Wait(ctx context.Context, req chatrecall.LimitRequest) error {
	if req.Limit == rate.Inf {
		return nil
	}
	if req.Limit <= 0 || req.Burst < 1 {
		return fmt.Errorf("redislimit: %s: limit %g/s with burst %d can never allow a call", req.Endpoint, float64(req.Limit), req.Burst)
	}
	// GCRA with one event per emission interval expresses any rate,
	// fractional ones (0.975/s) included.
	limit := redis_rate.Limit{Rate: 1, Burst: req.Burst, Period: time.Duration(float64(time.Second) / float64(req.Limit))}
	key := l.prefix + req.Key
	for {
		if l.down() {
			return l.unavailable(ctx, req, errors.New("redis failed lately; not asked again until its cool-down ends"))
		}
		res, err := l.rl.Allow(ctx, key, limit)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.trip()
			return l.unavailable(ctx, req, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		wait := res.RetryAfter
		if wait <= 0 {
			wait = time.Millisecond
		}
		if err := l.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// down reports whether Redis is in its cool-down.
func (l *Limiter) down() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.downUntil.IsZero() && l.clock.Now().Before(l.downUntil)
}

// trip starts a cool-down.
func (l *Limiter) trip() {
	l.mu.Lock()
	l.downUntil = l.clock.Now().Add(l.cooldown)
	l.mu.Unlock()
}

// unavailable is a wait while Redis cannot be asked: the fallback, or
// ErrUnavailable when the limiter fails closed.
func (l *Limiter) unavailable(ctx context.Context, req chatrecall.LimitRequest, err error) error {
	if l.failClosed {
		return fmt.Errorf("redislimit: %s: %v: %w", req.Endpoint, err, ErrUnavailable)
	}
	l.warn(err)
	return l.fallback.Wait(ctx, req)
}

func (l *Limiter) warn(err error) {
	l.mu.Lock()
	now := l.clock.Now()
	due := l.lastWarn.IsZero() || now.Sub(l.lastWarn) >= time.Minute
	if due {
		l.lastWarn = now
	}
	l.mu.Unlock()
	if due {
		l.logger.Warn("redislimit: Redis unreachable; pacing calls per process until it is back", slog.String("error", err.Error()))
	}
}

// Reset forgets the budget of one key (an app and endpoint), as tests and
// operators sometimes need.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if err := l.rl.Reset(ctx, l.prefix+key); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	return nil
}

package chatrecall

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultLimitFactor is the share of each documented frequency limit the
// client uses by default. The service counts calls per second of its own
// clock; sending at exactly the documented rate lets network jitter push an
// occasional call into a full second and have it rejected. 97.5% keeps a
// margin of 5 calls per second at 200/s and costs 2.5% of throughput.
const DefaultLimitFactor = 0.975

// LimitRequest is one call's request for permission to proceed. Key
// identifies the budget (one per app and endpoint); Limit and Burst say how
// large it is.
type LimitRequest struct {
	Key string // App + ":" + Endpoint, such as "1400000000:group_msg_recall"
	App string // the SDKAppID, or "tpns:" + AccessID for TPNS; with "@" + host when Config.BaseURL is set

	Endpoint string     // an Endpoint constant
	Limit    rate.Limit // events per second
	Burst    int        // events allowed at once
}

// Limiter paces calls before they are sent. The client calls Wait once per
// attempt (retries included) with the limit configured for that endpoint.
// Wait blocks until the call may proceed, or returns the context's error when
// it ends first. Implementations must be safe for concurrent use. The default
// is an in-process limiter shared by every Client in the process that has
// the same app, endpoint and limit; redislimit shares it across a fleet.
type Limiter interface {
	Wait(ctx context.Context, req LimitRequest) error
}

// LimiterFunc adapts a function to the Limiter interface.
type LimiterFunc func(ctx context.Context, req LimitRequest) error

// Wait calls f.
func (f LimiterFunc) Wait(ctx context.Context, req LimitRequest) error { return f(ctx, req) }

// limitSpec is the limit configured for one endpoint of one client.
type limitSpec struct {
	limit rate.Limit
	burst int
}

// serviceLimit is a frequency limit as the service states it: n calls per
// period.
type serviceLimit struct {
	n   int
	per time.Duration
}

// pace turns a service limit into the client's token bucket: DefaultLimitFactor
// of the rate, and a burst that gives back slots a waiter claimed late (many
// waiters wake together) while the burst plus the paced calls stay under n in
// any one period: 3 for 200 per second (3 + 195 < 200), 1 for 1 per second.
func (l serviceLimit) pace() limitSpec {
	r := rate.Limit(float64(l.n) / l.per.Seconds() * DefaultLimitFactor)
	burst := max(1, min(5, int(float64(l.n)*(1-DefaultLimitFactor))-2))
	return limitSpec{r, burst}
}

func defaultLimits() map[string]limitSpec {
	m := make(map[string]limitSpec, len(knownEndpoints)+1)
	for ep := range knownEndpoints {
		m[ep] = limitSpec{rate.Inf, 0}
	}
	m[endpointTPNSPushBroadcast] = limitSpec{rate.Inf, 0}
	for ep, l := range documentedLimits {
		m[ep] = l.pace()
	}
	return m
}

// DocumentedLimit returns the service's documented frequency limit for
// endpoint in calls per second (rate.Inf where none is documented). The
// client defaults to DefaultLimitFactor of it.
func DocumentedLimit(endpoint string) rate.Limit {
	if l, ok := documentedLimits[endpoint]; ok {
		return rate.Limit(float64(l.n) / l.per.Seconds())
	}
	return rate.Inf
}

// LocalLimiter is an in-process Limiter: one token bucket
// (golang.org/x/time/rate) per key. It reads time from its Clock, so tests
// can drive it without sleeping.
type LocalLimiter struct {
	clock   Clock
	mu      sync.RWMutex
	buckets map[bucketKey]*rate.Limiter
}

type bucketKey struct {
	key   string
	limit rate.Limit
	burst int
}

// NewLocalLimiter returns an in-process limiter with its own buckets. A nil
// clock means the system clock. Clients get a process-wide one by default;
// give a client its own with WithLimiter(NewLocalLimiter(nil)).
func NewLocalLimiter(clock Clock) *LocalLimiter {
	if clock == nil {
		clock = SystemClock()
	}
	return &LocalLimiter{clock: clock, buckets: map[bucketKey]*rate.Limiter{}}
}

func (l *LocalLimiter) bucket(req LimitRequest) *rate.Limiter {
	k := bucketKey{req.Key, req.Limit, req.Burst}
	l.mu.RLock()
	lim := l.buckets[k]
	l.mu.RUnlock()
	if lim != nil {
		return lim
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim = l.buckets[k]; lim == nil {
		if len(l.buckets) >= maxIdleSweep {
			l.dropIdle()
		}
		lim = rate.NewLimiter(req.Limit, req.Burst)
		l.buckets[k] = lim
	}
	return lim
}

// maxIdleSweep is how many buckets a LocalLimiter holds before it drops the
// idle ones: a process that talks to many hosts (tests against many fakes)
// would otherwise keep a bucket for each forever.
const maxIdleSweep = 1024

// dropIdle forgets every bucket that is full: one made again starts full,
// so nothing is lost. l.mu must be held.
func (l *LocalLimiter) dropIdle() {
	now := l.clock.Now()
	for k, lim := range l.buckets {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(l.buckets, k)
		}
	}
}

// Buckets returns how many buckets the limiter holds.
func (l *LocalLimiter) Buckets() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.buckets)
}

// sharedLimiter is the limiter every client that uses the system clock and
// no limiter of its own shares, so two clients of one app share the app's
// budget. It is made once and cannot be replaced.
var sharedLimiter = sync.OnceValue(func() *LocalLimiter { return NewLocalLimiter(nil) })

// Wait blocks until the bucket for req.Key has a token or ctx ends.
func (l *LocalLimiter) Wait(ctx context.Context, req LimitRequest) error {
	if req.Limit == rate.Inf {
		return nil
	}
	lim := l.bucket(req)
	now := l.clock.Now()
	if lim.AllowN(now, 1) {
		return nil // the common case, without allocating a reservation
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("chatrecall: rate limit for %s (%g/s, burst %d) can never allow a call", req.Endpoint, float64(req.Limit), req.Burst)
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := l.clock.Sleep(ctx, d); err != nil {
		r.CancelAt(l.clock.Now())
		return err
	}
	return nil
}

func limitKey(app, endpoint string) string { return app + ":" + endpoint }

func chatApp(id uint64) string { return strconv.FormatUint(id, 10) }

// Clock is the client's source of time. Inject one with WithClock to test
// renewals, cool-downs and waits without sleeping; chatrecalltest.Clock is a
// manual one.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx.Err() as soon as ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

// SystemClock returns the Clock that reads the real time.
func SystemClock() Clock { return systemClock{} }

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

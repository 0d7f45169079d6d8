package sweep

import (
	"context"
	"math"
	"sync"
	"time"
)

// gate keeps enough calls to one endpoint in flight to reach its rate limit
// at whatever the round trip is, and no more than that needs. It starts
// small, sizes itself from the first round trips (measured before any
// queueing at the client's limiter), and grows while every slot is busy
// yet the calls finish below the limit. The client's limiter still paces
// every call: the gate only decides how many wait for it.
type gate struct {
	rate float64 // calls per second the client allows; 0 when it does not pace
	most int

	mu      sync.Mutex
	size    int // calls allowed in flight
	busy    int
	peak    int // the most in flight at once, for reports
	samples int
	waiters []chan struct{} // first come, first served: a reader emits in order
	winFrom time.Time       // throughput window
	winDone int
	winFull bool // every slot was busy at some completion in the window
}

// fixedInFlight is the window when the client does not pace the endpoint
// (no limit to reach).
const fixedInFlight = 8

func newGate(rate float64, most int) *gate {
	g := &gate{rate: rate, most: most, size: min(4, most)}
	if rate <= 0 || math.IsInf(rate, 1) {
		g.rate, g.size = 0, min(fixedInFlight, most)
	}
	return g
}

// acquire waits for a slot, in order of arrival, and returns when the
// call started.
func (g *gate) acquire(ctx context.Context) (time.Time, error) {
	g.mu.Lock()
	if g.busy < g.size && len(g.waiters) == 0 {
		g.take()
		g.mu.Unlock()
		return time.Now(), nil
	}
	ch := make(chan struct{})
	g.waiters = append(g.waiters, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return time.Now(), nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, w := range g.waiters {
			if w == ch {
				g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
				return time.Time{}, ctx.Err()
			}
		}
		// Granted meanwhile: give the slot back.
		g.busy--
		g.grant()
		return time.Time{}, ctx.Err()
	}
}

func (g *gate) take() {
	g.busy++
	g.peak = max(g.peak, g.busy)
}

// grant hands free slots to the oldest waiters (g.mu held).
func (g *gate) grant() {
	for len(g.waiters) > 0 && g.busy < g.size {
		g.take()
		close(g.waiters[0])
		g.waiters[0] = nil
		g.waiters = g.waiters[1:]
	}
}

// release frees the slot of a call that started at start, and resizes.
func (g *gate) release(start time.Time) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	full := g.busy >= g.size
	g.busy--
	if g.rate > 0 {
		g.resize(now, now.Sub(start), full)
	}
	g.grant()
}

func (g *gate) resize(now time.Time, rtt time.Duration, full bool) {
	// The first calls go out before anything queues at the limiter: their
	// round trip is the network's. Enough in flight to fill the rate over
	// that round trip, with a margin.
	if g.samples < 4 {
		g.samples++
		g.size = min(g.most, max(g.size, int(math.Ceil(g.rate*rtt.Seconds()*1.3))+2))
	}
	if g.winFrom.IsZero() {
		g.winFrom = now
	}
	g.winDone++
	g.winFull = g.winFull || full
	if el := now.Sub(g.winFrom); el >= 250*time.Millisecond && g.winDone >= 8 {
		// Every slot busy, yet below the limit: the round trip is longer
		// than the window covers.
		if g.winFull && float64(g.winDone)/el.Seconds() < 0.9*g.rate {
			g.size = min(g.most, g.size+g.size/2+1)
		}
		g.winFrom, g.winDone, g.winFull = now, 0, false
	}
}

// window returns how many calls the gate lets through at once now.
func (g *gate) window() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.size
}

// inFlight returns the most calls the gate has had in flight at once.
func (g *gate) inFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

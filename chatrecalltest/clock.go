package chatrecalltest

import (
	"context"
	"sync"
	"time"
)

// Clock is a manual clock. It implements chatrecall.Clock, so one Clock can
// drive both a Server (WithClock) and a Client (chatrecall.WithClock): time
// moves only when a test says so, and Sleep returns at once after moving it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Sleep advances the clock by d and returns, or returns ctx.Err() if ctx
// has ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

package chatrecall

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdleBucketsAreDropped: a limiter that has seen many keys keeps only
// the buckets still in use.
func TestIdleBucketsAreDropped(t *testing.T) {
	clock := &manualClock{now: time.Unix(1_700_000_000, 0)}
	l := NewLocalLimiter(clock)
	ctx := context.Background()
	for i := range 5000 {
		require.NoError(t, l.Wait(ctx, LimitRequest{Key: strconv.Itoa(i), Limit: 200, Burst: 3}))
		clock.Advance(time.Second) // each key idle again by the next
	}
	assert.LessOrEqual(t, l.Buckets(), maxIdleSweep)
	// A bucket in use is kept: its budget is not reset by the sweep.
	busy := LimitRequest{Key: "busy", Limit: 1, Burst: 1}
	require.NoError(t, l.Wait(ctx, busy))
	for i := range maxIdleSweep {
		require.NoError(t, l.Wait(ctx, LimitRequest{Key: "k" + strconv.Itoa(i), Limit: 200, Burst: 3}))
	}
	t0 := clock.Now()
	require.NoError(t, l.Wait(ctx, busy))
	assert.Equal(t, time.Second, clock.Now().Sub(t0), "the busy bucket still made the next call wait")
}

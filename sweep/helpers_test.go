package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fake starts a fake service without rate limits and a client for it,
// both on one manual clock, so waits take no time.
func fake(t testing.TB, opts ...chatrecalltest.Option) (*chatrecalltest.Server, *chatrecall.Client, *chatrecalltest.Clock) {
	t.Helper()
	clock := chatrecalltest.NewClock(epoch)
	srv := chatrecalltest.NewServer(append([]chatrecalltest.Option{chatrecalltest.WithoutRateLimits(), chatrecalltest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithClock(clock))
	require.NoError(t, err)
	return srv, client, clock
}

var bg = context.Background()

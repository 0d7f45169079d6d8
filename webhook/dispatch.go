package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// This file runs event functions after the answer, on a bounded pool of
// workers fed by a queue, so that a callback's connection is free for the
// next callback at once: Tencent keeps callback connections alive, and
// Go's server reads a connection's next request only once ServeHTTP has
// returned.

// Defaults of the dispatch pool (Config.Workers, Config.Queue).
const (
	DefaultWorkers = 16
	DefaultQueue   = 10_000
)

// ErrDispatchTimeout is the error of an event function that ran past
// Config.DispatchTimeout: its worker went on to the next event.
var ErrDispatchTimeout = errors.New("webhook: the event function ran past DispatchTimeout")

// job is one event waiting for a worker.
type job struct {
	r    *http.Request
	ev   Event
	meta Meta
	body []byte
}

// Wait returns once every callback accepted so far has been dispatched: its
// event function returned (or ran past DispatchTimeout). For tests, and for
// a graceful shutdown after the server stopped accepting callbacks.
func (h *Handler) Wait() { h.pool.wait() }

// dispatch runs the event function of j, bounded by DispatchTimeout. The
// context keeps the request's values but not its cancellation: Tencent
// hangs up once it has the answer, and that must not cut a ledger write
// short.
func (h *Handler) dispatch(j job) {
	fn := h.handlers[j.meta.Command]
	var ev Event = j.ev
	if fn == nil && h.other != nil {
		o, ok := j.ev.(*Other)
		if !ok {
			o = &Other{Meta: j.meta, Body: j.body}
		}
		ev, fn = o, func(ctx context.Context, e Event) error { return h.other(ctx, e.(*Other)) }
	}
	var herr error
	if fn != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(j.r.Context()), h.cfg.DispatchTimeout)
		ended := make(chan error, 1)
		go func() { ended <- fn(ctx, ev) }()
		select {
		case herr = <-ended:
		case <-ctx.Done():
			herr = fmt.Errorf("%w (%s): %w", ErrDispatchTimeout, h.cfg.DispatchTimeout, ctx.Err())
		}
		cancel()
	}
	result := "dispatched"
	if j.meta.Repeat {
		result = "repeat"
	}
	done(j.r, Delivery{Result: result, Status: http.StatusOK, Err: herr})
	if herr != nil {
		h.count(func(s *Stats) { s.HandlerErrors++ })
		if h.cfg.Logger != nil {
			h.cfg.Logger.LogAttrs(j.r.Context(), slog.LevelError, "chatrecall webhook: handler failed", slog.String("command", j.meta.Command), slog.String("error", herr.Error()))
		}
	}
}

// overflow reports a callback answered but not dispatched: the queue was
// full. It is counted (Stats.Overflow), logged and observed, never silent.
func (h *Handler) overflow(j job) {
	h.count(func(s *Stats) { s.Overflow++ })
	if h.cfg.Logger != nil {
		h.cfg.Logger.LogAttrs(j.r.Context(), slog.LevelError, "chatrecall webhook: dispatch queue full; this callback was answered but not dispatched",
			slog.String("command", j.meta.Command), slog.Int("queue", h.cfg.Queue), slog.Int("workers", h.cfg.Workers))
	}
	done(j.r, Delivery{Result: "overflow", Status: http.StatusOK, Reason: "the dispatch queue is full"})
}

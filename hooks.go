package chatrecall

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Hooks observe what a client does, for metrics and tracing. Package
// github.com/chatrecall/chatrecall/otel wires them to OpenTelemetry; the core
// imports nothing for them. Every field is optional, and an unset hook costs
// nothing. Hooks must be quick and safe for concurrent use: a multi-item
// recall calls them from the goroutines of its requests.
type Hooks struct {
	// OperationStart is called when a method starts. The context it
	// returns is used for the rest of the call and is the one every other
	// hook of the call gets: a tracer puts the operation's span in it.
	OperationStart func(ctx context.Context, op Operation) context.Context
	// OperationEnd is called when the method returns.
	OperationEnd func(ctx context.Context, op Operation, end OperationEnd)
	// Attempt is called after every HTTP attempt.
	Attempt func(ctx context.Context, a AttemptInfo)
	// ItemOutcome is called once per item of a multi-item recall, as soon
	// as its outcome is final (before the method returns), and once for the
	// item of a single-item call, when it returns.
	ItemOutcome func(ctx context.Context, op Operation, it ItemOutcome)
	// LimiterWait is called after each wait for the rate limiter.
	LimiterWait func(ctx context.Context, w LimiterWait)
	// BeforeAttempt is called just before each attempt is sent (after the
	// limiter and signing), with the items it carries. An error stops the
	// operation without sending: the items not yet settled end "not sent"
	// (or unknown, when an earlier attempt may have applied them) with that
	// error as cause. It is a write-ahead point: a journal records the items
	// here, durably, before the request can take effect; a graceful stop
	// refuses new attempts here while attempts in flight complete.
	BeforeAttempt func(ctx context.Context, op Operation, a AttemptStart) error
}

// AttemptStart is an attempt about to be sent.
type AttemptStart struct {
	Endpoint string
	Attempt  int   // 1 for the first attempt of these items
	Items    []int // positions in the operation's input; do not keep or modify
}

// Operation is one method call, as the hooks see it.
type Operation struct {
	Method   string    // such as "RecallGroupMessages"
	Endpoint string    // the Endpoint constant of its requests
	Items    int       // items requested (1 for single-item calls)
	Start    time.Time // when the method started
}

// OperationEnd is how a call ended.
type OperationEnd struct {
	Duration time.Duration
	Err      error   // what the method returned; secrets already redacted
	Summary  Summary // items by outcome
}

// Outcome is the outcome of one item.
type Outcome int

// Outcomes of an item. Every requested item ends with exactly one.
const (
	OutcomeRecalled Outcome = iota + 1 // done (recalled, revoked, stopped...)
	OutcomeFailed                      // not done, with the service's reason
	OutcomeUnknown                     // ErrOutcomeUnknown: nobody can tell
	OutcomeNotSent                     // ErrNotSent: certainly took no effect
)

// String returns "recalled", "failed", "unknown" or "not_sent".
func (o Outcome) String() string {
	switch o {
	case OutcomeRecalled:
		return "recalled"
	case OutcomeFailed:
		return "failed"
	case OutcomeUnknown:
		return "unknown"
	case OutcomeNotSent:
		return "not_sent"
	}
	return "invalid"
}

// OutcomeOf classifies an item's error: nil is OutcomeRecalled.
func OutcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeRecalled
	case errors.Is(err, ErrOutcomeUnknown):
		return OutcomeUnknown
	case errors.Is(err, ErrNotSent):
		return OutcomeNotSent
	}
	return OutcomeFailed
}

// ItemOutcome is the final outcome of one item.
type ItemOutcome struct {
	Index     int // position in the input
	Outcome   Outcome
	Confirmed bool  // done, confirmed after an attempt whose answer was lost
	Err       error // nil when done
}

// LimiterWait is one wait for the rate limiter before an attempt.
type LimiterWait struct {
	Endpoint string
	Wait     time.Duration
	Err      error // the limiter's error (a cancelled context), if any
}

// WithHooks adds hooks to the client. It may be given more than once (and
// beside WithAttemptHook): every hook set runs, in the order given.
func WithHooks(h Hooks) Option {
	return func(s *settings) error {
		s.hooks = s.hooks.and(h)
		return nil
	}
}

// and returns hooks that run h's after a's.
func (a Hooks) and(b Hooks) Hooks {
	out := a
	if f, g := a.OperationStart, b.OperationStart; g != nil {
		out.OperationStart = g
		if f != nil {
			out.OperationStart = func(ctx context.Context, op Operation) context.Context { return g(f(ctx, op), op) }
		}
	}
	if f, g := a.OperationEnd, b.OperationEnd; g != nil {
		out.OperationEnd = g
		if f != nil {
			out.OperationEnd = func(ctx context.Context, op Operation, e OperationEnd) { f(ctx, op, e); g(ctx, op, e) }
		}
	}
	if f, g := a.Attempt, b.Attempt; g != nil {
		out.Attempt = g
		if f != nil {
			out.Attempt = func(ctx context.Context, i AttemptInfo) { f(ctx, i); g(ctx, i) }
		}
	}
	if f, g := a.ItemOutcome, b.ItemOutcome; g != nil {
		out.ItemOutcome = g
		if f != nil {
			out.ItemOutcome = func(ctx context.Context, op Operation, it ItemOutcome) { f(ctx, op, it); g(ctx, op, it) }
		}
	}
	if f, g := a.BeforeAttempt, b.BeforeAttempt; g != nil {
		out.BeforeAttempt = g
		if f != nil {
			out.BeforeAttempt = func(ctx context.Context, op Operation, s AttemptStart) error {
				if err := f(ctx, op, s); err != nil {
					return err
				}
				return g(ctx, op, s)
			}
		}
	}
	if f, g := a.LimiterWait, b.LimiterWait; g != nil {
		out.LimiterWait = g
		if f != nil {
			out.LimiterWait = func(ctx context.Context, w LimiterWait) { f(ctx, w); g(ctx, w) }
		}
	}
	return out
}

// begin starts an operation: it calls OperationStart when set.
func (c *Client) begin(ctx context.Context, method, endpoint string, items int) (context.Context, Operation) {
	if c.hooks.OperationStart == nil && c.hooks.OperationEnd == nil && c.hooks.ItemOutcome == nil && c.hooks.BeforeAttempt == nil {
		return ctx, Operation{}
	}
	op := Operation{Method: method, Endpoint: endpoint, Items: items, Start: time.Now()}
	if c.hooks.OperationStart != nil {
		ctx = c.hooks.OperationStart(ctx, op)
	}
	return ctx, op
}

// finishMany ends a multi-item operation (its items were reported as they
// became final).
func (c *Client) finishMany(ctx context.Context, op Operation, st []itemState, err error) {
	if c.hooks.OperationEnd == nil {
		return
	}
	var sum Summary
	for i := range st {
		sum.add(st[i].err, st[i].confirmed)
	}
	c.hooks.OperationEnd(ctx, op, OperationEnd{Duration: time.Since(op.Start), Err: err, Summary: sum})
}

// finishOne ends a single-item operation, reporting its item.
func (c *Client) finishOne(ctx context.Context, op Operation, res *Result, err error) {
	if c.hooks.ItemOutcome == nil && c.hooks.OperationEnd == nil {
		return
	}
	confirmed := res != nil && (res.ConfirmedByRetry || res.ConfirmedByRecord)
	if c.hooks.ItemOutcome != nil && op.Method != "" {
		c.hooks.ItemOutcome(ctx, op, ItemOutcome{Index: 0, Outcome: OutcomeOf(err), Confirmed: confirmed, Err: err})
	}
	if c.hooks.OperationEnd != nil && op.Method != "" {
		var sum Summary
		sum.add(err, confirmed)
		c.hooks.OperationEnd(ctx, op, OperationEnd{Duration: time.Since(op.Start), Err: err, Summary: sum})
	}
}

// finishCall ends an operation that has no items (a record lookup, an
// override): its outcome is the error.
func (c *Client) finishCall(ctx context.Context, op Operation, err error) {
	if c.hooks.OperationEnd == nil || op.Method == "" {
		return
	}
	c.hooks.OperationEnd(ctx, op, OperationEnd{Duration: time.Since(op.Start), Err: err})
}

// reportItems calls ItemOutcome for the items of idx that became final
// and were not reported yet.
func (c *Client) reportItems(ctx context.Context, j *job, idx []int, st []itemState) {
	if c.hooks.ItemOutcome == nil || !j.batch {
		return
	}
	for _, i := range idx {
		s := &st[i]
		if s.final && !s.reported {
			s.reported = true
			c.hooks.ItemOutcome(ctx, j.op, ItemOutcome{Index: i, Outcome: OutcomeOf(s.err), Confirmed: s.confirmed, Err: s.err})
		}
	}
}

// observe gives an attempt to the Attempt hook and the logger.
func (c *Client) observe(ctx context.Context, a AttemptInfo) {
	if a.Code == 0 {
		var apiErr *APIError
		if errors.As(a.Err, &apiErr) {
			a.Code = apiErr.Code
		}
	}
	if c.hooks.Attempt != nil {
		c.hooks.Attempt(ctx, a)
	}
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("endpoint", a.Endpoint),
			slog.Int("attempt", a.Attempt),
			slog.String("host", a.Host),
			slog.Int("status", a.StatusCode),
			slog.Int("code", int(a.Code)),
			slog.Duration("duration", a.Duration),
		}
		if a.Err != nil {
			attrs = append(attrs, slog.String("error", a.Err.Error()))
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "chatrecall attempt", attrs...)
	}
}

func (c *Client) logInfo(ctx context.Context, msg, endpoint string, code Code) {
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("endpoint", endpoint), slog.Int("code", int(code)))
	}
}

package takedown

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/webhook"
)

// This file runs the takedown across conversations: each conversation is
// planned (its history read for the account's messages in the window),
// then recalled and verified by the sweep package, many conversations of
// each kind at once. Groups and one-to-one conversations have pools of
// their own, so neither kind's endpoints wait for the other's; all share
// the client's rate limiter, so the run moves at the busiest endpoint's
// limit.

// ConversationPlan is one conversation's plan: the account's messages to
// take back there.
type ConversationPlan struct {
	Target
	Items []sweep.Item
	// Stats is what the plan's read did; Unseen what it could not see.
	Stats  sweep.PlanStats
	Unseen []sweep.Range
	// Err is why planning failed (the items found before it are kept).
	Err error
}

// planOne reads one conversation's plan.
func (r *Runner) planOne(ctx context.Context, hist *sweep.Sweeper, t Target, since, until time.Time) *ConversationPlan {
	p := &ConversationPlan{Target: t}
	if t.NoHistory {
		r.planFromLedger(ctx, p, since, until)
		return p
	}
	f := sweep.Filter{Senders: []string{t.Sender}, Since: since, Until: until}
	for it, err := range hist.Plan(ctx, t.Conversation, f, &p.Stats) {
		if err == nil {
			p.Items = append(p.Items, it)
			continue
		}
		var ie *sweep.IncompleteError
		switch {
		case errors.As(err, &ie):
			p.Unseen = append(p.Unseen, ie.Unseen...)
		case errors.Is(err, chatrecall.ErrNoHistory) && len(p.Items) == 0:
			p.NoHistory = true // a live-stream group: only the ledger knows its messages
			r.planFromLedger(ctx, p, since, until)
		default:
			p.Err = err
		}
	}
	return p
}

func (r *Runner) planFromLedger(ctx context.Context, p *ConversationPlan, since, until time.Time) {
	if r.o.Ledger == nil {
		p.Err = errors.New("keeps no history, and there is no ledger to plan it from")
		return
	}
	items, err := webhook.SweepPlan(ctx, r.o.Ledger, p.Conversation, sweep.Filter{Senders: []string{p.Sender}, Since: since, Until: until})
	p.Items, p.Err = items, err
	p.Stats.Planned = len(items)
}

// ConversationResult is how one conversation ended.
type ConversationResult struct {
	Target
	// Planned is how many of the account's messages the plan found there;
	// Skipped how many of them an earlier run had settled (Options.Done).
	Planned, Skipped int
	Summary          sweep.Summary
	Stats            sweep.PlanStats
	// Unseen is what the plan's read or verification could not see.
	Unseen []sweep.Range
	// Err is why planning or the sweep stopped short ("" when it did not).
	Err string
}

// Incomplete reports whether the conversation was not seen in full.
func (c ConversationResult) Incomplete() bool { return len(c.Unseen) > 0 || c.Err != "" }

// pool runs conversations, groups and one-to-one ones in pools of their
// own: Options.Conversations groups, and eight times as many one-to-one
// conversations, at once. Submitting never blocks, so one kind's queue
// never holds back the other's (a plan lists its groups first).
type pool struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	ready  [2]*sync.Cond
	queue  [2][]func()
	closed bool
}

func kindOf(t Target) int {
	if t.Kind() == chatrecall.KindGroup {
		return 0
	}
	return 1
}

func (r *Runner) newPool() *pool {
	p := &pool{}
	for k, n := range []int{r.parallel(), r.parallel() * c2cFactor} {
		p.ready[k] = sync.NewCond(&p.mu)
		for range n {
			p.wg.Add(1)
			go p.work(k)
		}
	}
	return p
}

func (p *pool) work(k int) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		for len(p.queue[k]) == 0 && !p.closed {
			p.ready[k].Wait()
		}
		if len(p.queue[k]) == 0 {
			p.mu.Unlock()
			return
		}
		fn := p.queue[k][0]
		p.queue[k][0] = nil
		p.queue[k] = p.queue[k][1:]
		p.mu.Unlock()
		fn()
	}
}

func (p *pool) submit(t Target, fn func()) {
	k := kindOf(t)
	p.mu.Lock()
	p.queue[k] = append(p.queue[k], fn)
	p.mu.Unlock()
	p.ready[k].Signal()
}

func (p *pool) wait() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ready[0].Broadcast()
	p.ready[1].Broadcast()
	p.wg.Wait()
}

// feedTargets submits fn for every target.
func (p *pool) feedTargets(targets []Target, fn func(Target)) {
	for _, t := range targets {
		p.submit(t, func() { fn(t) })
	}
}

// applyOne recalls and verifies one conversation's plan.
func (r *Runner) applyOne(ctx context.Context, p *ConversationPlan) ConversationResult {
	res := ConversationResult{Target: p.Target, Planned: len(p.Items), Stats: p.Stats, Unseen: p.Unseen}
	if p.Err != nil {
		res.Err = p.Err.Error()
	}
	items := p.Items
	if r.o.Done != nil {
		items = slices.DeleteFunc(slices.Clone(items), r.o.Done)
		res.Skipped = len(p.Items) - len(items)
	}
	if len(items) == 0 {
		return res
	}
	sw := r.hist
	if p.NoHistory {
		sw = r.ledger
	}
	rep, err := sw.Apply(ctx, slices.Values(items))
	if rep == nil {
		// Refused before anything was sent: each item says so.
		for _, it := range items {
			r.outcome(sweep.Outcome{Item: it, Err: &chatrecall.NotSentError{Cause: err}})
		}
		res.Summary = sweep.Summary{Total: len(items), NotSent: len(items)}
		res.Err = join(res.Err, err.Error())
		return res
	}
	res.Summary = rep.Summary()
	res.Unseen = append(res.Unseen, rep.Unseen...)
	return res
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (r *Runner) outcome(o sweep.Outcome) {
	if r.o.OnOutcome == nil {
		return
	}
	r.outMu.Lock()
	defer r.outMu.Unlock()
	r.o.OnOutcome(o)
}

// Plan reads every target's history (or the ledger, for conversations
// without history) for the account's messages in the window, many
// conversations at once, and calls emit with each conversation's plan as
// it is complete (serialized). Nothing is recalled. The summary counts
// what the plan holds and estimates how long applying it takes; its error
// matches ErrIncomplete when part of a conversation could not be read.
func (r *Runner) Plan(ctx context.Context, d *Discovery, emit func(*ConversationPlan) error) (*PlanSummary, error) {
	if err := r.checkDiscovery("Plan", ctx, d); err != nil {
		return nil, err
	}
	timed := &timedAPI{API: r.api}
	hist := sweep.New(timed, r.sweepOptions)
	sum := newPlanSummary(d)
	var mu sync.Mutex
	p := r.newPool()
	p.feedTargets(d.Targets, func(t Target) {
		cp := r.planOne(ctx, hist, t, d.Since, d.until())
		mu.Lock()
		defer mu.Unlock()
		sum.add(cp, r)
		if emit != nil && sum.emitErr == nil {
			sum.emitErr = emit(cp)
		}
	})
	p.wait()
	sum.finish(r, timed.roundTrip())
	return sum, sum.err(ctx)
}

// Apply recalls and verifies plans (as Plan made them, perhaps read back
// from a reviewed file), many conversations at once. Every item ends with
// one outcome (Options.OnOutcome), except those Options.Done names.
func (r *Runner) Apply(ctx context.Context, plans iter.Seq[*ConversationPlan]) (*Report, error) {
	if ctx == nil {
		return nil, invalidf("Apply", "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if err := r.validate("Apply"); err != nil {
		return nil, err
	}
	rep := r.newReport(nil)
	p := r.newPool()
	for cp := range plans {
		p.submit(cp.Target, func() { rep.add(r, r.applyOne(ctx, cp)) })
	}
	p.wait()
	return rep.finish(ctx)
}

// Run takes back what d found: each conversation is planned, handed to
// Options.OnPlan, then recalled and verified, many conversations of each
// kind at once. The report has a result per conversation and the totals;
// its error says what was not taken back and what was not seen.
func (r *Runner) Run(ctx context.Context, d *Discovery) (*Report, error) {
	if err := r.checkDiscovery("Run", ctx, d); err != nil {
		return nil, err
	}
	rep := r.newReport(d)
	p := r.newPool()
	p.feedTargets(d.Targets, func(t Target) {
		cp := r.planOne(ctx, r.hist, t, d.Since, d.until())
		if r.o.OnPlan != nil {
			if err := r.o.OnPlan(cp); err != nil {
				cp.Err = errors.Join(cp.Err, err)
				res := ConversationResult{Target: t, Planned: len(cp.Items), Stats: cp.Stats, Unseen: cp.Unseen, Err: cp.Err.Error()}
				for _, it := range cp.Items {
					r.outcome(sweep.Outcome{Item: it, Err: &chatrecall.NotSentError{Cause: err}})
				}
				res.Summary = sweep.Summary{Total: len(cp.Items), NotSent: len(cp.Items)}
				rep.add(r, res)
				return
			}
		}
		rep.add(r, r.applyOne(ctx, cp))
	})
	p.wait()
	return rep.finish(ctx)
}

// Takedown discovers the conversations account posted in between since and
// until (zero: when the discovery starts) and takes back its messages there: Discover, then Run.
func Takedown(ctx context.Context, api API, account string, since, until time.Time, fns ...func(*Options)) (*Report, error) {
	r := New(api, fns...)
	d, derr := r.Discover(ctx, account, since, until)
	if d == nil {
		return nil, derr
	}
	rep, err := r.Run(ctx, d)
	return rep, errors.Join(err, derr)
}

func (r *Runner) checkDiscovery(method string, ctx context.Context, d *Discovery) error {
	if ctx == nil {
		return invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if err := r.validate(method); err != nil {
		return err
	}
	if d == nil {
		return invalidf(method, "d", "is nil; pass what Discover returned")
	}
	if err := checkWindow(method, d.Account, d.Since, d.Until); err != nil {
		return err
	}
	for i, t := range d.Targets {
		if err := t.Validate(); err != nil {
			return invalidf(method, "d.Targets["+itoa(i)+"]", "%v", err)
		}
		if t.Sender != d.Account || t.Kind() == chatrecall.KindC2C && t.Peer != d.Account {
			return invalidf(method, "d.Targets["+itoa(i)+"]", "is %s's conversation %s, not one of the account %q", t.Sender, t.Name(), d.Account)
		}
	}
	return nil
}

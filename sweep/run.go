package sweep

import (
	"context"
	"errors"
	"iter"
	"strconv"
	"sync"

	"github.com/chatrecall/chatrecall"
)

// This file runs a sweep: the plan's reading, the recalls and the
// verification go on at once, joined by windows of records. A window is
// verified as soon as the plan has closed it and every recall in it has
// ended, while the plan reads on.

// windowSize is how many records a verification window holds at most.
const windowSize = 128

// verifiers is how many windows are verified at once (their pages share
// the history gate).
const verifiers = 8

type window struct {
	recs    []int
	pending int  // recalls not ended
	closed  bool // the plan adds no more
}

// run is the state of one sweep.
type run struct {
	s          *Sweeper
	conv       chatrecall.Conversation
	rep        *Report
	histGate   *gate
	recallGate *gate
	stop       stopCause
	halt       func(error)     // stop recalling and planning for good
	maybeFn    func(Item) bool // PossiblyApplied of this run, when it differs from the options'

	mu         sync.Mutex
	winOf      map[int]*window // record → its window, until verified
	queue      []*window       // ready to verify
	draining   bool            // no more windows will be queued
	ready      *sync.Cond
	settling   []int
	again      []int
	verified   int
	unverified int
	applied    chan struct{}
	workers    sync.WaitGroup
	// planning: the plan is still reading. Verification waits for it, so
	// the plan's pages go first and the verification's backlog keeps the
	// history endpoint busy while the last recalls finish.
	planning bool

	outMu sync.Mutex // serializes OnOutcome
}

func (s *Sweeper) newRun(conv chatrecall.Conversation) *run {
	r := &run{s: s, conv: conv, rep: newReport(conv), histGate: s.newGate(historyEndpoint(conv)), recallGate: s.newGate(endpointOf(conv)),
		winOf: map[int]*window{}}
	r.ready = sync.NewCond(&r.mu)
	r.halt = r.stop.set
	return r
}

// Sweep plans, recalls and verifies in one call: it reads conv's history
// for the messages f selects, many pages in flight; recalls them while the
// history is still being read; and reads each window of recalled messages
// back as soon as its recalls have ended. What verification finds still
// there after an uncertain recall is recalled again (Options.Rounds); what
// the service said it recalled but history still shows is read again until
// Options.Settle.
//
// The report has one outcome per planned message. The error is nil when
// every planned message is recalled and the history was read in full;
// otherwise it is the report's Err: a *chatrecall.PartialError over the
// others and, where part of the history could not be seen, an
// *IncompleteError (ErrIncomplete), joined with the read's failure if
// planning stopped early.
func (s *Sweeper) Sweep(ctx context.Context, conv chatrecall.Conversation, f Filter) (*Report, error) {
	if err := s.check("Sweep", ctx, conv, f); err != nil {
		return nil, err
	}
	r := s.newRun(conv)
	if s.o.DeleteBySender {
		return r.deleteBySender(ctx, f)
	}
	planCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.halt = func(err error) { r.stop.set(err); cancel() }
	// In a group the history is the busier endpoint: verification trails
	// the plan's reading. Elsewhere the recalls are, and windows are
	// verified as soon as they are ready.
	r.planning = conv.Kind() == chatrecall.KindGroup
	in := make(chan int, 256)
	lanes := map[int]*window{}
	closeLane := func(lane int) {
		if w := lanes[lane]; w != nil { // r.mu held
			r.closeLocked(w)
			delete(lanes, lane)
		}
	}
	r.startPipeline(ctx, in)
	rs, err := s.readWith(planCtx, conv, f, &r.rep.Plan, r.histGate, func(lane int, it Item) bool {
		r.mu.Lock()
		i := r.rep.add(it, 0)
		w := lanes[lane]
		if w == nil {
			w = &window{}
			lanes[lane] = w
		}
		w.recs = append(w.recs, i)
		w.pending++
		r.winOf[i] = w
		if len(w.recs) >= windowSize {
			delete(lanes, lane)
			r.closeLocked(w)
		}
		r.mu.Unlock()
		select {
		case in <- i:
			return true
		case <-planCtx.Done():
			r.ended([]int{i}, nil, &chatrecall.NotSentError{Cause: r.cause(planCtx)}, r.recallDone)
			return false
		}
	}, func(lane int) {
		r.mu.Lock()
		closeLane(lane)
		r.mu.Unlock()
	}, r.planIssued)
	r.mu.Lock()
	for lane := range lanes {
		closeLane(lane)
	}
	r.planning = false
	r.ready.Broadcast()
	r.mu.Unlock()
	close(in)
	r.wait()
	if cause := r.stop.get(); cause != nil && ctx.Err() == nil {
		err = nil // planning stopped because the recalls did: the report's error says why
		r.rep.Plan.Stop = "recalls stopped: " + cause.Error()
	} else {
		r.rep.Unseen = append(r.rep.Unseen, rs.Unseen...)
	}
	return r.finish(ctx, err)
}

// planIssued lets verification start: the plan will send no more pages.
func (r *run) planIssued() {
	r.mu.Lock()
	r.planning = false
	r.ready.Broadcast()
	r.mu.Unlock()
}

// cause is why ctx ended: the recalls' stop, or ctx's own error.
func (r *run) cause(ctx context.Context) error {
	if c := r.stop.get(); c != nil {
		return c
	}
	return ctx.Err()
}

// Apply recalls a plan (as Plan made it, perhaps read back from a reviewed
// file), then verifies it unless Options.SkipVerify. It ranges over plan
// twice: first to check every item (one conversation, each valid, no ID
// twice) before anything is sent, then to recall.
func (s *Sweeper) Apply(ctx context.Context, plan iter.Seq[Item]) (*Report, error) {
	conv, err := s.checkPlan("Apply", ctx, plan)
	if err != nil {
		return nil, err
	}
	r := s.newRun(conv)
	in := make(chan int, 256)
	r.startPipeline(ctx, in)
	var w *window
	for it := range plan {
		r.mu.Lock()
		i := r.rep.add(it, 0)
		r.rep.Plan.Planned++
		if w == nil {
			w = &window{}
		}
		w.recs = append(w.recs, i)
		w.pending++
		r.winOf[i] = w
		if len(w.recs) >= windowSize {
			r.closeLocked(w)
			w = nil
		}
		r.mu.Unlock()
		in <- i
	}
	if w != nil {
		r.closeWindow(w)
	}
	close(in)
	r.wait()
	return r.finish(ctx, nil)
}

// Check reads a plan's messages back without recalling anything: each
// outcome's Check says what history shows, and its Err is nil for a
// message read back recalled or deleted, an error matching
// chatrecall.ErrNotRecalled for one still there, and one matching
// chatrecall.ErrOutcomeUnknown for one history does not list.
func (s *Sweeper) Check(ctx context.Context, plan iter.Seq[Item]) (*Report, error) {
	conv, err := s.checkPlan("Check", ctx, plan)
	if err != nil {
		return nil, err
	}
	r := s.newRun(conv)
	var idx []int
	flush := func() {
		st, unseen, err := r.states(ctx, idx)
		r.mu.Lock()
		r.rep.Unseen = append(r.rep.Unseen, unseen...)
		for n, i := range idx {
			rec := &r.rep.recs[i]
			switch chatrecall.MessageState(st[n]) {
			case chatrecall.MessageRecalled:
				rec.check = CheckRecalled
			case chatrecall.MessageDeleted:
				rec.check = CheckDeleted
			case chatrecall.MessageNormal:
				if st[n] != unseenState {
					rec.check, rec.err = CheckNotRecalled, &notRecalledError{recall: errNotChecked}
					break
				}
				fallthrough
			default:
				rec.check, rec.err = CheckMissing, errUnlisted
				if err != nil {
					rec.check = CheckNone
				}
			}
		}
		r.mu.Unlock()
		r.final(idx)
		idx = idx[:0]
	}
	for it := range plan {
		r.mu.Lock()
		idx = append(idx, r.rep.add(it, fEnded))
		r.mu.Unlock()
		if len(idx) == windowSize {
			flush()
		}
	}
	if len(idx) > 0 {
		flush()
	}
	r.rep.Verified = len(r.rep.Unseen) == 0
	return r.rep, r.rep.Err()
}

// Verify reads rep's items back again (with Options.Verifier, or the
// conversation's history) and updates their outcomes as a sweep's own
// verification would, settle time and recall rounds included; OnOutcome
// sees each outcome again. Use it on the report of a sweep made with
// SkipVerify, once the evidence is in (after-recall callbacks in a ledger).
func (s *Sweeper) Verify(ctx context.Context, rep *Report) error {
	const method = "Verify"
	if ctx == nil {
		return invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if rep == nil {
		return invalidf(method, "rep", "is nil; pass the report of Sweep or Apply")
	}
	if err := s.validate(method); err != nil {
		return err
	}
	v := *s
	v.o.SkipVerify = false
	r := v.newRun(rep.Conversation)
	r.rep = rep
	idx := make([]int, 0, windowSize)
	for i := range rep.recs {
		rep.recs[i].flags &^= fFinal
		if idx = append(idx, i); len(idx) == windowSize {
			r.verify(ctx, idx, false)
			idx = make([]int, 0, windowSize)
		}
	}
	if len(idx) > 0 {
		r.verify(ctx, idx, false)
	}
	_, err := r.finish(ctx, nil)
	return err
}

var (
	errNotChecked = errors.New("sweep: no recall was sent by this check")
	errUnlisted   = &unlistedError{}
)

// unlistedError: a check found the message nowhere in history.
type unlistedError struct{}

func (*unlistedError) Error() string {
	return "sweep: history does not list the message (past retention, or another party's view): its state cannot be known"
}
func (*unlistedError) Is(target error) bool { return target == chatrecall.ErrOutcomeUnknown }

func (s *Sweeper) checkPlan(method string, ctx context.Context, plan iter.Seq[Item]) (chatrecall.Conversation, error) {
	var conv chatrecall.Conversation
	if ctx == nil {
		return conv, invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if plan == nil {
		return conv, invalidf(method, "plan", "is nil")
	}
	if err := s.validate(method); err != nil {
		return conv, err
	}
	seen := map[string]int{}
	n := 0
	for it := range plan {
		field := "plan[" + strconv.Itoa(n) + "]"
		if err := it.Validate(); err != nil {
			return conv, inField(err, method, field)
		}
		if n == 0 {
			conv = it.Conversation
		} else if it.Conversation != conv {
			return conv, invalidf(method, field, "is in %s, not %s: one sweep covers one conversation", it.Conversation, conv)
		}
		if j, dup := seen[it.ID()]; dup {
			return conv, invalidf(method, field, "is a duplicate of plan[%d] (%s)", j, it.ID())
		}
		seen[it.ID()] = n
		n++
	}
	if n == 0 {
		return conv, invalidf(method, "plan", "has no items: nothing to recall")
	}
	if s.o.DeleteBySender {
		return conv, invalidf(method, "DeleteBySender", "works on a sweep that reads the group's history (Sweep), not on a plan")
	}
	return conv, nil
}

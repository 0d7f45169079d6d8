package sweep

import (
	"context"
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
		if r.addToWindow(&w, i); w == nil {
			delete(lanes, lane)
		} else {
			lanes[lane] = w
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

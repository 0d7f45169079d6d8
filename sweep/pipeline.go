package sweep

import (
	"context"
	"errors"
)

// This file joins the stages: the recall loop, the windows that become
// ready as their recalls end, the verifiers that take them, and the end of
// the run, where every record gets its final outcome exactly once.

func (r *run) startPipeline(ctx context.Context, in <-chan int) {
	r.applied = make(chan struct{})
	go func() {
		defer close(r.applied)
		r.applyLoop(ctx, in, r.maybe, r.recallDone)
	}()
	if r.s.o.SkipVerify {
		return
	}
	for k := 0; k < verifiers; k++ {
		r.workers.Add(1)
		go r.verifier(ctx)
	}
}

func (r *run) maybe(i int) bool {
	fn := r.maybeFn
	if fn == nil {
		fn = r.s.o.PossiblyApplied
	}
	if fn == nil {
		return false
	}
	r.mu.Lock()
	it := r.rep.item(i)
	r.mu.Unlock()
	return fn(it)
}

// recallDone is called once a batch's outcomes are written.
//
// OnRecall runs before the batch's windows can be verified: a verifier
// that read a window back at once would otherwise hand an item to
// OnOutcome before its first recall was reported, and a journal would then
// record the final outcome before the first one.
func (r *run) recallDone(idx []int) {
	var finals []int
	var first []Outcome
	r.mu.Lock()
	for _, i := range idx {
		rec := &r.rep.recs[i]
		if rec.flags&fEnded == 0 {
			rec.flags |= fEnded
			if r.s.o.OnRecall != nil {
				first = append(first, r.rep.Outcome(i))
			}
		}
	}
	r.mu.Unlock()
	for _, o := range first {
		r.s.o.OnRecall(o)
	}
	r.mu.Lock()
	for _, i := range idx {
		if r.s.o.SkipVerify {
			finals = append(finals, i)
			continue
		}
		if w := r.winOf[i]; w != nil {
			if w.pending--; w.closed && w.pending == 0 {
				r.queueLocked(w)
			}
		}
	}
	r.mu.Unlock()
	r.final(finals)
}

// addToWindow puts record i in *w (a new window when *w is nil) and closes
// the window once it is full, leaving *w nil (r.mu held).
func (r *run) addToWindow(w **window, i int) {
	if *w == nil {
		*w = &window{}
	}
	(*w).recs = append((*w).recs, i)
	(*w).pending++
	r.winOf[i] = *w
	if len((*w).recs) >= windowSize {
		r.closeLocked(*w)
		*w = nil
	}
}

func (r *run) closeWindow(w *window) {
	r.mu.Lock()
	r.closeLocked(w)
	r.mu.Unlock()
}

func (r *run) closeLocked(w *window) {
	w.closed = true
	if w.pending == 0 {
		r.queueLocked(w)
	}
}

func (r *run) queueLocked(w *window) {
	if r.s.o.SkipVerify {
		return
	}
	r.queue = append(r.queue, w)
	r.ready.Signal()
}

// verifier verifies ready windows until the run drains.
func (r *run) verifier(ctx context.Context) {
	defer r.workers.Done()
	for {
		r.mu.Lock()
		for (len(r.queue) == 0 || r.planning) && !r.draining {
			r.ready.Wait()
		}
		if len(r.queue) == 0 {
			r.mu.Unlock()
			return
		}
		w := r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		for _, i := range w.recs {
			delete(r.winOf, i)
		}
		r.mu.Unlock()
		r.verify(ctx, w.recs, false)
	}
}

// wait returns once every recall has ended and every window is verified.
func (r *run) wait() {
	<-r.applied
	r.mu.Lock()
	r.draining = true
	r.ready.Broadcast()
	r.mu.Unlock()
	r.workers.Wait()
}

// final hands the records idx to OnOutcome, each once.
func (r *run) final(idx []int) {
	if len(idx) == 0 {
		return
	}
	var outs []Outcome
	r.mu.Lock()
	for _, i := range idx {
		rec := &r.rep.recs[i]
		if rec.flags&fFinal != 0 {
			continue
		}
		rec.flags |= fFinal
		if r.s.o.OnOutcome != nil {
			outs = append(outs, r.rep.Outcome(i))
		}
	}
	r.mu.Unlock()
	if len(outs) == 0 {
		return
	}
	r.outMu.Lock()
	defer r.outMu.Unlock()
	for _, o := range outs {
		r.s.o.OnOutcome(o)
	}
}

// finish settles what verification left waiting, gives every record its
// final outcome, and returns the report with its error, joined with the
// plan's failure if the plan stopped early.
func (r *run) finish(ctx context.Context, planErr error) (*Report, error) {
	if !r.s.o.SkipVerify {
		r.followUp(ctx)
	}
	var rest []int
	r.mu.Lock()
	for i := range r.rep.recs {
		if r.rep.recs[i].flags&fFinal == 0 {
			rest = append(rest, i)
		}
	}
	r.rep.Verified = !r.s.o.SkipVerify && r.unverified == 0 && len(r.rep.Unseen) == 0
	r.rep.PagesInFlight, r.rep.RecallsInFlight = r.histGate.inFlight(), r.recallGate.inFlight()
	r.mu.Unlock()
	r.final(rest)
	err := r.rep.Err()
	if planErr != nil {
		err = errors.Join(planErr, err)
	}
	return r.rep, err
}

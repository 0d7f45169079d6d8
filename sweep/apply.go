package sweep

import (
	"context"
	"errors"
	"sync"

	"github.com/chatrecall/chatrecall"
)

// This file is the recall stage: planned items arrive as record indexes,
// go out up to 10 per request (one for one-to-one messages) with as many
// requests in flight as the recall endpoint's limit needs, and each
// request's outcomes are written back to the report.

// stopCause is a failure every further recall would repeat.
type stopCause struct {
	mu  sync.Mutex
	err error
}

func (s *stopCause) set(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *stopCause) get() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

type recallOutcome struct {
	err       error
	confirmed bool
}

// applyLoop recalls the records whose indexes arrive on in, and calls done
// with each batch's indexes once their outcomes are written.
func (r *run) applyLoop(ctx context.Context, in <-chan int, maybe func(int) bool, done func([]int)) {
	per := 10
	if r.conv.Kind() == chatrecall.KindC2C {
		per = 1
	}
	var wg sync.WaitGroup
	batch := make([]int, 0, per)
	flush := func() {
		idx := batch
		batch = make([]int, 0, per)
		start, err := r.recallGate.acquire(ctx)
		if err != nil {
			r.ended(idx, nil, &chatrecall.NotSentError{Cause: err}, done)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := r.recall(ctx, idx, maybe)
			r.recallGate.release(start)
			r.ended(idx, out, nil, done)
		}()
	}
	for i := range in {
		batch = append(batch, i)
		if len(batch) == per {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	wg.Wait()
}

// recall sends one request for the records idx.
func (r *run) recall(ctx context.Context, idx []int, maybe func(int) bool) []recallOutcome {
	out := make([]recallOutcome, len(idx))
	if cause := r.stop.get(); cause != nil {
		for i := range out {
			out[i].err = &chatrecall.NotSentError{Cause: cause}
		}
		return out
	}
	r.mu.Lock()
	items := make([]Item, len(idx))
	for n, i := range idx {
		items[n] = r.rep.item(i)
	}
	r.mu.Unlock()
	whole := func(err error) {
		var pe *chatrecall.PartialError
		if errors.As(err, &pe) && pe.Cause != nil && chatrecall.Repeats(pe.Cause) {
			r.halt(pe.Cause)
		}
	}
	switch r.conv.Kind() {
	case chatrecall.KindC2C:
		it := items[0]
		res, err := r.s.api.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: it.Sender, To: it.To, MsgKey: it.MsgKey, PossiblyApplied: maybe(idx[0])})
		out[0].err = err
		if res != nil {
			out[0].confirmed = res.ConfirmedByRetry
		}
		if err != nil && chatrecall.Repeats(err) {
			r.halt(err)
		}
	case chatrecall.KindOfficial:
		q := chatrecall.OfficialAccountRecall{Account: r.conv.Official, Reason: r.s.o.Reason}
		for n, it := range items {
			q.MsgKeys = append(q.MsgKeys, it.MsgKey)
			if maybe(idx[n]) {
				q.PossiblyApplied = append(q.PossiblyApplied, it.MsgKey)
			}
		}
		res, err := r.s.api.RecallOfficialAccountMessages(ctx, q)
		whole(err)
		for n := range out {
			out[n] = recallOutcome{err: err}
			if res != nil && n < len(res.Items) {
				out[n] = recallOutcome{res.Items[n].Err, res.Items[n].ConfirmedByRetry}
			}
		}
	default:
		q := chatrecall.GroupRecall{GroupID: r.conv.GroupID, TopicID: r.conv.TopicID, Reason: r.s.o.Reason}
		for n, it := range items {
			q.MsgSeqs = append(q.MsgSeqs, it.MsgSeq)
			if maybe(idx[n]) {
				q.PossiblyApplied = append(q.PossiblyApplied, it.MsgSeq)
			}
		}
		res, err := r.s.api.RecallGroupMessages(ctx, q)
		whole(err)
		for n := range out {
			out[n] = recallOutcome{err: err}
			if res != nil && n < len(res.Items) {
				out[n] = recallOutcome{res.Items[n].Err, res.Items[n].ConfirmedByRetry}
			}
		}
	}
	return out
}

// ended writes a batch's outcomes (or err for all of them) to the report.
func (r *run) ended(idx []int, out []recallOutcome, err error, done func([]int)) {
	r.mu.Lock()
	for n, i := range idx {
		rec := &r.rep.recs[i]
		o := recallOutcome{err: err}
		if out != nil {
			o = out[n]
		}
		wasUnknown := errors.Is(rec.err, chatrecall.ErrOutcomeUnknown)
		if wasUnknown && errors.Is(o.err, chatrecall.ErrNotSent) {
			continue // an earlier attempt may still have taken effect
		}
		if wasUnknown && !errors.Is(o.err, chatrecall.ErrOutcomeUnknown) {
			rec.flags |= fSettled // a later round turned an unknown into a fact
		}
		rec.err = o.err
		if o.confirmed {
			rec.flags |= fConfirmed
		}
	}
	r.mu.Unlock()
	done(idx)
}

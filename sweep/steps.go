package sweep

import (
	"context"
	"errors"
	"iter"
	"strconv"

	"github.com/chatrecall/chatrecall"
)

// This file has the sweep's steps on their own: recall a reviewed plan,
// read one back, verify a report again.

// Apply recalls a plan (as Plan made it, perhaps read back from a reviewed
// file), then verifies it unless Options.SkipVerify. It ranges over plan
// twice: first to check every item (one conversation, each valid, no ID
// twice) before anything is sent, then to recall. An empty plan gives an
// empty report and no error.
func (s *Sweeper) Apply(ctx context.Context, plan iter.Seq[Item]) (*Report, error) {
	conv, err := s.checkPlan("Apply", ctx, plan)
	if err == errEmptyPlan {
		return newReport(conv), nil // nothing to recall: an empty report, not an error
	}
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
		r.addToWindow(&w, i)
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
	if err == errEmptyPlan {
		return newReport(conv), nil
	}
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
	// errEmptyPlan: a plan without items; Apply and Check return an empty
	// report for it.
	errEmptyPlan  = errors.New("sweep: the plan has no items")
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
		return conv, errEmptyPlan
	}
	if s.o.DeleteBySender {
		return conv, invalidf(method, "DeleteBySender", "works on a sweep that reads the group's history (Sweep), not on a plan")
	}
	return conv, nil
}

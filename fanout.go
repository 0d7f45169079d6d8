package chatrecall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
)

// This file and the next layers (attempt.go, transport.go) are the one
// path every endpoint goes through. An
// endpoint method validates its input and describes its request as a job;
// runJob sends it, as one request or as chunks of up to 10 items, and writes
// exactly one outcome per item. Each attempt limits, signs, builds a fresh
// request, sends it, decodes into a fresh value and classifies every item it
// carried as done, failed, or to be sent again, remembering whether an
// attempt may have taken effect.

// job is one operation for runJob: n items, and how to put items into a
// request and read their answers back.
type job struct {
	method string
	ep     *endpoint
	n      int
	// body returns a new request body carrying the items idx. Each attempt
	// gets its own bytes: the transport may still read the last attempt's.
	body func(idx []int) ([]byte, error)
	// newResp returns a fresh value to decode one answer into.
	newResp func() response
	// answer reads what a response lists for item i; nil for single-item
	// endpoints, whose outcome is the response's own code.
	answer func(resp response, i int) listAnswer
	// batch: items go out in chunks of maxItemsPerRequest, concurrently.
	batch bool
	// got is the answer that completed a single-item job.
	got response
	// op is the operation, for the ItemOutcome hook.
	op Operation
	// maybe marks items an earlier run may have applied.
	maybe func(i int) bool
}

// Result is what a single-item call knows when it succeeded: whether the
// success was answered directly, or settled after an attempt whose answer
// was lost.
type Result struct {
	Endpoint string // an Endpoint constant
	// ConfirmedByRetry: an attempt that may have taken effect got no
	// answer, and a later attempt heard "already gone" (20023, 90050).
	ConfirmedByRetry bool
	// ConfirmedByRecord: a TPNS stop, revoke or cancel whose answer was
	// lost, confirmed by the task's status in get_push_record.
	ConfirmedByRecord bool
}

// single runs a one-item request of operation op: req is encoded once, and
// each attempt sends its own copy. maybe says an attempt outside this call
// may already have applied the item (a resumed run). It returns the answer
// that completed it, whether that success was confirmed by a retry, and the
// item's error.
func (c *Client) single(ctx context.Context, method string, ep *endpoint, req any, newResp func() response, op Operation, maybe bool) (response, bool, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, false, invalidf(method, "request", "cannot be encoded as JSON: %v", err)
	}
	j := &job{method: method, ep: ep, n: 1, newResp: newResp, op: op,
		body: func([]int) ([]byte, error) { return bytes.Clone(body), nil }}
	if maybe {
		j.maybe = func(int) bool { return true }
	}
	st, _ := c.runJob(ctx, j)
	return j.got, st[0].confirmed, st[0].err
}

// itemState is what the loop knows of one item.
type itemState struct {
	final     bool
	err       error // with final: nil means done
	confirmed bool  // done, as shown by a "gone" answer after an ambiguous attempt
	maybe     bool  // an attempt carrying the item may have taken effect
	reached   bool  // an attempt carrying the item may have reached the service
	last      error // the last failure seen
	reported  bool  // given to the ItemOutcome hook
}

func (s *itemState) done(confirmed bool) {
	s.final, s.err, s.confirmed = true, nil, confirmed
}

func (s *itemState) fail(err error) {
	s.final, s.err = true, err
}

// end gives a pending item its final outcome when no attempt is left:
// unknown if an attempt may have taken effect, "not sent" if no attempt
// reached the service, and the last failure otherwise. cause, when set, is
// why the loop stopped (the context's end, or a failure of the whole
// operation) and is kept in the error.
func (s *itemState) end(cause error) {
	switch {
	case s.maybe:
		s.fail(&unknownError{last: s.last, cause: cause})
	case s.last == nil || !s.reached:
		if cause == nil {
			cause = s.last
		}
		s.fail(&NotSentError{Cause: cause, Last: s.last})
	case cause != nil && !errors.Is(s.last, cause):
		s.fail(&stoppedError{cause: cause, last: s.last})
	default:
		s.fail(s.last)
	}
}

// stopFlag carries the failure that stops a whole operation.
type stopFlag struct {
	mu    sync.Mutex
	cause error
}

func (f *stopFlag) set(err error) {
	f.mu.Lock()
	if f.cause == nil {
		f.cause = err
	}
	f.mu.Unlock()
}

func (f *stopFlag) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cause
}

// runJob runs j and returns one state per item, and the failure that
// stopped the operation early, if any.
func (c *Client) runJob(ctx context.Context, j *job) ([]itemState, error) {
	st := make([]itemState, j.n)
	if j.maybe != nil {
		for i := range st {
			if j.maybe(i) {
				st[i].maybe, st[i].reached = true, true
				st[i].last = errEarlierRun
			}
		}
	}
	if !j.batch || j.n <= maxItemsPerRequest {
		var stop stopFlag
		// A full slice expression: a hook that appends to the indexes it
		// is given gets a copy, and never writes into the shared array.
		c.runRequest(ctx, j, firstIndexes[:j.n:j.n], st, &stop)
		c.reportItems(ctx, j, firstIndexes[:j.n:j.n], st)
		return st, stop.get()
	}
	stop := &stopFlag{}
	all := make([]int, j.n)
	for i := range all {
		all[i] = i
	}
	sem := make(chan struct{}, c.concurrency)
	var wg sync.WaitGroup
	for lo := 0; lo < j.n; lo += maxItemsPerRequest {
		hi := min(lo+maxItemsPerRequest, j.n)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		cause := stop.get()
		if cause == nil {
			cause = ctx.Err()
		}
		if cause != nil {
			for i := lo; i < j.n; i++ {
				st[i].end(cause) // never sent: certainly took no effect
			}
			c.reportItems(ctx, j, all[lo:], st)
			break
		}
		wg.Add(1)
		go func(idx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			c.runRequest(ctx, j, idx, st, stop)
			c.reportItems(ctx, j, idx, st)
		}(all[lo:hi])
	}
	wg.Wait()
	if cause := stop.get(); cause != nil {
		return st, cause
	}
	return st, ctx.Err()
}

// firstIndexes is 0…9, the items of a one-request job; never written.
var firstIndexes = [maxItemsPerRequest]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}

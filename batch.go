package chatrecall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// maxItemsPerRequest is the documented cap of MsgSeqList and MsgKeyList.
const maxItemsPerRequest = 10

// itemCode is one entry of a RecallRetList.
type itemCode[K comparable] struct {
	key  K
	code int
}

// batchResponse is a decoded multi-item response.
type batchResponse[K comparable] interface {
	response
	itemCodes() []itemCode[K]
}

// batchOp describes a multi-item recall to runBatch.
type batchOp[K comparable] struct {
	method   string
	ep       *endpoint
	keys     []K
	body     func(keys []K) any
	newResp  func() batchResponse[K]
	itemName func(K) string
}

// itemOutcome is the outcome of one item: err nil means recalled.
type itemOutcome struct {
	err       error
	confirmed bool
}

// runBatch recalls op.keys in requests of at most 10, up to the client's
// concurrency at once, and returns one outcome per key in input order.
// Within a request, each attempt sends only the items still pending: items
// whose own code was temporary are sent again, final ones are not.
func runBatch[K comparable](ctx context.Context, c *Client, op batchOp[K]) []itemOutcome {
	out := make([]itemOutcome, len(op.keys))
	n := len(op.keys)
	if n <= maxItemsPerRequest {
		runChunk(ctx, c, op, 0, n, out)
		return out
	}
	sem := make(chan struct{}, c.concurrency)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += maxItemsPerRequest {
		hi := min(lo+maxItemsPerRequest, n)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			// Never sent: these items failed, and certainly took no effect.
			for i := lo; i < n; i++ {
				out[i].err = ctx.Err()
			}
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			defer func() { <-sem }()
			runChunk(ctx, c, op, lo, hi, out)
		}(lo, hi)
	}
	wg.Wait()
	return out
}

func runChunk[K comparable](ctx context.Context, c *Client, op batchOp[K], lo, hi int, out []itemOutcome) {
	pending := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		pending = append(pending, i)
	}
	maybe := make([]bool, len(out[lo:hi])) // maybe[i-lo]: an attempt carrying i may have taken effect
	keys := make([]K, 0, hi-lo)
	err := c.run(ctx, func(ctx context.Context, attempt int) error {
		keys = keys[:0]
		for _, i := range pending {
			keys = append(keys, op.keys[i])
		}
		body, err := json.Marshal(op.body(keys))
		if err != nil {
			return fmt.Errorf("chatrecall: %s: encoding request: %w", op.method, err)
		}
		resp := op.newResp()
		err = c.chatAttempt(ctx, op.ep, body, resp, attempt)
		if err != nil && ambiguous(err) {
			for _, i := range pending {
				maybe[i-lo] = true
			}
		}
		var topErr *APIError
		codes := resp.itemCodes()
		if err != nil && !(errors.As(err, &topErr) && len(codes) > 0) {
			return err // the request failed as a whole
		}
		next := pending[:0:0]
		var retryErr error
		for _, i := range pending {
			code, found := lookupItem(codes, op.keys[i])
			var itemErr error
			switch {
			case found && code == 0:
				out[i] = itemOutcome{}
				continue
			case found && maybe[i-lo] && op.ep.isGone(code):
				out[i] = itemOutcome{confirmed: true}
				continue
			case found:
				itemErr = &APIError{Endpoint: op.ep.name, Code: code, HTTPStatus: 200}
			case topErr != nil:
				itemErr = topErr
			default:
				// Accepted, yet not listed: the service said nothing of it.
				out[i] = itemOutcome{err: &unknownError{last: errors.New("the service reported no result for this item")}}
				continue
			}
			if retryable(itemErr) {
				next = append(next, i)
				retryErr = itemErr
				continue
			}
			out[i] = itemOutcome{err: itemErr}
		}
		pending = next
		if len(pending) > 0 {
			return &pendingItemsError{last: retryErr}
		}
		return nil
	})
	if err == nil {
		return
	}
	var p *pendingItemsError
	if errors.As(err, &p) {
		err = p.last
	}
	for _, i := range pending {
		if maybe[i-lo] {
			out[i] = itemOutcome{err: &unknownError{last: err}}
		} else {
			out[i] = itemOutcome{err: err}
		}
	}
}

func lookupItem[K comparable](codes []itemCode[K], key K) (int, bool) {
	for _, c := range codes {
		if c.key == key {
			return c.code, true
		}
	}
	return 0, false
}

// partialError builds the error of a multi-item recall from its outcomes,
// or returns nil when every item was recalled.
func partialError[K comparable](endpoint string, keys []K, outs []itemOutcome, name func(K) string) error {
	var pe *PartialError
	for i, o := range outs {
		if o.err == nil {
			continue
		}
		if pe == nil {
			pe = &PartialError{Endpoint: endpoint, Total: len(keys)}
		}
		pe.Failed++
		if errors.Is(o.err, ErrOutcomeUnknown) {
			pe.Unknown++
		}
		pe.Errs = append(pe.Errs, &ItemError{Item: name(keys[i]), Err: o.err})
	}
	if pe == nil {
		return nil
	}
	return pe
}

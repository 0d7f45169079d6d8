package chatrecall

import (
	"context"
	"errors"
	"sync"
)

// maxItemsPerRequest is the documented cap of MsgSeqList and MsgKeyList.
const maxItemsPerRequest = 10

// batchResponse is a decoded multi-item response.
type batchResponse[K comparable] interface {
	response
	// itemCode returns the RetCode listed for key, if any.
	itemCode(key K) (int, bool)
	// listed reports whether the response carried a RecallRetList.
	listed() bool
}

// batchOp describes a multi-item recall to runBatch. Outcomes are written
// straight into items (the caller's result) through set.
type batchOp[K comparable, I any] struct {
	method string
	ep     *endpoint
	keys   []K
	items  []I
	set    func(it *I, o itemOutcome)
	// appendBody appends the JSON request body for keys[i], i in idx.
	appendBody func(dst []byte, keys []K, idx []int) []byte
	newResp    func() batchResponse[K]
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
func runBatch[K comparable, I any](ctx context.Context, c *Client, op batchOp[K, I]) {
	out := outcomes[K, I]{op}
	n := len(op.keys)
	if n <= maxItemsPerRequest {
		runChunk(ctx, c, op, 0, n, out)
		return
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
				out.put(i, itemOutcome{err: ctx.Err()})
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
}

// outcomes writes item outcomes into the caller's result.
type outcomes[K comparable, I any] struct{ op batchOp[K, I] }

func (o outcomes[K, I]) put(i int, oc itemOutcome) { o.op.set(&o.op.items[i], oc) }

func runChunk[K comparable, I any](ctx context.Context, c *Client, op batchOp[K, I], lo, hi int, out outcomes[K, I]) {
	pending := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		pending = append(pending, i)
	}
	maybe := make([]bool, hi-lo) // maybe[i-lo]: an attempt carrying i may have taken effect
	body := make([]byte, 0, 128+24*(hi-lo))
	err := c.run(ctx, func(ctx context.Context, attempt int) error {
		body = op.appendBody(body[:0], op.keys, pending)
		resp := op.newResp()
		err := c.chatAttempt(ctx, op.ep, body, resp, attempt)
		if err != nil && ambiguous(err) {
			for _, i := range pending {
				maybe[i-lo] = true
			}
		}
		var topErr *APIError
		if err != nil {
			if !resp.listed() {
				return err // the request failed as a whole
			}
			if topErr = asAPIError(err); topErr == nil {
				return err
			}
		}
		next := pending[:0:0]
		var retryErr error
		for _, i := range pending {
			code, found := resp.itemCode(op.keys[i])
			var itemErr error
			switch {
			case found && code == 0:
				out.put(i, itemOutcome{})
				continue
			case found && maybe[i-lo] && op.ep.isGone(code):
				out.put(i, itemOutcome{confirmed: true})
				continue
			case found:
				itemErr = &APIError{Endpoint: op.ep.name, Code: code, HTTPStatus: 200}
			case topErr != nil:
				itemErr = topErr
			default:
				// Accepted, yet not listed: the service said nothing of it.
				out.put(i, itemOutcome{err: &unknownError{last: errors.New("the service reported no result for this item")}})
				continue
			}
			if retryable(itemErr) {
				next = append(next, i)
				retryErr = itemErr
				continue
			}
			out.put(i, itemOutcome{err: itemErr})
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
			out.put(i, itemOutcome{err: &unknownError{last: err}})
		} else {
			out.put(i, itemOutcome{err: err})
		}
	}
}

// partialError builds the error of a multi-item recall from its outcomes,
// or returns nil when every item was recalled.
func asAPIError(err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return nil
}

// appendJSONBodyString appends `"name":` and s as a JSON string.
func appendField(dst []byte, name, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return appendJSONString(dst, s)
}

func partialError[K comparable](endpoint string, keys []K, errOf func(i int) error, name func(K) string) error {
	var pe *PartialError
	for i := range keys {
		err := errOf(i)
		if err == nil {
			continue
		}
		if pe == nil {
			pe = &PartialError{Endpoint: endpoint, Total: len(keys)}
		}
		pe.Failed++
		if errors.Is(err, ErrOutcomeUnknown) {
			pe.Unknown++
		}
		pe.Errs = append(pe.Errs, &ItemError{Item: name(keys[i]), Err: err})
	}
	if pe == nil {
		return nil
	}
	return pe
}

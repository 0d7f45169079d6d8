package chatrecall

import "context"

// This file is the prologue and epilogue every single-request Chat call
// shares: the context checked, the input checked in full before anything is
// sent, a client configured for Chat, then the request (fanout.go: single).
// An action changes something and has a Result; a read changes nothing and
// is asked again, whole, when every attempt failed for a reason that may
// pass.

// action is one such call.
type action struct {
	method string
	ep     *endpoint
	items  int          // what the hooks see: 1, or a mute's accounts
	check  func() error // the input, checked before anything is sent
	req    func() any   // the request body, built once the input is checked
	maybe  bool         // an earlier attempt, outside this call, may have applied it
}

// do runs a.
func (c *Client) do(ctx context.Context, a action) (res *Result, err error) {
	if err := checkCtx(a.method, ctx); err != nil {
		return nil, err
	}
	ctx, op := c.begin(ctx, a.method, a.ep.name, a.items)
	defer func() { c.finishOne(ctx, op, res, err) }()
	if err := a.check(); err != nil {
		return nil, err
	}
	if !c.chat {
		return nil, errChatNotConfigured(a.method)
	}
	_, confirmed, err := c.single(ctx, a.method, a.ep, a.req(), func() response { return new(chatEnvelope) }, op, a.maybe)
	if err != nil {
		return nil, err
	}
	return &Result{Endpoint: a.ep.name, ConfirmedByRetry: confirmed}, nil
}

// checkRead is the prologue every page method shares.
func (c *Client) checkRead(method string, ctx context.Context, r interface{ Validate() error }) error {
	if err := checkCtx(method, ctx); err != nil {
		return err
	}
	if !c.chat {
		return errChatNotConfigured(method)
	}
	return r.Validate()
}

// check adapts a validation func to checkRead.
type check func() error

// Validate runs the check.
func (f check) Validate() error { return f() }

// read runs the read prologue and one page: the answer decoded into a
// fresh value from newResp.
func (c *Client) read(ctx context.Context, method string, ep *endpoint, validate func() error, req func() any, newResp func() response) (response, error) {
	if err := c.checkRead(method, ctx, check(validate)); err != nil {
		return nil, err
	}
	return c.page(ctx, method, ep, req(), newResp)
}

// pageRuns is how many times a page whose attempts all failed for a
// reason that may pass is asked again, each time through the whole retry
// policy: a read changes nothing, and one unlucky page should not end a
// sweep of thousands.
const pageRuns = 3

// page makes one history request, decoding every attempt into a fresh
// value from newResp, and returns the answer that completed it.
func (c *Client) page(ctx context.Context, method string, ep *endpoint, req any, newResp func() response) (response, error) {
	var err error
	for run := 0; run < pageRuns; run++ {
		cctx, op := c.begin(ctx, method, ep.name, 0)
		var got response
		got, _, err = c.single(cctx, method, ep, req, newResp, op, false)
		c.finishCall(cctx, op, err)
		if err == nil {
			return got, nil
		}
		if ctx.Err() != nil || !retryable(err) {
			return nil, err
		}
	}
	return nil, err
}

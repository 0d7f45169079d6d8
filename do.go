package chatrecall

import "context"

// This file is the prologue and epilogue every single-item Chat call that
// changes something shares: the context checked, the hooks told, the input
// checked in full before anything is sent, a client configured for Chat,
// then one request (fanout.go: single) and its Result.

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

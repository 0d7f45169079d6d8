package chatrecall

import "context"

// This file is the one multi-item recall, group and official alike: the
// prologue every method shares (the context, the hooks, a client
// configured for Chat, the input checked in full), one job of up to
// MaxRecallItems items per request, and one outcome per item.

// manyRecall describes a multi-item recall of items of type K (sequence
// numbers or message keys).
type manyRecall[K comparable] struct {
	method string
	ep     *endpoint
	items  []K
	maybe  []K          // PossiblyApplied
	check  func() error // the request's Validate
	// head writes a request body up to its list; item one element of the
	// list; tail the rest of the body after the list. size is the bytes of
	// one element, to size the buffer.
	head, tail func(dst []byte) []byte
	item       func(dst []byte, k K) []byte
	size       int
	newResp    func() response
	answer     func(resp response, k K) listAnswer
	name       func(k K) string
}

// run sends the recall and returns one state per item, in input order, and
// the call's error. Input refused before sending (an unconfigured client, a
// *ValidationError) leaves every item not sent, with that error as cause.
// A nil context returns nil states.
func (m manyRecall[K]) run(c *Client, ctx context.Context) (st []itemState, err error) {
	if err := checkCtx(m.method, ctx); err != nil {
		return nil, err
	}
	ctx, op := c.begin(ctx, m.method, m.ep.name, len(m.items))
	defer func() { c.finishMany(ctx, op, st, err) }()
	if !c.chat {
		return notSent(len(m.items), errChatNotConfigured(m.method))
	}
	if err := m.check(); err != nil {
		return notSent(len(m.items), err)
	}
	var maybe func(int) bool
	if len(m.maybe) > 0 {
		set := make(map[K]bool, len(m.maybe))
		for _, k := range m.maybe {
			set[k] = true
		}
		maybe = func(i int) bool { return set[m.items[i]] }
	}
	st, cause := c.runJob(ctx, &job{
		op: op, maybe: maybe, method: m.method, ep: m.ep, n: len(m.items), batch: true,
		body: func(idx []int) ([]byte, error) {
			dst := m.head(make([]byte, 0, 128+m.size*len(idx)))
			for n, i := range idx {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = m.item(dst, m.items[i])
			}
			return m.tail(dst), nil
		},
		newResp: m.newResp,
		answer:  func(resp response, i int) listAnswer { return m.answer(resp, m.items[i]) },
	})
	return st, partialError(m.ep.name, st, cause, func(i int) string { return m.name(m.items[i]) })
}

// notSent is the states of n items refused before sending.
func notSent(n int, cause error) ([]itemState, error) {
	st := make([]itemState, n)
	for i := range st {
		st[i].err = &NotSentError{Cause: cause}
	}
	return st, cause
}

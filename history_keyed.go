package chatrecall

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// This file walks the histories whose pages name the next by a key:
// one-to-one conversations (LastMsgKey and LastMsgTime) and official
// accounts (LastMsgKey), keeping only the previous page's keys.

// C2CHistoryQuery selects part of a one-to-one conversation.
type C2CHistoryQuery struct {
	// Account is Operator_Account: whose view of the conversation is read
	// (views differ after clears and deletes). Required.
	Account string
	// Peer is Peer_Account, the other party. Required.
	Peer string
	// Since and Until bound the read (MinTime and MaxTime). A zero Since
	// reads all that roaming keeps (7 days by default); a zero Until means
	// now.
	Since, Until time.Time
	// PageSize is MaxCnt; 0 means 100. The service caps each answer at
	// 13 KB anyway.
	PageSize int
	// Stats, when set, receives what the read did once it ends.
	Stats *HistoryStats
}

// C2CHistory reads a one-to-one conversation newest first, one
// C2CHistoryPage after another, continuing with LastMsgKey until Complete
// (spec 2.6). A page that is incomplete yet empty, or does not move
// LastMsgKey, is asked again up to three times, then is an error (never an
// endless loop, never a silent end). A message the previous
// page listed too is yielded once.
func (c *Client) C2CHistory(ctx context.Context, q C2CHistoryQuery) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		const method = "C2CHistory"
		w := &walk{method: method, conv: Conversation{Account: q.Account, Peer: q.Peer}, since: q.Since, until: q.Until, out: q.Stats}
		req := C2CHistoryPageRequest{Account: q.Account, Peer: q.Peer, MinTime: q.Since, MaxTime: q.Until, Count: q.PageSize}
		err := c.checkRead(method, ctx, req)
		w.run(renamed(err, method), yield, func(emit func(Message) (bool, error)) error {
			var prev map[string]bool // the previous page's keys
			stuck := 0
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				p, err := c.C2CHistoryPage(ctx, req)
				if err != nil {
					return err
				}
				w.stats.Pages++
				msgs, keys := fresh(p.Messages, prev)
				for _, m := range msgs {
					if _, err := emit(m); err != nil {
						return err
					}
				}
				if p.Complete {
					w.stats.Stop = "finished"
					return nil
				}
				var problem string
				switch {
				case len(p.Messages) == 0:
					problem = "an incomplete page (Complete 0) carried no messages"
				case p.LastMsgKey == "" || p.LastMsgKey == req.LastMsgKey:
					problem = fmt.Sprintf("LastMsgKey did not move (%q)", p.LastMsgKey)
				}
				if problem != "" {
					if stuck++; stuck <= stuckTries {
						prev = union(prev, keys) // the same page again: list nothing twice
						continue
					}
					return &HistoryError{Method: method, Conversation: w.conv, Problem: problem}
				}
				req.LastMsgKey, req.MaxTime, prev, stuck = p.LastMsgKey, p.LastMsgTime, keys, 0
			}
		})
	}
}

// OfficialHistoryQuery selects part of an official account's messages.
type OfficialHistoryQuery struct {
	Account string // Official_Account, such as @TOA#_2J4SZEAEL. Required.
	// Since ends the read at the first page wholly older than it; Until
	// drops newer messages. Zero means no bound.
	Since, Until time.Time
	// PageSize is ReqMsgNumber, 1 to 20; 0 means 20.
	PageSize int
	// Stats, when set, receives what the read did once it ends.
	Stats *HistoryStats
}

// OfficialHistory reads an official account's messages newest first, one
// OfficialHistoryPage after another, recalled ones included. Paging
// follows spec 2.7: each page continues from the LastMsgKey returned; the
// read ends on an empty finished page, at IsFinished 2, at the time bound.
// An empty page that says it is not finished, or a LastMsgKey that is
// empty or does not fall, is asked again up to three times, then is an
// error (never a silent end).
func (c *Client) OfficialHistory(ctx context.Context, q OfficialHistoryQuery) iter.Seq2[Message, error] {
	return WalkOfficialHistory(ctx, c, q)
}

// OfficialPager reads one page of an official account's history:
// *Client, or a wrapper of one (package sweep paces it).
type OfficialPager interface {
	OfficialHistoryPage(ctx context.Context, r OfficialHistoryPageRequest) (*OfficialHistoryPage, error)
}

// WalkOfficialHistory walks the pages p returns as Client.OfficialHistory
// does: an official account's pages can only be read one after another,
// each naming the next.
func WalkOfficialHistory(ctx context.Context, p OfficialPager, q OfficialHistoryQuery) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		const method = "OfficialHistory"
		w := &walk{method: method, conv: Conversation{Official: q.Account}, since: q.Since, until: q.Until, out: q.Stats}
		req := OfficialHistoryPageRequest{Account: q.Account, Count: q.PageSize}
		err := checkCtx(method, ctx)
		if err == nil {
			err = req.Validate()
		}
		w.run(renamed(err, method), yield, func(emit func(Message) (bool, error)) error { return walkOfficial(ctx, p, w, req, emit) })
	}
}

// stuckTries is how many times a page that breaks the paging rules (an
// unfinished page without messages, a cursor that does not move) is asked
// again before the read gives up on it: a passing fault answers once, a
// broken history every time.
const stuckTries = 3

func walkOfficial(ctx context.Context, pager OfficialPager, w *walk, req OfficialHistoryPageRequest, emit func(Message) (bool, error)) error {
	var prev map[string]bool
	stuck := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := pager.OfficialHistoryPage(ctx, req)
		if err != nil {
			return err
		}
		w.stats.Pages++
		if len(p.Messages) == 0 {
			if p.IsFinished == 0 {
				// "Not all returned", and nothing returned: ask again.
				if stuck++; stuck <= stuckTries {
					continue
				}
				return &HistoryError{Method: w.method, Conversation: w.conv, Problem: fmt.Sprintf("a page came back empty and not finished, %d times", stuck)}
			}
			w.stats.Stop = "start of history"
			return nil
		}
		msgs, keys := fresh(p.Messages, prev)
		wholeOlder, err := emitAll(msgs, emit)
		if err != nil {
			return err
		}
		if w.ends(wholeOlder, p.IsFinished) {
			return nil
		}
		var problem string
		next, ok := KeySeq(p.LastMsgKey)
		if p.LastMsgKey == "" || !ok {
			problem = fmt.Sprintf("LastMsgKey %q is not a message key", p.LastMsgKey)
		} else if last, _ := KeySeq(req.LastMsgKey); req.LastMsgKey != "" && next >= last {
			problem = fmt.Sprintf("LastMsgKey did not fall (%q after %q)", p.LastMsgKey, req.LastMsgKey)
		}
		if problem != "" {
			if stuck++; stuck <= stuckTries {
				prev = union(prev, keys) // the same page again: list nothing twice
				continue
			}
			return &HistoryError{Method: w.method, Conversation: w.conv, Problem: problem}
		}
		req.LastMsgKey, prev, stuck = p.LastMsgKey, keys, 0
	}
}

// union adds b's keys to a (a new map when a is nil).
func union(a, b map[string]bool) map[string]bool {
	if a == nil {
		a = make(map[string]bool, len(b))
	}
	for k := range b {
		a[k] = true
	}
	return a
}

// fresh returns the messages of a page with a key that neither the page
// nor the previous one (prev) listed before, and the page's keys.
func fresh(page []Message, prev map[string]bool) ([]Message, map[string]bool) {
	keys := make(map[string]bool, len(page))
	out := page[:0:0]
	for _, m := range page {
		if m.MsgKey == "" || keys[m.MsgKey] || prev[m.MsgKey] {
			continue
		}
		keys[m.MsgKey] = true
		out = append(out, m)
	}
	return out, keys
}

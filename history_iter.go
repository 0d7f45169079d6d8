package chatrecall

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"time"
)

// This file walks history one page after another (spec 2.5 to 2.7), as
// iterators that take the context as a parameter and keep nothing between
// reads but the previous page. Package sweep reads many pages at once.

// HistoryStats says what a history read did, and why it stopped.
type HistoryStats struct {
	Pages    int // requests answered
	Messages int // messages yielded (after the time bounds)
	// Gaps are group sequence numbers the service returned nothing for
	// after a page made no progress (spec 2.5 rule 4): messages the read
	// could not see.
	Gaps []uint64
	// Stop says why the read ended: "start of history", "time bound",
	// "finished", "expired", "caller stopped", or the error.
	Stop string
}

// HistoryError is a history read that cannot go on: the service's paging
// broke its own rules (no progress, a cursor that does not move).
type HistoryError struct {
	Method       string
	Conversation Conversation
	Problem      string
}

// Error names the read, the conversation and the problem.
func (e *HistoryError) Error() string {
	return "chatrecall: " + e.Method + " " + e.Conversation.String() + ": " + e.Problem
}

// GroupHistoryQuery selects part of a group's history.
type GroupHistoryQuery struct {
	GroupID string // required
	TopicID string // a topic of a topic-enabled Community group; optional
	// Before starts the read at sequence numbers ≤ Before; 0 starts at the
	// newest message.
	Before uint64
	// Since ends the read at the first page wholly older than it; older
	// messages of a mixed page are dropped. Zero reads back to sequence 1.
	Since time.Time
	// Until drops messages newer than it; zero keeps them all.
	Until time.Time
	// PageSize is ReqMsgNumber, 1 to 20; 0 means 20.
	PageSize int
	// Stats, when set, receives what the read did once it ends.
	Stats *HistoryStats
}

// maxGaps is how many sequence numbers in a row may come back empty before
// a group read gives up (spec 2.5 rule 4).
const maxGaps = 20

// walk holds what one read needs: its bounds and its stats.
type walk struct {
	method       string
	conv         Conversation
	since, until time.Time
	stats        HistoryStats
	out          *HistoryStats
}

// errStopped: the caller broke out of the loop.
var errStopped = fmt.Errorf("stopped")

// run calls read with a yield that applies the time bounds, and yields
// read's failure once, as the last value.
func (w *walk) run(err error, yield func(Message, error) bool, read func(emit func(Message) (older bool, err error)) error) {
	defer func() {
		if w.out != nil {
			*w.out = w.stats
		}
	}()
	if err == nil && !w.since.IsZero() && !w.until.IsZero() && w.until.Before(w.since) {
		err = invalidf(w.method, "Until", "is %s, before Since (%s)", w.until.UTC().Format(time.RFC3339), w.since.UTC().Format(time.RFC3339))
	}
	if err == nil {
		err = read(func(m Message) (bool, error) {
			if !w.since.IsZero() && m.Time.Before(w.since) {
				return true, nil
			}
			if !w.until.IsZero() && m.Time.After(w.until) {
				return false, nil
			}
			w.stats.Messages++
			if !yield(m, nil) {
				return false, errStopped
			}
			return false, nil
		})
	}
	switch {
	case err == nil:
	case err == errStopped:
		w.stats.Stop = "caller stopped"
	default:
		w.stats.Stop = err.Error()
		yield(Message{}, err)
	}
}

// ends applies the stops a group or official-account page shares: a page
// wholly older than Since, and IsFinished 2 (all older messages expired).
func (w *walk) ends(wholeOlder bool, isFinished int) bool {
	switch {
	case wholeOlder && !w.since.IsZero():
		w.stats.Stop = "time bound"
	case isFinished == 2:
		w.stats.Stop = "expired"
	default:
		return false
	}
	return true
}

// GroupHistory reads a group's messages newest first, one
// GroupHistoryPage after another, recalled ones included (Message.State
// says which). Paging follows spec 2.5: the next page starts below the
// smallest sequence number returned, whatever IsFinished says; a page that
// makes no progress is asked again for one message, and a sequence number
// that still returns nothing is recorded in HistoryStats.Gaps (20 in a row
// is an error). The read ends at sequence 1, at IsFinished 2, on an empty
// finished page, or at the first page wholly older than Since. A failure
// is yielded once, as the last value; breaking out of the loop stops the
// read.
//
// Live-stream groups (AVChatRoom) keep no history: the read fails with an
// error matching ErrNoHistory, and the IDs of their messages can only come
// from the after-send webhook (package webhook).
func (c *Client) GroupHistory(ctx context.Context, q GroupHistoryQuery) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		const method = "GroupHistory"
		w := &walk{method: method, conv: Conversation{GroupID: q.GroupID, TopicID: q.TopicID}, since: q.Since, until: q.Until, out: q.Stats}
		req := GroupHistoryPageRequest{GroupID: q.GroupID, TopicID: q.TopicID, Before: q.Before, Count: q.PageSize}
		err := c.checkRead(method, ctx, req)
		w.run(renamed(err, method), yield, func(emit func(Message) (bool, error)) error { return c.walkGroup(ctx, w, req, emit) })
	}
}

// renamed reports a page request's validation error as method's, under
// the query's field names.
func renamed(err error, method string) error {
	if ve, ok := err.(*ValidationError); ok {
		ve.Method = method
		if f, ok := map[string]string{"Count": "PageSize", "MinTime": "Since", "MaxTime": "Until"}[ve.Field]; ok {
			ve.Field = f
		}
	}
	return err
}

func (c *Client) walkGroup(ctx context.Context, w *walk, req GroupHistoryPageRequest, emit func(Message) (bool, error)) error {
	size := req.Count
	if size == 0 {
		size = MaxGroupHistoryPage
	}
	cursor := req.Before // 0: none yet (first call asks for the newest)
	gaps := 0
	retry := false // the last page made no progress: ask for one message
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		req.Before, req.Count = cursor, size
		if retry {
			req.Count = 1
		}
		p, err := c.GroupHistoryPage(ctx, req)
		if err != nil {
			return err
		}
		w.stats.Pages++
		// Messages above the cursor were asked for before (or not at all):
		// a page of only those makes no progress.
		msgs := p.Messages[:0]
		for _, m := range p.Messages {
			if m.MsgSeq != 0 && (cursor == 0 || m.MsgSeq <= cursor) {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) == 0 {
			switch {
			case p.IsFinished == 2:
				w.stats.Stop = "expired"
				return nil
			case p.IsFinished == 1 && !retry:
				w.stats.Stop = map[bool]string{true: "finished", false: "start of history"}[cursor == 0]
				return nil
			case !retry:
				retry = true
				continue
			case cursor == 0:
				return &HistoryError{Method: w.method, Conversation: w.conv, Problem: "the newest page came back empty and not finished, twice"}
			}
			// Asked for one message at the cursor and got none: a gap.
			w.stats.Gaps = append(w.stats.Gaps, cursor)
			if gaps++; gaps >= maxGaps {
				return &HistoryError{Method: w.method, Conversation: w.conv, Problem: fmt.Sprintf("%d sequence numbers in a row (%d to %d) returned nothing", gaps, cursor, cursor+maxGaps-1)}
			}
			if cursor == 1 {
				w.stats.Stop = "start of history"
				return nil
			}
			cursor--
			continue
		}
		retry, gaps = false, 0
		// Yield newest first, each sequence number once.
		sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].MsgSeq > msgs[j].MsgSeq })
		wholeOlder := true
		var last uint64
		for _, m := range msgs {
			if m.MsgSeq == last {
				continue
			}
			last = m.MsgSeq
			older, err := emit(m)
			if err != nil {
				return err
			}
			wholeOlder = wholeOlder && older
		}
		if w.ends(wholeOlder, p.IsFinished) {
			return nil
		}
		if last <= 1 {
			w.stats.Stop = "start of history"
			return nil
		}
		cursor = last - 1
	}
}

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
		w := &walk{method: method, conv: Conversation{Account: q.Account, Peer: q.Peer}, out: q.Stats}
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
		wholeOlder := true
		msgs, keys := fresh(p.Messages, prev)
		for _, m := range msgs {
			older, err := emit(m)
			if err != nil {
				return err
			}
			wholeOlder = wholeOlder && older
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

// History reads conv's history between since and until (zero: unbounded),
// newest first: GroupHistory, C2CHistory or OfficialHistory by the kind of
// conversation. stats, when not nil, receives what the read did.
func (c *Client) History(ctx context.Context, conv Conversation, since, until time.Time, stats *HistoryStats) iter.Seq2[Message, error] {
	if err := conv.validate("History"); err != nil {
		return func(yield func(Message, error) bool) {
			if stats != nil {
				*stats = HistoryStats{Stop: err.Error()}
			}
			yield(Message{}, err)
		}
	}
	switch conv.Kind() {
	case KindC2C:
		return c.C2CHistory(ctx, C2CHistoryQuery{Account: conv.Account, Peer: conv.Peer, Since: since, Until: until, Stats: stats})
	case KindOfficial:
		return c.OfficialHistory(ctx, OfficialHistoryQuery{Account: conv.Official, Since: since, Until: until, Stats: stats})
	}
	return c.GroupHistory(ctx, GroupHistoryQuery{GroupID: conv.GroupID, TopicID: conv.TopicID, Since: since, Until: until, Stats: stats})
}

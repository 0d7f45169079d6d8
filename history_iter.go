package chatrecall

import (
	"context"
	"fmt"
	"iter"
	"slices"
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
	if err == nil && !w.since.IsZero() && !w.until.IsZero() && !w.until.After(w.since) {
		err = invalidf(w.method, "Until", "is %s, not after Since (%s): the window is empty (give Until a second later to read one second)", w.until.UTC().Format(time.RFC3339), w.since.UTC().Format(time.RFC3339))
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
// emitAll yields a page's messages and reports whether every one of them
// was older than the window.
func emitAll(msgs []Message, emit func(Message) (older bool, err error)) (wholeOlder bool, err error) {
	wholeOlder = true
	for _, m := range msgs {
		older, err := emit(m)
		if err != nil {
			return false, err
		}
		wholeOlder = wholeOlder && older
	}
	return wholeOlder, nil
}

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
		msgs = slices.CompactFunc(msgs, func(a, b Message) bool { return a.MsgSeq == b.MsgSeq })
		wholeOlder, err := emitAll(msgs, emit)
		if err != nil {
			return err
		}
		if w.ends(wholeOlder, p.IsFinished) {
			return nil
		}
		var last uint64
		if n := len(msgs); n > 0 {
			last = msgs[n-1].MsgSeq
		}
		if last <= 1 {
			w.stats.Stop = "start of history"
			return nil
		}
		cursor = last - 1
	}
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

package sweep

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// ErrIncomplete matches the error of a sweep that did not see everything
// it was asked to cover: a part of the history it could not read, or
// items it could not verify because a read failed. Report.Unseen names
// the ranges.
var ErrIncomplete = errors.New("incomplete")

// Check is what verification found for one message.
type Check uint8

const (
	// CheckNone: not verified (yet).
	CheckNone Check = iota
	// CheckRecalled: read back as recalled.
	CheckRecalled
	// CheckNotRecalled: read back, still there, and the service did not
	// say it was recalled.
	CheckNotRecalled
	// CheckDeleted: read back as deleted or expired (IsPlaceMsg 1): gone,
	// whether or not the recall took effect first.
	CheckDeleted
	// CheckMissing: the read-back did not list it (past roaming retention,
	// another party's view, or no history to read): unverifiable.
	CheckMissing
	// CheckStillVisible: the service answered the recall as done (or the
	// message as gone), yet history still showed it after Options.Settle.
	// The outcome stays the service's; the history lags or disagrees.
	CheckStillVisible
)

// String returns "unverified", "recalled", "not recalled", "deleted",
// "missing" or "still visible".
func (c Check) String() string {
	switch c {
	case CheckNone:
		return "unverified"
	case CheckRecalled:
		return "recalled"
	case CheckNotRecalled:
		return "not recalled"
	case CheckDeleted:
		return "deleted"
	case CheckMissing:
		return "missing"
	case CheckStillVisible:
		return "still visible"
	}
	return "Check(" + strconv.Itoa(int(c)) + ")"
}

// Outcome is one message's outcome.
type Outcome struct {
	Item
	// Err is nil when the message is recalled. After verification it says
	// what history shows where that is a fact: an error matching
	// ErrNotRecalled when the message is still there and the service never
	// said it was recalled (the recall's own error kept inside); ErrGone
	// for a message read back deleted. ErrOutcomeUnknown remains only where
	// nothing could check. A read never replaces the service's own "done".
	Err error
	// ConfirmedByRetry: the recall's answer was lost and a retry heard
	// "already gone".
	ConfirmedByRetry bool
	// Check is what verification read back.
	Check Check
	// Settled: the recall's outcome was unknown, and verification or a
	// later round turned it into a fact.
	Settled bool
	// DeletedBySender: taken back by delete_group_msg_by_sender (read back
	// gone after it); no recall was sent. Done, never counted as verified.
	DeletedBySender bool
	// Extra: not in the plan, but taken back all the same, by
	// delete_group_msg_by_sender (a message the sender posted between the
	// check and the delete). Reported so that nothing any path took back
	// goes unlisted.
	Extra bool
}

// Range is part of a conversation's history a sweep could not see.
type Range struct {
	// FirstSeq and LastSeq bound it for groups (inclusive); both 0 when
	// the range is a time range or the whole conversation.
	FirstSeq, LastSeq uint64
	// Since and Until bound it for one-to-one conversations.
	Since, Until time.Time
	Why          string
}

// String reads like "seqs 100-120: the service returned nothing for it".
func (r Range) String() string {
	switch {
	case r.LastSeq != 0 && r.FirstSeq == r.LastSeq:
		return fmt.Sprintf("seq %d: %s", r.FirstSeq, r.Why)
	case r.LastSeq != 0:
		return fmt.Sprintf("seqs %d-%d: %s", r.FirstSeq, r.LastSeq, r.Why)
	case !r.Until.IsZero():
		return fmt.Sprintf("%s to %s: %s", r.Since.UTC().Format(time.RFC3339), r.Until.UTC().Format(time.RFC3339), r.Why)
	}
	return r.Why
}

// IncompleteError is a sweep that did not see everything it covered. It
// matches ErrIncomplete.
type IncompleteError struct {
	Conversation chatrecall.Conversation
	Unseen       []Range
}

// Error names the conversation and the first ranges not seen.
func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sweep: %s: incomplete: %d range(s) of history not seen", e.Conversation, len(e.Unseen))
	for i, r := range e.Unseen {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Unseen)-3)
			break
		}
		b.WriteString("; ")
		b.WriteString(r.String())
	}
	return b.String()
}

// Is matches ErrIncomplete.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// SenderNote says what the delete-by-sender fast path did for one sender.
type SenderNote struct {
	Sender string
	// Deleted: delete_group_msg_by_sender was asked for this sender.
	Deleted bool
	// Why it was or was not used, such as "2 visible messages of the
	// sender among the last 1,000 are not in the plan".
	Why string
}

// record is what a report keeps per target: a compact copy of the item
// and its outcome.
type record struct {
	seq    uint64
	key    string
	time   int64
	err    error
	sender int32
	check  Check
	flags  uint8
}

const (
	fConfirmed uint8 = 1 << iota
	fSettled
	fDeletedBySender
	fExtra
	fEnded // the first recall ended (or the item needs none)
	fFinal // the outcome is final and was handed to OnOutcome
)

// Report is the outcome of a sweep: one Outcome per planned message, in
// plan order, kept compactly (Outcomes rebuilds them).
type Report struct {
	Conversation chatrecall.Conversation
	Plan         PlanStats
	Rounds       int  // recall rounds: 1, plus one per re-recall after a verify
	Verified     bool // verification read back every item it could
	// Unseen are the parts of the history the sweep could not see (the
	// plan's read, or verification's). A report with any is incomplete:
	// Err matches ErrIncomplete.
	Unseen []Range
	// Senders says, with Options.DeleteBySender, for which senders
	// delete_group_msg_by_sender was used, and why or why not.
	Senders []SenderNote
	// PagesInFlight and RecallsInFlight are the most requests the sweep
	// had in flight at once, for each endpoint.
	PagesInFlight, RecallsInFlight int

	recs   []record
	names  []string
	byName map[string]int32
}

func newReport(conv chatrecall.Conversation) *Report {
	return &Report{Conversation: conv, Rounds: 1, byName: map[string]int32{}}
}

func (r *Report) add(it Item, flags uint8) int {
	n, ok := r.byName[it.Sender]
	if !ok {
		n = int32(len(r.names))
		r.names = append(r.names, it.Sender)
		r.byName[it.Sender] = n
	}
	r.recs = append(r.recs, record{seq: it.MsgSeq, key: it.MsgKey, time: it.Time, sender: n, flags: flags})
	return len(r.recs) - 1
}

func (r *Report) item(i int) Item {
	rec := &r.recs[i]
	it := Item{Conversation: r.Conversation, Sender: r.names[rec.sender], MsgSeq: rec.seq, MsgKey: rec.key, Time: rec.time}
	if it.Kind() == chatrecall.KindC2C {
		it.To = r.Conversation.Peer
		if it.Sender == it.To {
			it.To = r.Conversation.Account
		}
	}
	return it
}

// Len returns how many outcomes the report holds.
func (r *Report) Len() int { return len(r.recs) }

// Outcome returns the i-th outcome, 0 ≤ i < Len().
func (r *Report) Outcome(i int) Outcome {
	rec := &r.recs[i]
	return Outcome{Item: r.item(i), Err: rec.err, ConfirmedByRetry: rec.flags&fConfirmed != 0, Check: rec.check,
		Settled: rec.flags&fSettled != 0, DeletedBySender: rec.flags&fDeletedBySender != 0, Extra: rec.flags&fExtra != 0}
}

// Outcomes yields every outcome in plan order.
func (r *Report) Outcomes() iter.Seq[Outcome] {
	return func(yield func(Outcome) bool) {
		for i := range r.recs {
			if !yield(r.Outcome(i)) {
				return
			}
		}
	}
}

// Summary counts a report's items. Every planned item is in exactly one
// of Recalled, NotRecalled, Failed, Unknown and NotSent; Extra items are
// counted apart.
type Summary struct {
	Total int
	// Recalled: done. Verified of them read back recalled or deleted,
	// StillVisible of them answered done yet still shown by history,
	// DeletedBySender taken back by that fast path.
	Recalled        int
	Verified        int
	StillVisible    int
	DeletedBySender int
	Deleted         int // read back as deleted or expired after a failed recall (counted in Failed)
	NotRecalled     int // read back as still there, never answered as done
	Failed          int // not recalled, with the service's reason
	Unknown         int // ErrOutcomeUnknown: nothing could check
	NotSent         int
	Missing         int // not listed by the read-back (any outcome)
	Settled         int // unknown after the recall, settled later
	Extra           int // taken back though not in the plan (delete-by-sender)
}

// Summary counts the report's items by outcome.
func (r *Report) Summary() Summary {
	var s Summary
	for i := range r.recs {
		rec := &r.recs[i]
		if rec.flags&fExtra != 0 {
			s.Extra++
			continue
		}
		s.Total++
		if rec.flags&fSettled != 0 {
			s.Settled++
		}
		if rec.check == CheckMissing {
			s.Missing++
		}
		switch err := rec.err; {
		case err == nil:
			s.Recalled++
			switch {
			case rec.flags&fDeletedBySender != 0:
				s.DeletedBySender++
			case rec.check == CheckRecalled || rec.check == CheckDeleted:
				s.Verified++
			case rec.check == CheckStillVisible:
				s.StillVisible++
			}
		case errors.Is(err, chatrecall.ErrOutcomeUnknown):
			s.Unknown++
		case errors.Is(err, chatrecall.ErrNotSent):
			s.NotSent++
		case errors.Is(err, chatrecall.ErrNotRecalled):
			s.NotRecalled++
		default:
			s.Failed++
			if rec.check == CheckDeleted {
				s.Deleted++
			}
		}
	}
	return s
}

// Err returns nil when every planned item is recalled and the sweep saw
// everything it covered. Otherwise it joins a *chatrecall.PartialError
// over the items that are not recalled and, when history was not all seen,
// an *IncompleteError (matching ErrIncomplete).
func (r *Report) Err() error {
	var pe *chatrecall.PartialError
	for i := range r.recs {
		rec := &r.recs[i]
		if rec.err == nil || rec.flags&fExtra != 0 {
			continue
		}
		if pe == nil {
			pe = &chatrecall.PartialError{Endpoint: endpointOf(r.Conversation)}
		}
		pe.Failed++
		switch {
		case errors.Is(rec.err, chatrecall.ErrOutcomeUnknown):
			pe.Unknown++
		case errors.Is(rec.err, chatrecall.ErrNotSent):
			pe.NotSent++
		}
		pe.Errs = append(pe.Errs, &chatrecall.ItemError{Item: itemName(r.item(i)), Err: rec.err})
	}
	var errs []error
	if pe != nil {
		pe.Total = r.Summary().Total
		errs = append(errs, pe)
	}
	if len(r.Unseen) > 0 {
		errs = append(errs, &IncompleteError{Conversation: r.Conversation, Unseen: r.Unseen})
	}
	return errors.Join(errs...)
}

func endpointOf(conv chatrecall.Conversation) string {
	switch conv.Kind() {
	case chatrecall.KindC2C:
		return chatrecall.EndpointC2CRecall
	case chatrecall.KindOfficial:
		return chatrecall.EndpointOfficialRecall
	}
	return chatrecall.EndpointGroupRecall
}

func itemName(it Item) string {
	if it.Kind() == chatrecall.KindGroup {
		return "MsgSeq " + strconv.FormatUint(it.MsgSeq, 10)
	}
	return "MsgKey " + strconv.Quote(it.MsgKey)
}

// notRecalledError: verification read the message back, not recalled,
// and the service never said it was.
type notRecalledError struct {
	recall error // what the recall said
}

func (e *notRecalledError) Error() string {
	return "sweep: verification found the message still there (the recall said: " + strings.TrimPrefix(e.recall.Error(), "chatrecall: ") + ")"
}

func (e *notRecalledError) Is(target error) bool { return target == chatrecall.ErrNotRecalled }

// Unwrap keeps the recall's own error visible to errors.Is and errors.As,
// except ErrOutcomeUnknown, which the verification replaced with a fact.
func (e *notRecalledError) Unwrap() error {
	if errors.Is(e.recall, chatrecall.ErrOutcomeUnknown) {
		return nil
	}
	return e.recall
}

// goneError: verification read back as deleted or expired a message whose
// recall did not succeed.
type goneError struct{ recall error }

func (e *goneError) Error() string {
	return "sweep: verification found the message deleted or expired (the recall said: " + strings.TrimPrefix(e.recall.Error(), "chatrecall: ") + ")"
}

func (e *goneError) Is(target error) bool { return target == chatrecall.ErrGone }

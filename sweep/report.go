package sweep

import (
	"errors"
	"iter"
	"strconv"

	"github.com/chatrecall/chatrecall"
)

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
		pe.Add(itemName(r.item(i)), rec.err)
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

func itemName(it Item) string {
	if it.Kind() == chatrecall.KindGroup {
		return "MsgSeq " + strconv.FormatUint(it.MsgSeq, 10)
	}
	return "MsgKey " + strconv.Quote(it.MsgKey)
}

package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file is what a sweep says of one message and of the history it
// could not see.

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

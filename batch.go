package chatrecall

import (
	"fmt"
	"strings"
)

// MaxRecallItems is the documented cap of MsgSeqList and MsgKeyList: how
// many messages one group or official-account recall request carries. A
// call with more is sent as several requests.
const MaxRecallItems = 10

const maxItemsPerRequest = MaxRecallItems

// partialError builds the error of a multi-item recall from its item
// states, or returns nil when every item was recalled.
func partialError(endpoint string, st []itemState, cause error, name func(i int) string) error {
	var pe *PartialError
	for i := range st {
		err := st[i].err
		if err == nil {
			continue
		}
		if pe == nil {
			pe = &PartialError{Endpoint: endpoint, Total: len(st), Cause: cause}
		}
		pe.Add(name(i), err)
	}
	if pe == nil {
		return nil
	}
	return pe
}

// Summary counts the items of a multi-item recall by outcome. Every item is
// in exactly one of Recalled, Failed, Unknown and NotSent.
type Summary struct {
	Total     int
	Recalled  int // recalled, Confirmed of them by a retry after an ambiguous attempt
	Confirmed int
	Failed    int // not recalled, with the service's reason
	Unknown   int // ErrOutcomeUnknown
	NotSent   int // ErrNotSent: certainly took no effect
}

func (s *Summary) add(err error, confirmed bool) {
	s.Total++
	switch OutcomeOf(err) {
	case OutcomeRecalled:
		s.Recalled++
		if confirmed {
			s.Confirmed++
		}
	case OutcomeUnknown:
		s.Unknown++
	case OutcomeNotSent:
		s.NotSent++
	default:
		s.Failed++
	}
}

// ItemError is the failure of one item of a multi-item recall (one group
// message sequence number, one official-account MsgKey). Err is the cause:
// an *APIError with the item's own RetCode, or the error of the whole request
// that carried it.
type ItemError struct {
	Item string // such as "MsgSeq 12" or `MsgKey "abc"`
	Err  error
}

// Error reads like "MsgSeq 12: chatrecall: group_msg_recall: code 10030 (...)".
func (e *ItemError) Error() string { return e.Item + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ItemError) Unwrap() error { return e.Err }

// PartialError reports that some items of a multi-item recall were not
// recalled. The result returned beside it is still complete: every item has
// its outcome. It unwraps to the item errors, so errors.Is(err, ErrNotFound)
// is true when any item was not found.
type PartialError struct {
	Endpoint string
	Total    int // items requested
	// NotDone counts the items not recalled: Failed + Unknown + NotSent.
	NotDone int
	// Failed, Unknown and NotSent are the words of Summary, the CLI and
	// the hooks: not recalled with the service's reason; outcome unknown
	// (ErrOutcomeUnknown); never sent, so certainly no effect (ErrNotSent).
	Failed, Unknown, NotSent int
	// Cause is the failure that stopped the operation before every item was
	// sent: a whole-request failure that every request would repeat (wrong
	// key, no permission, unknown group), or the context's end. Nil when
	// every item was tried.
	Cause error
	Errs  []error // one *ItemError per failed item, in input order
}

// Error reads like "chatrecall: group_msg_recall: 2 of 25 items not recalled;
// first: MsgSeq 12: ...".
func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chatrecall: %s: %d of %d items not recalled", e.Endpoint, e.NotDone, e.Total)
	if e.Unknown > 0 || e.NotSent > 0 {
		fmt.Fprintf(&b, " (%d failed, %d outcome unknown, %d not sent)", e.Failed, e.Unknown, e.NotSent)
	}
	if e.Cause != nil {
		b.WriteString("; stopped by: ")
		b.WriteString(strings.TrimPrefix(e.Cause.Error(), "chatrecall: "))
	}
	if len(e.Errs) > 0 {
		b.WriteString("; first: ")
		msg := e.Errs[0].Error()
		b.WriteString(strings.Replace(msg, "chatrecall: "+e.Endpoint+": ", "", 1))
	}
	return b.String()
}

// Unwrap returns the item errors.
func (e *PartialError) Unwrap() []error { return e.Errs }

// count adds one item not recalled, under the word for its outcome.
func (e *PartialError) count(err error) {
	e.NotDone++
	switch OutcomeOf(err) {
	case OutcomeUnknown:
		e.Unknown++
	case OutcomeNotSent:
		e.NotSent++
	default:
		e.Failed++
	}
}

// Add counts one item not recalled (an error of its outcome) and keeps it
// under name, for workflows that build a PartialError of their own.
func (e *PartialError) Add(name string, err error) {
	e.count(err)
	e.Errs = append(e.Errs, &ItemError{Item: name, Err: err})
}

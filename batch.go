package chatrecall

import (
	"errors"
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
	switch {
	case err == nil:
		s.Recalled++
		if confirmed {
			s.Confirmed++
		}
	case errors.Is(err, ErrOutcomeUnknown):
		s.Unknown++
	case errors.Is(err, ErrNotSent):
		s.NotSent++
	default:
		s.Failed++
	}
}

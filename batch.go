package chatrecall

import (
	"errors"
)

// maxItemsPerRequest is the documented cap of MsgSeqList and MsgKeyList.
const maxItemsPerRequest = 10

// appendField appends `"name":` and s as a JSON string.
func appendField(dst []byte, name, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return appendJSONString(dst, s)
}

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
		pe.Failed++
		switch {
		case errors.Is(err, ErrOutcomeUnknown):
			pe.Unknown++
		case errors.Is(err, ErrNotSent):
			pe.NotSent++
		}
		pe.Errs = append(pe.Errs, &ItemError{Item: name(i), Err: err})
	}
	if pe == nil {
		return nil
	}
	return pe
}

package chatrecall

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is what requests and answers look like on the wire, as every
// layer reads them: a decoded answer's code, and what a multi-item answer's
// list says of one item.

// response is a decoded response body that knows its outcome.
type response interface {
	// result returns the service's code and text; ok is false when the body
	// carried neither.
	result() (code Code, info string, ok bool)
}

// answerKind says what a multi-item response's list says of one item.
type answerKind int

const (
	answerNoList        answerKind = iota // the response carried no list at all
	answerUnlisted                        // a list, but the item is not in it (or only with a null code)
	answerCoded                           // listed with one code
	answerContradictory                   // listed more than once with different codes
)

type listAnswer struct {
	kind answerKind
	code Code
}

// add folds one list entry for the item into a.
func (a listAnswer) add(code optInt) listAnswer {
	if !code.set {
		return a // an entry without a code says nothing
	}
	switch a.kind {
	case answerCoded:
		if a.code != Code(code.v) {
			return listAnswer{kind: answerContradictory}
		}
		return a
	case answerContradictory:
		return a
	}
	return listAnswer{kind: answerCoded, code: Code(code.v)}
}

// optInt is an integer that remembers whether it was present, without
// the allocation of a *int.
type optInt struct {
	v   int
	set bool
}

// UnmarshalJSON reads a JSON integer; null leaves it unset.
func (o *optInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("not an integer: %.20q", b)
	}
	o.v, o.set = n, true
	return nil
}

// chatEnvelope is the part every Chat response shares.
type chatEnvelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    optInt `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

func (e *chatEnvelope) result() (Code, string, bool) {
	if !e.ErrorCode.set {
		// Some responses omit ErrorCode; success is then ActionStatus "OK".
		return 0, "", e.ActionStatus == "OK"
	}
	return Code(e.ErrorCode.v), e.ErrorInfo, true
}

// appendField appends `"name":` and s as a JSON string.
func appendField(dst []byte, name, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return appendJSONString(dst, s)
}

// appendJSONString appends s as encoding/json (with HTML escaping, as the
// reference library's json.Encoder does) would write it.
func appendJSONString(dst []byte, s string) []byte {
	plain := utf8.ValidString(s) && !strings.ContainsAny(s, "\"\\<>&\u2028\u2029")
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= 0x20
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

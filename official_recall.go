package chatrecall

import (
	"context"
	"strconv"
)

// OfficialAccountRecall asks to recall messages of one official account.
type OfficialAccountRecall struct {
	// Account is the official account, such as "@TOA#_2J4SZEAEL". Required.
	Account string
	// MsgKeys are the keys of the messages. Any number may be given; the
	// client sends them 10 per request. Empty keys and duplicates are refused.
	MsgKeys []string
	// Reason is sent only when set; at most MaxReasonBytes (100) bytes. A
	// Chinese character takes 3 bytes, so 34 of them are too many.
	Reason string
	// PossiblyApplied lists keys (of MsgKeys) an earlier attempt, outside
	// this call, may have recalled; see GroupRecall.PossiblyApplied.
	PossiblyApplied []string
}

// OfficialAccountRecallResult holds one outcome per requested key, in the
// order they were given.
type OfficialAccountRecallResult struct {
	Account string
	Items   []OfficialAccountRecallItem
}

// OfficialAccountRecallItem is the outcome of one message.
type OfficialAccountRecallItem struct {
	MsgKey string
	// Err is nil when the message was recalled; see GroupRecallItem.Err.
	Err error
	// ConfirmedByRetry: see GroupRecallItem.ConfirmedByRetry (code 10030).
	ConfirmedByRetry bool
}

// Recalled reports whether the message was recalled.
func (i OfficialAccountRecallItem) Recalled() bool { return i.Err == nil }

// Summary counts the items by outcome.
func (r *OfficialAccountRecallResult) Summary() Summary {
	var s Summary
	for _, it := range r.Items {
		s.add(it.Err, it.ConfirmedByRetry)
	}
	return s
}

type officialRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgKey  string `json:"MsgKey"`
		RetCode optInt `json:"RetCode"` // unset: no outcome was given
	} `json:"RecallRetList"`
}

// answer reads what the list says of key.
func (r *officialRecallResponse) answer(key string) listAnswer {
	if r.RecallRetList == nil {
		return listAnswer{kind: answerNoList}
	}
	a := listAnswer{kind: answerUnlisted}
	for _, e := range r.RecallRetList {
		if e.MsgKey == key {
			a = a.add(e.RetCode)
		}
	}
	return a
}

// RecallOfficialAccountMessages recalls messages an official account sent
// (official_account_msg_recall). It keeps the same contract as
// RecallGroupMessages: input checked before sending, 10 keys per request,
// one outcome per key in input order, and a *PartialError when any key was
// not recalled.
func (c *Client) RecallOfficialAccountMessages(ctx context.Context, r OfficialAccountRecall) (*OfficialAccountRecallResult, error) {
	st, err := manyRecall[string]{
		method: "RecallOfficialAccountMessages", ep: epOfficialRecall, items: r.MsgKeys, maybe: r.PossiblyApplied, check: r.Validate,
		head: func(dst []byte) []byte {
			return append(appendField(append(dst, '{'), "Official_Account", r.Account), `,"MsgKeyList":[`...)
		},
		item: appendJSONString,
		tail: func(dst []byte) []byte {
			dst = append(dst, ']')
			if r.Reason != "" {
				dst = appendField(append(dst, ','), "Reason", r.Reason)
			}
			return append(dst, '}')
		},
		size:    40,
		newResp: func() response { return new(officialRecallResponse) },
		answer:  func(resp response, key string) listAnswer { return resp.(*officialRecallResponse).answer(key) },
		name:    keyName,
	}.run(c, ctx)
	if st == nil {
		return nil, err
	}
	items := make([]OfficialAccountRecallItem, len(r.MsgKeys))
	for i, k := range r.MsgKeys {
		items[i] = OfficialAccountRecallItem{MsgKey: k, Err: st[i].err, ConfirmedByRetry: st[i].confirmed}
	}
	return &OfficialAccountRecallResult{Account: r.Account, Items: items}, err
}

func keyName(k string) string { return "MsgKey " + strconv.Quote(k) }

// Validate checks r as RecallOfficialAccountMessages does before sending
// anything, and returns the same *ValidationError.
func (r OfficialAccountRecall) Validate() error {
	const method = "RecallOfficialAccountMessages"
	if err := checkRequired(method, "Account", r.Account, "the official account, such as @TOA#_2J4SZEAEL"); err != nil {
		return err
	}
	if len(r.MsgKeys) == 0 {
		return invalidf(method, "MsgKeys", "needs at least one key, got none")
	}
	if err := checkUniqueKeys(method, "MsgKeys", r.MsgKeys); err != nil {
		return err
	}
	if len(r.PossiblyApplied) > 0 {
		in := make(map[string]bool, len(r.MsgKeys))
		for _, k := range r.MsgKeys {
			in[k] = true
		}
		for i, k := range r.PossiblyApplied {
			if !in[k] {
				return invalidf(method, "PossiblyApplied["+strconv.Itoa(i)+"]", "%q is not in MsgKeys", k)
			}
		}
	}
	return validateReason(method, r.Reason)
}

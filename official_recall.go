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

// Recalled counts the recalled messages.
func (r *OfficialAccountRecallResult) Recalled() int {
	n := 0
	for _, it := range r.Items {
		if it.Err == nil {
			n++
		}
	}
	return n
}

type officialRecallRequest struct {
	Account    string   `json:"Official_Account"`
	MsgKeyList []string `json:"MsgKeyList"`
	Reason     string   `json:"Reason,omitempty"`
}

type officialRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgKey  string `json:"MsgKey"`
		RetCode *int   `json:"RetCode"` // nil: no outcome was given
	} `json:"RecallRetList"`
}

func (r *officialRecallResponse) itemCodes() []itemCode[string] {
	out := make([]itemCode[string], 0, len(r.RecallRetList))
	for _, e := range r.RecallRetList {
		if e.RetCode != nil { // an entry without a code says nothing
			out = append(out, itemCode[string]{e.MsgKey, *e.RetCode})
		}
	}
	return out
}

// RecallOfficialAccountMessages recalls messages an official account sent
// (official_account_msg_recall). It keeps the same contract as
// RecallGroupMessages: input checked before sending, 10 keys per request,
// one outcome per key in input order, and a *PartialError when any key was
// not recalled.
func (c *Client) RecallOfficialAccountMessages(ctx context.Context, r OfficialAccountRecall) (*OfficialAccountRecallResult, error) {
	const method = "RecallOfficialAccountMessages"
	if !c.chat {
		return nil, errChatNotConfigured(method)
	}
	if err := validateOfficialRecall(r); err != nil {
		return nil, err
	}
	op := batchOp[string]{
		method: method,
		ep:     epOfficialRecall,
		keys:   r.MsgKeys,
		body: func(keys []string) any {
			return &officialRecallRequest{Account: r.Account, MsgKeyList: keys, Reason: r.Reason}
		},
		newResp:  func() batchResponse[string] { return new(officialRecallResponse) },
		itemName: keyName,
	}
	outs := runBatch(ctx, c, op)
	res := &OfficialAccountRecallResult{Account: r.Account, Items: make([]OfficialAccountRecallItem, len(outs))}
	for i, o := range outs {
		res.Items[i] = OfficialAccountRecallItem{MsgKey: r.MsgKeys[i], Err: o.err, ConfirmedByRetry: o.confirmed}
	}
	return res, partialError(EndpointOfficialRecall, r.MsgKeys, outs, keyName)
}

func keyName(k string) string { return "MsgKey " + strconv.Quote(k) }

func validateOfficialRecall(r OfficialAccountRecall) error {
	const method = "RecallOfficialAccountMessages"
	if r.Account == "" {
		return invalidf(method, "Account", "is required, got an empty string")
	}
	if len(r.MsgKeys) == 0 {
		return invalidf(method, "MsgKeys", "needs at least one key, got none")
	}
	if err := checkUniqueKeys(method, "MsgKeys", r.MsgKeys); err != nil {
		return err
	}
	return validateReason(method, r.Reason)
}

// checkUniqueKeys refuses empty and duplicate keys, naming the index.
func checkUniqueKeys(method, field string, keys []string) error {
	seen := make(map[string]int, len(keys))
	for i, k := range keys {
		f := field + "[" + strconv.Itoa(i) + "]"
		if k == "" {
			return invalidf(method, f, "is empty")
		}
		if j, dup := seen[k]; dup {
			return invalidf(method, f, "duplicate of %s[%d] (%q)", field, j, k)
		}
		seen[k] = i
	}
	return nil
}

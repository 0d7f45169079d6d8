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

type officialRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgKey  string `json:"MsgKey"`
		RetCode optInt `json:"RetCode"` // unset: no outcome was given
	} `json:"RecallRetList"`
}

func (r *officialRecallResponse) itemCode(key string) (int, bool) {
	for _, e := range r.RecallRetList {
		if e.MsgKey == key && e.RetCode.set { // an entry without a code says nothing
			return e.RetCode.v, true
		}
	}
	return 0, false
}

func (r *officialRecallResponse) listed() bool { return len(r.RecallRetList) > 0 }

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
	items := make([]OfficialAccountRecallItem, len(r.MsgKeys))
	for i, k := range r.MsgKeys {
		items[i].MsgKey = k
	}
	op := batchOp[string, OfficialAccountRecallItem]{
		items:  items,
		set:    func(it *OfficialAccountRecallItem, o itemOutcome) { it.Err, it.ConfirmedByRetry = o.err, o.confirmed },
		method: method,
		ep:     epOfficialRecall,
		keys:   r.MsgKeys,
		appendBody: func(dst []byte, keys []string, idx []int) []byte {
			dst = appendField(append(dst, '{'), "Official_Account", r.Account)
			dst = append(dst, `,"MsgKeyList":[`...)
			for n, i := range idx {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, keys[i])
			}
			dst = append(dst, ']')
			if r.Reason != "" {
				dst = appendField(append(dst, ','), "Reason", r.Reason)
			}
			return append(dst, '}')
		},
		newResp: func() batchResponse[string] { return new(officialRecallResponse) },
	}
	runBatch(ctx, c, op)
	return &OfficialAccountRecallResult{Account: r.Account, Items: items},
		partialError(EndpointOfficialRecall, r.MsgKeys, func(i int) error { return items[i].Err }, keyName)
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
	for i, k := range keys {
		if k == "" {
			return invalidf(method, field+"["+strconv.Itoa(i)+"]", "is empty")
		}
	}
	if i, j := firstDuplicate(keys); i >= 0 {
		return invalidf(method, field+"["+strconv.Itoa(i)+"]", "duplicate of %s[%d] (%q)", field, j, keys[i])
	}
	return nil
}

package chatrecall

import (
	"context"
	"strconv"
)

// MaxReasonBytes caps the Reason of a group or official-account recall. The
// documentation gives 100 bytes for official accounts and no figure for
// groups; the client applies the same cap to both.
const MaxReasonBytes = 100

// GroupRecall asks to recall messages of one group.
type GroupRecall struct {
	// GroupID is the group, such as "@TGS#2J4SZEAEL". Required.
	GroupID string
	// MsgSeqs are the sequence numbers of the messages. Any number may be
	// given; the client sends them 10 per request. Zero and duplicates are
	// refused.
	MsgSeqs []uint64
	// TopicID names a topic of a topic-enabled Community group. Optional.
	TopicID string
	// Reason is sent only when set; at most MaxReasonBytes bytes.
	Reason string
}

// GroupRecallResult holds one outcome per requested sequence number, in the
// order they were given.
type GroupRecallResult struct {
	GroupID string
	Items   []GroupRecallItem
}

// GroupRecallItem is the outcome of one message.
type GroupRecallItem struct {
	MsgSeq uint64
	// Err is nil when the message was recalled. Otherwise it is an *APIError
	// with the message's own RetCode, or the error of the request that
	// carried it; errors.Is(Err, ErrOutcomeUnknown) when nobody can tell.
	Err error
	// ConfirmedByRetry: an attempt whose answer was lost may have recalled
	// the message, and the retry found it gone (code 10030). The service
	// uses one code for "already recalled" and "does not exist", so this
	// also covers a sequence number that never existed.
	ConfirmedByRetry bool
}

// Recalled reports whether the message was recalled.
func (i GroupRecallItem) Recalled() bool { return i.Err == nil }

// Recalled counts the recalled messages.
func (r *GroupRecallResult) Recalled() int {
	n := 0
	for _, it := range r.Items {
		if it.Err == nil {
			n++
		}
	}
	return n
}

type groupRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgSeq  uint64 `json:"MsgSeq"`
		RetCode optInt `json:"RetCode"` // unset: no outcome was given
	} `json:"RecallRetList"`
}

func (r *groupRecallResponse) itemCode(key uint64) (int, bool) {
	for _, e := range r.RecallRetList {
		if e.MsgSeq == key && e.RetCode.set { // an entry without a code says nothing
			return e.RetCode.v, true
		}
	}
	return 0, false
}

func (r *groupRecallResponse) listed() bool { return len(r.RecallRetList) > 0 }

// RecallGroupMessages recalls messages of a group (group_msg_recall).
//
// Input is checked before anything is sent: an empty GroupID, no MsgSeqs, a
// zero or duplicate sequence number or a Reason over MaxReasonBytes returns a
// *ValidationError naming the field, and nothing is sent.
//
// The messages go out 10 per request, up to WithConcurrency requests at
// once. The result always has one item per sequence number, in input order.
// When any item was not recalled, the error is a *PartialError that unwraps
// to the item errors, so errors.Is(err, ErrNotFound) works; the result is
// complete beside it. A top-level ErrorCode of 0 does not mean every message
// was recalled: each message's own RetCode decides its outcome.
//
// In live-stream groups (AVChatRoom) a recall reaches only online members and
// only messages under an hour old.
func (c *Client) RecallGroupMessages(ctx context.Context, r GroupRecall) (*GroupRecallResult, error) {
	const method = "RecallGroupMessages"
	if !c.chat {
		return nil, errChatNotConfigured(method)
	}
	if err := validateGroupRecall(r); err != nil {
		return nil, err
	}
	items := make([]GroupRecallItem, len(r.MsgSeqs))
	for i, k := range r.MsgSeqs {
		items[i].MsgSeq = k
	}
	op := batchOp[uint64, GroupRecallItem]{
		items:  items,
		set:    func(it *GroupRecallItem, o itemOutcome) { it.Err, it.ConfirmedByRetry = o.err, o.confirmed },
		method: method,
		ep:     epGroupRecall,
		keys:   r.MsgSeqs,
		appendBody: func(dst []byte, seqs []uint64, idx []int) []byte {
			// {"GroupId":…,"MsgSeqList":[{"MsgSeq":…},…],"TopicId":…,"Reason":…},
			// written directly: the hot path of a bulk recall uses no reflection.
			dst = appendField(append(dst, '{'), "GroupId", r.GroupID)
			dst = append(dst, `,"MsgSeqList":[`...)
			for n, i := range idx {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"MsgSeq":`...)
				dst = strconv.AppendUint(dst, seqs[i], 10)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
			if r.TopicID != "" {
				dst = appendField(append(dst, ','), "TopicId", r.TopicID)
			}
			if r.Reason != "" {
				dst = appendField(append(dst, ','), "Reason", r.Reason)
			}
			return append(dst, '}')
		},
		newResp: func() batchResponse[uint64] { return new(groupRecallResponse) },
	}
	runBatch(ctx, c, op)
	return &GroupRecallResult{GroupID: r.GroupID, Items: items},
		partialError(EndpointGroupRecall, r.MsgSeqs, func(i int) error { return items[i].Err }, seqName)
}

func seqName(s uint64) string { return "MsgSeq " + strconv.FormatUint(s, 10) }

func validateGroupRecall(r GroupRecall) error {
	const method = "RecallGroupMessages"
	if r.GroupID == "" {
		return invalidf(method, "GroupID", "is required, got an empty string")
	}
	if len(r.MsgSeqs) == 0 {
		return invalidf(method, "MsgSeqs", "needs at least one sequence number, got none")
	}
	for i, s := range r.MsgSeqs {
		if s == 0 {
			return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "sequence numbers start at 1, got 0")
		}
	}
	if i, j := firstDuplicate(r.MsgSeqs); i >= 0 {
		return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "duplicate of MsgSeqs[%d] (%d)", j, r.MsgSeqs[i])
	}
	return validateReason(method, r.Reason)
}

func validateReason(method, reason string) error {
	if len(reason) > MaxReasonBytes {
		return invalidf(method, "Reason", "is %d bytes; at most %d bytes are allowed (bytes, not characters)", len(reason), MaxReasonBytes)
	}
	return nil
}

// firstDuplicate returns the index of the first element equal to an earlier
// one, and that earlier index; -1, -1 when all differ. Small inputs (one
// request's worth) are compared pairwise, with no map to allocate.
func firstDuplicate[K comparable](keys []K) (int, int) {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] {
					return i, j
				}
			}
		}
		return -1, -1
	}
	seen := make(map[K]int, len(keys))
	for i, k := range keys {
		if j, dup := seen[k]; dup {
			return i, j
		}
		seen[k] = i
	}
	return -1, -1
}

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

type groupRecallRequest struct {
	GroupID    string        `json:"GroupId"`
	MsgSeqList []groupMsgSeq `json:"MsgSeqList"`
	TopicID    string        `json:"TopicId,omitempty"`
	Reason     string        `json:"Reason,omitempty"`
}

type groupMsgSeq struct {
	MsgSeq uint64 `json:"MsgSeq"`
}

type groupRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgSeq  uint64 `json:"MsgSeq"`
		RetCode *int   `json:"RetCode"` // nil: no outcome was given
	} `json:"RecallRetList"`
}

func (r *groupRecallResponse) itemCodes() []itemCode[uint64] {
	out := make([]itemCode[uint64], 0, len(r.RecallRetList))
	for _, e := range r.RecallRetList {
		if e.RetCode != nil { // an entry without a code says nothing
			out = append(out, itemCode[uint64]{e.MsgSeq, *e.RetCode})
		}
	}
	return out
}

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
	op := batchOp[uint64]{
		method: method,
		ep:     epGroupRecall,
		keys:   r.MsgSeqs,
		body: func(seqs []uint64) any {
			list := make([]groupMsgSeq, len(seqs))
			for i, s := range seqs {
				list[i].MsgSeq = s
			}
			return &groupRecallRequest{GroupID: r.GroupID, MsgSeqList: list, TopicID: r.TopicID, Reason: r.Reason}
		},
		newResp:  func() batchResponse[uint64] { return new(groupRecallResponse) },
		itemName: seqName,
	}
	outs := runBatch(ctx, c, op)
	res := &GroupRecallResult{GroupID: r.GroupID, Items: make([]GroupRecallItem, len(outs))}
	for i, o := range outs {
		res.Items[i] = GroupRecallItem{MsgSeq: r.MsgSeqs[i], Err: o.err, ConfirmedByRetry: o.confirmed}
	}
	return res, partialError(EndpointGroupRecall, r.MsgSeqs, outs, seqName)
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
	seen := make(map[uint64]int, len(r.MsgSeqs))
	for i, s := range r.MsgSeqs {
		if s == 0 {
			return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "sequence numbers start at 1, got 0")
		}
		if j, dup := seen[s]; dup {
			return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "duplicate of MsgSeqs[%d] (%d)", j, s)
		}
		seen[s] = i
	}
	return validateReason(method, r.Reason)
}

func validateReason(method, reason string) error {
	if len(reason) > MaxReasonBytes {
		return invalidf(method, "Reason", "is %d bytes; at most %d bytes are allowed (bytes, not characters)", len(reason), MaxReasonBytes)
	}
	return nil
}

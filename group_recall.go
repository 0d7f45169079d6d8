package chatrecall

import (
	"context"
	"strconv"
)

// MaxMsgSeq is the largest sequence number: MsgSeq is an unsigned 32-bit
// integer on the service.
const MaxMsgSeq = 1<<32 - 1

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
	// PossiblyApplied lists sequence numbers (of MsgSeqs) that an earlier
	// attempt, outside this call, may have recalled: a request was sent and
	// no outcome recorded, as when a run is resumed from its journal. For
	// these, "already gone" (10030) confirms the recall instead of failing
	// it, and an answer that says nothing of the earlier attempt leaves
	// them unknown.
	PossiblyApplied []uint64
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

// Summary counts the items by outcome.
func (r *GroupRecallResult) Summary() Summary {
	var s Summary
	for _, it := range r.Items {
		s.add(it.Err, it.ConfirmedByRetry)
	}
	return s
}

type groupRecallResponse struct {
	chatEnvelope
	RecallRetList []struct {
		MsgSeq  uint64 `json:"MsgSeq"`
		RetCode optInt `json:"RetCode"` // unset: no outcome was given
	} `json:"RecallRetList"`
}

// answer reads what the list says of seq.
func (r *groupRecallResponse) answer(seq uint64) listAnswer {
	if r.RecallRetList == nil {
		return listAnswer{kind: answerNoList}
	}
	a := listAnswer{kind: answerUnlisted}
	for _, e := range r.RecallRetList {
		if e.MsgSeq == seq {
			a = a.add(e.RetCode)
		}
	}
	return a
}

// RecallGroupMessages recalls messages of a group (group_msg_recall).
//
// Input is checked before anything is sent (see GroupRecall.Validate): an
// empty or malformed GroupID, no MsgSeqs, a sequence number of 0, over
// MaxMsgSeq or repeated, or a Reason over MaxReasonBytes returns a
// *ValidationError naming the field, and nothing is sent; the result
// still has one item per sequence number, each not sent (ErrNotSent,
// wrapping the validation error), so a loop over the items is safe.
//
// The messages go out 10 per request, up to WithConcurrency requests at
// once. The result always has one item per sequence number, in input order,
// and Summary counts them by outcome. When any item was not recalled, the
// error is a *PartialError that unwraps to the item errors, so
// errors.Is(err, ErrGone) (10030: recalled already or never there),
// ErrOutcomeUnknown or ErrNotSent work; the result is complete beside it,
// and PartialError.Cause says why the call stopped early, if it did (a wrong
// key, an unknown group, a cancelled context). A top-level ErrorCode of 0
// does not mean every message was recalled: each message's own RetCode
// decides its outcome.
//
// In live-stream groups (AVChatRoom) a recall reaches only online members and
// only messages under an hour old.
func (c *Client) RecallGroupMessages(ctx context.Context, r GroupRecall) (*GroupRecallResult, error) {
	st, err := manyRecall[uint64]{
		method: "RecallGroupMessages", ep: epGroupRecall, items: r.MsgSeqs, maybe: r.PossiblyApplied, check: r.Validate,
		// {"GroupId":…,"MsgSeqList":[{"MsgSeq":…},…],"TopicId":…,"Reason":…},
		// written directly: the hot path of a bulk recall uses no reflection.
		head: func(dst []byte) []byte {
			return append(appendField(append(dst, '{'), "GroupId", r.GroupID), `,"MsgSeqList":[`...)
		},
		item: func(dst []byte, seq uint64) []byte {
			return append(strconv.AppendUint(append(dst, `{"MsgSeq":`...), seq, 10), '}')
		},
		tail: func(dst []byte) []byte {
			dst = append(dst, ']')
			if r.TopicID != "" {
				dst = appendField(append(dst, ','), "TopicId", r.TopicID)
			}
			if r.Reason != "" {
				dst = appendField(append(dst, ','), "Reason", r.Reason)
			}
			return append(dst, '}')
		},
		size:    24,
		newResp: func() response { return new(groupRecallResponse) },
		answer:  func(resp response, seq uint64) listAnswer { return resp.(*groupRecallResponse).answer(seq) },
		name:    seqName,
	}.run(c, ctx)
	if st == nil {
		return nil, err
	}
	items := make([]GroupRecallItem, len(r.MsgSeqs))
	for i, k := range r.MsgSeqs {
		items[i] = GroupRecallItem{MsgSeq: k, Err: st[i].err, ConfirmedByRetry: st[i].confirmed}
	}
	return &GroupRecallResult{GroupID: r.GroupID, Items: items}, err
}

func seqName(s uint64) string { return "MsgSeq " + strconv.FormatUint(s, 10) }

// Validate checks r as RecallGroupMessages does before sending anything,
// and returns the same *ValidationError: for checking input before it is
// queued or journaled.
func (r GroupRecall) Validate() error {
	const method = "RecallGroupMessages"
	if err := checkRequired(method, "GroupID", r.GroupID, "the group, such as @TGS#2J4SZEAEL"); err != nil {
		return err
	}
	if err := checkText(method, "TopicID", r.TopicID); err != nil {
		return err
	}
	if len(r.MsgSeqs) == 0 {
		return invalidf(method, "MsgSeqs", "needs at least one sequence number, got none")
	}
	for i, s := range r.MsgSeqs {
		switch {
		case s == 0:
			return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "sequence numbers start at 1, got 0")
		case s > MaxMsgSeq:
			return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "is %d; sequence numbers are unsigned 32-bit, at most %d", s, uint64(MaxMsgSeq))
		}
	}
	if i, j := firstDuplicate(r.MsgSeqs); i >= 0 {
		return invalidf(method, "MsgSeqs["+strconv.Itoa(i)+"]", "duplicate of MsgSeqs[%d] (%d)", j, r.MsgSeqs[i])
	}
	if len(r.PossiblyApplied) > 0 {
		in := make(map[uint64]bool, len(r.MsgSeqs))
		for _, s := range r.MsgSeqs {
			in[s] = true
		}
		for i, s := range r.PossiblyApplied {
			if !in[s] {
				return invalidf(method, "PossiblyApplied["+strconv.Itoa(i)+"]", "%d is not in MsgSeqs", s)
			}
		}
	}
	return validateReason(method, r.Reason)
}

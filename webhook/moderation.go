package webhook

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file turns the cloud moderation's "blocked" verdicts into recalls
// (spec section 5, ResultNotify). A verdict is recalled only when it is
// blocked, names a delivered message of a message scene, is not for a
// topic (verdicts name none), is for a conversation the caller allows, and,
// for a group, when a history read or the ledger shows that seq from the
// same sender. Everything else gets an outcome that says why not.

// VerdictAPI is what a VerdictRecaller uses of a client;
// *chatrecall.Client implements it.
type VerdictAPI interface {
	RecallC2CMessage(ctx context.Context, r chatrecall.C2CRecall) (*chatrecall.Result, error)
	RecallGroupMessages(ctx context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error)
	GroupHistoryPage(ctx context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error)
}

// Verdict outcomes (VerdictOutcome.Result).
const (
	VerdictRecalled = "recalled"
	VerdictGone     = "gone"    // already recalled, or not there
	VerdictSkipped  = "skipped" // not recalled, on purpose: Why says why
	VerdictFailed   = "failed"  // the service refused the recall
	VerdictUnknown  = "unknown" // the recall may or may not have taken effect
	VerdictDropped  = "dropped" // the verdict queue was full
)

// VerdictOutcome is what became of one verdict.
type VerdictOutcome struct {
	RequestID    string // CtxcbRequestId
	Scene        string
	Conversation chatrecall.Conversation
	Sender       string
	MsgID        string
	Result       string // a Verdict constant
	Why          string // for skipped and dropped: the reason
	Err          error  // for failed and unknown
}

// VerdictOptions configure a VerdictRecaller.
type VerdictOptions struct {
	// Allow says which conversations verdicts may recall in. Required: a
	// bridge that recalls anywhere is never the default.
	Allow func(chatrecall.Conversation) bool
	// Ledger, when set, confirms a group seq's sender without a history
	// read (and is the only way for live-stream groups).
	Ledger Ledger
	// Outcome, when set, is called once per verdict, from a worker.
	Outcome func(VerdictOutcome)
	// Workers and Queue size the recalls' pool (defaults DefaultWorkers
	// and DefaultQueue). The client's rate limits pace the recalls.
	Workers, Queue int
	// Timeout bounds one verdict's reads and recall (default 30 s).
	Timeout time.Duration
	// DedupeSize bounds how many request IDs are remembered (default
	// 100,000): a verdict delivered twice is recalled once.
	DedupeSize int
}

// VerdictRecaller recalls the messages that "blocked" verdicts name.
// Register Handle for ContentCallback.ResultNotify:
//
//	v, err := webhook.NewVerdictRecaller(client, webhook.VerdictOptions{Allow: ...})
//	h.OnResultNotify(v.Handle)
type VerdictRecaller struct {
	api  VerdictAPI
	o    VerdictOptions
	pool *pool[*ResultNotify]
	seen *dedupe
	mu   sync.Mutex
	n    map[string]int64
}

// NewVerdictRecaller returns a bridge over api (a *chatrecall.Client).
func NewVerdictRecaller(api VerdictAPI, o VerdictOptions) (*VerdictRecaller, error) {
	switch {
	case api == nil:
		return nil, errors.New("webhook: NewVerdictRecaller: api is nil")
	case o.Allow == nil:
		return nil, errors.New("webhook: NewVerdictRecaller: VerdictOptions.Allow is required: say which conversations verdicts may recall in")
	case o.Workers < 0 || o.Queue < 0 || o.Timeout < 0:
		return nil, fmt.Errorf("webhook: NewVerdictRecaller: Workers, Queue and Timeout must not be negative, got %d, %d, %s", o.Workers, o.Queue, o.Timeout)
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.Queue == 0 {
		o.Queue = DefaultQueue
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.DedupeSize <= 0 {
		o.DedupeSize = 100_000
	}
	v := &VerdictRecaller{api: api, o: o, seen: newDedupe(o.DedupeSize), n: map[string]int64{}}
	v.pool = newPool(o.Workers, o.Queue, v.act)
	return v, nil
}

// Handle queues a verdict; the recall happens on a worker. It never fails
// the callback: a full queue is an outcome ("dropped"), counted.
func (v *VerdictRecaller) Handle(_ context.Context, e *ResultNotify) error {
	if !v.pool.push(e) {
		v.report(v.base(e), VerdictDropped, "the verdict queue is full", nil)
	}
	return nil
}

// Wait returns once every verdict queued so far has its outcome.
func (v *VerdictRecaller) Wait() { v.pool.wait() }

// Counts returns how many verdicts ended with each result.
func (v *VerdictRecaller) Counts() map[string]int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]int64, len(v.n))
	for k, n := range v.n {
		out[k] = n
	}
	return out
}

func (v *VerdictRecaller) base(e *ResultNotify) VerdictOutcome {
	o := VerdictOutcome{RequestID: e.CtxcbRequestID, Scene: e.Scene, Sender: e.From, MsgID: e.MsgID}
	switch e.ContactItem.ContactType {
	case 1:
		o.Conversation = chatrecall.Conversation{Account: e.From, Peer: e.ContactItem.To}
	case 2:
		o.Conversation = chatrecall.Conversation{GroupID: e.ContactItem.ToGroupID}
	}
	return o
}

func (v *VerdictRecaller) report(o VerdictOutcome, result, why string, err error) {
	o.Result, o.Why, o.Err = result, why, err
	v.mu.Lock()
	v.n[result]++
	v.mu.Unlock()
	if v.o.Outcome != nil {
		v.o.Outcome(o)
	}
}

var messageScenes = map[string]int{"C2C": 1, "C2CCustom": 1, "Group": 2, "GroupCustom": 2}

// act decides on one verdict, and recalls when every rule allows it.
func (v *VerdictRecaller) act(e *ResultNotify) {
	o := v.base(e)
	skip := func(why string) { v.report(o, VerdictSkipped, why, nil) }
	kind, message := messageScenes[e.Scene]
	switch {
	case !e.Blocked():
		skip("the verdict passed the message")
		return
	case !message:
		skip("scene " + strconv.Quote(e.Scene) + " is not a message")
		return
	case e.MsgID == "":
		skip("no message ID: blocked before delivery, nothing to recall")
		return
	case kind != e.ContactItem.ContactType:
		skip(fmt.Sprintf("scene %s does not match contact type %d", e.Scene, e.ContactItem.ContactType))
		return
	case e.CtxcbRequestID != "" && v.seen.seen("verdict", []byte(e.CtxcbRequestID)):
		skip("a repeat of a verdict already acted on")
		return
	case kind == 2 && strings.Contains(e.ContactItem.ToGroupID, "@TOPIC#"):
		skip("a topic's verdict names no topic, so its seq cannot be placed: for a person to review")
		return
	case o.Conversation.Validate() != nil:
		skip("the verdict names no valid conversation: " + o.Conversation.Validate().Error())
		return
	case !v.o.Allow(o.Conversation):
		skip("not allowed: " + o.Conversation.String() + " is outside VerdictOptions.Allow")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), v.o.Timeout)
	defer cancel()
	if kind == 1 {
		_, err := v.api.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: e.From, To: e.ContactItem.To, MsgKey: e.MsgID})
		v.end(o, err)
		return
	}
	seq, err := strconv.ParseUint(e.MsgID, 10, 32)
	if err != nil || seq == 0 {
		skip("MsgID " + strconv.Quote(e.MsgID) + " is not a group sequence number")
		return
	}
	if ok, why := v.sentBy(ctx, o.Conversation.GroupID, seq, e.From); !ok {
		skip(why)
		return
	}
	res, err := v.api.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: o.Conversation.GroupID, MsgSeqs: []uint64{seq}, Reason: "moderation"})
	if res != nil && len(res.Items) == 1 {
		err = res.Items[0].Err
	}
	v.end(o, err)
}

// sentBy reports whether the ledger or a history read shows seq in group
// sent by from.
func (v *VerdictRecaller) sentBy(ctx context.Context, group string, seq uint64, from string) (bool, string) {
	if v.o.Ledger != nil {
		found, err := v.o.Ledger.Find(ctx, Query{Kind: KindGroup, Conversation: group, Senders: []string{from}})
		if err == nil {
			for _, m := range found {
				if uint64(m.Seq) == seq {
					return true, ""
				}
			}
		}
	}
	p, err := v.api.GroupHistoryPage(ctx, chatrecall.GroupHistoryPageRequest{GroupID: group, Before: seq, Count: 1})
	if err != nil {
		return false, "the seq's sender could not be confirmed (history read failed: " + err.Error() + ")"
	}
	for _, m := range p.Messages {
		if m.MsgSeq == seq {
			if m.Sender == from {
				return true, ""
			}
			return false, fmt.Sprintf("seq %d was sent by %q, not by %q: not recalled", seq, m.Sender, from)
		}
	}
	return false, fmt.Sprintf("seq %d is not in the group's history or the ledger: not recalled", seq)
}

func (v *VerdictRecaller) end(o VerdictOutcome, err error) {
	switch {
	case err == nil:
		v.report(o, VerdictRecalled, "", nil)
	case errors.Is(err, chatrecall.ErrGone) || errors.Is(err, chatrecall.ErrAlreadyRecalled) || errors.Is(err, chatrecall.ErrNotFound):
		v.report(o, VerdictGone, "", err)
	case errors.Is(err, chatrecall.ErrOutcomeUnknown):
		v.report(o, VerdictUnknown, "", err)
	default:
		v.report(o, VerdictFailed, "", err)
	}
}

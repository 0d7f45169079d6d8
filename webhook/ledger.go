package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of conversation.
const (
	KindGroup    = "group"
	KindC2C      = "c2c"
	KindOfficial = "official"
)

// SentMessage is a message the ledger knows was sent. No message body is
// kept: bodies are personal data, and recalling needs only the IDs.
type SentMessage struct {
	Kind string // KindGroup, KindC2C or KindOfficial
	// Conversation is GroupConversation(group, topic), the official
	// account, or C2CConversation(a, b).
	Conversation string
	Sender       string    // From_Account (the account itself for official accounts)
	Seq          uint32    // group messages
	Key          string    // one-to-one and official-account messages: the MsgKey
	Time         time.Time // when it was sent (MsgTime)
	Recalled     bool      // an after-recall event was seen for it
}

// Ref is the message's ID within its conversation: the seq in decimal for
// groups, the MsgKey otherwise.
func (m SentMessage) Ref() string {
	if m.Kind == KindGroup {
		return strconv.FormatUint(uint64(m.Seq), 10)
	}
	return m.Key
}

// GroupConversation names a group's conversation in a ledger: the group
// itself, or one of its topics. A topic numbers its messages apart from the
// group and from the other topics, so (group, seq) alone does not name a
// message; (GroupConversation(group, topic), seq) does.
func GroupConversation(groupID, topicID string) string {
	if topicID == "" {
		return groupID
	}
	return groupID + "\x00" + topicID
}

// C2CConversation names the one-to-one conversation of two accounts, the
// same whichever sent.
func C2CConversation(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "\x00" + b
}

// Query asks which messages senders posted in a conversation in a time
// window.
type Query struct {
	Kind         string
	Conversation string
	Senders      []string  // empty: every sender
	From, To     time.Time // zero: unbounded; To is exclusive
}

// Ledger records sent messages and answers which a sender posted. Record
// and MarkRecalled must be idempotent: a callback may be delivered twice.
// Implementations must be safe for concurrent use.
type Ledger interface {
	Record(ctx context.Context, msgs ...SentMessage) error
	MarkRecalled(ctx context.Context, kind, conversation string, refs ...string) error
	Find(ctx context.Context, q Query) ([]SentMessage, error)
}

// MemoryLedger is a Ledger in memory, for one process and for tests:
// bounded (the oldest messages go first) and expiring (Tencent keeps
// roaming messages 7 days by default).
type MemoryLedger struct {
	mu        sync.Mutex
	max       int
	retention time.Duration
	now       func() time.Time
	convs     map[string]map[string]*SentMessage // kind+conversation → ref → message
	order     []entryRef                         // insertion order, for bounds and expiry
	head      int
	size      int
	// early are recalls whose message was not recorded yet (an
	// after-recall that overtook its after-send): applied when it is.
	early map[[2]string]time.Time // {kind+conversation, ref} → when marked
	// bySender counts each sender's messages per conversation (index.go).
	bySender map[string]map[string]*touch
}

type entryRef struct {
	conv, ref string
	at        time.Time
}

// NewMemoryLedger returns a ledger of at most max messages (default
// 1,000,000) kept for retention (default 7 days).
func NewMemoryLedger(max int, retention time.Duration) *MemoryLedger {
	if max <= 0 {
		max = 1_000_000
	}
	if retention <= 0 {
		retention = 7 * 24 * time.Hour
	}
	return &MemoryLedger{max: max, retention: retention, now: time.Now, convs: map[string]map[string]*SentMessage{}, early: map[[2]string]time.Time{},
		bySender: map[string]map[string]*touch{}}
}

func convKey(kind, conv string) string { return kind + "\x01" + conv }

// Record adds messages; a message recorded before is left as it is.
func (l *MemoryLedger) Record(_ context.Context, msgs ...SentMessage) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	for _, m := range msgs {
		if m.Kind == "" || m.Conversation == "" || m.Ref() == "" || m.Ref() == "0" {
			return fmt.Errorf("webhook: MemoryLedger.Record: message without kind, conversation or ID: %+v", m)
		}
		k := convKey(m.Kind, m.Conversation)
		c := l.convs[k]
		if c == nil {
			c = map[string]*SentMessage{}
			l.convs[k] = c
		}
		ref := m.Ref()
		if _, ok := c[ref]; ok {
			continue
		}
		cp := m
		if _, ok := l.early[[2]string{k, ref}]; ok {
			cp.Recalled = true // its after-recall came first
			delete(l.early, [2]string{k, ref})
		}
		c[ref] = &cp
		l.indexAdd(&cp)
		l.order = append(l.order, entryRef{conv: k, ref: ref, at: l.now()})
		l.size++
		for l.size > l.max {
			l.drop()
		}
	}
	if l.head > 4096 && l.head > len(l.order)/2 {
		l.order = append([]entryRef(nil), l.order[l.head:]...)
		l.head = 0
	}
	return nil
}

// drop removes the oldest message.
func (l *MemoryLedger) drop() {
	e := l.order[l.head]
	l.head++
	if c := l.convs[e.conv]; c != nil {
		if m, ok := c[e.ref]; ok {
			l.indexDrop(m)
			delete(c, e.ref)
			l.size--
			if len(c) == 0 {
				delete(l.convs, e.conv)
			}
		}
	}
}

func (l *MemoryLedger) expire() {
	cutoff := l.now().Add(-l.retention)
	for l.head < len(l.order) && l.order[l.head].at.Before(cutoff) {
		l.drop()
	}
	for e, at := range l.early {
		if at.Before(cutoff) {
			delete(l.early, e)
		}
	}
}

// MarkRecalled marks messages recalled. A message not recorded yet (its
// after-recall overtook its after-send) is recorded as recalled when it
// is, as the Redis ledger does; such early marks are kept for the
// retention, at most max of them.
func (l *MemoryLedger) MarkRecalled(_ context.Context, kind, conversation string, refs ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := convKey(kind, conversation)
	c := l.convs[k]
	for _, r := range refs {
		if m := c[r]; m != nil {
			m.Recalled = true
			continue
		}
		if len(l.early) < l.max {
			l.early[[2]string{k, r}] = l.now()
		}
	}
	return nil
}

// Find returns the matching messages, oldest first.
func (l *MemoryLedger) Find(_ context.Context, q Query) ([]SentMessage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	senders := map[string]bool{}
	for _, s := range q.Senders {
		senders[s] = true
	}
	var out []SentMessage
	for _, m := range l.convs[convKey(q.Kind, q.Conversation)] {
		if len(senders) > 0 && !senders[m.Sender] {
			continue
		}
		if (!q.From.IsZero() && m.Time.Before(q.From)) || (!q.To.IsZero() && !m.Time.Before(q.To)) {
			continue
		}
		out = append(out, *m)
	}
	SortSent(out)
	return out, nil
}

// SortSent puts messages in the order Find returns them: oldest first, then
// by sequence number, then by key. Ledger implementations use it.
func SortSent(msgs []SentMessage) {
	sort.Slice(msgs, func(i, j int) bool {
		if !msgs[i].Time.Equal(msgs[j].Time) {
			return msgs[i].Time.Before(msgs[j].Time)
		}
		if msgs[i].Seq != msgs[j].Seq {
			return msgs[i].Seq < msgs[j].Seq
		}
		return msgs[i].Key < msgs[j].Key
	})
}

// Recorder records what a Handler receives in a Ledger: sent messages from
// after-send events (one-to-one messages only when delivered), recalls from
// after-recall events. A ledger that fails is counted and logged, never
// silently ignored: see Failures.
type Recorder struct {
	ledger   Ledger
	logger   *slog.Logger
	failures atomic.Int64
}

// Record makes h record into l. logger (optional) gets a line per failure.
func Record(h *Handler, l Ledger, logger *slog.Logger) *Recorder {
	r := &Recorder{ledger: l, logger: logger}
	h.OnGroupAfterSend(func(ctx context.Context, e *GroupAfterSend) error {
		return r.note(ctx, e.Command, l.Record(ctx, SentMessage{Kind: KindGroup, Conversation: GroupConversation(e.GroupID, e.TopicID), Sender: e.From,
			Seq: e.MsgSeq, Time: time.Unix(e.MsgTime, 0)}))
	})
	h.OnC2CAfterSend(func(ctx context.Context, e *C2CAfterSend) error {
		if !e.Delivered() {
			return nil // not sent: nothing to recall
		}
		return r.note(ctx, e.Command, l.Record(ctx, SentMessage{Kind: KindC2C, Conversation: C2CConversation(e.From, e.To),
			Sender: e.From, Key: e.MsgKey, Time: time.Unix(e.MsgTime, 0)}))
	})
	h.OnOfficialAfterSend(func(ctx context.Context, e *OfficialAfterSend) error {
		return r.note(ctx, e.Command, l.Record(ctx, SentMessage{Kind: KindOfficial, Conversation: e.Account, Sender: e.Account,
			Key: e.MsgKey, Time: time.Unix(e.MsgTime, 0)}))
	})
	h.OnGroupAfterRecall(func(ctx context.Context, e *GroupAfterRecall) error {
		refs := make([]string, len(e.MsgSeqList))
		for i, m := range e.MsgSeqList {
			refs[i] = strconv.FormatUint(uint64(m.MsgSeq), 10)
		}
		return r.note(ctx, e.Command, l.MarkRecalled(ctx, KindGroup, GroupConversation(e.GroupID, e.TopicID), refs...))
	})
	h.OnC2CAfterWithdraw(func(ctx context.Context, e *C2CAfterWithdraw) error {
		return r.note(ctx, e.Command, l.MarkRecalled(ctx, KindC2C, C2CConversation(e.From, e.To), e.MsgKey))
	})
	h.OnOfficialAfterWithdraw(func(ctx context.Context, e *OfficialAfterWithdraw) error {
		refs := make([]string, len(e.WithdrawMsgList))
		for i, m := range e.WithdrawMsgList {
			refs[i] = m.MsgKey
		}
		return r.note(ctx, e.Command, l.MarkRecalled(ctx, KindOfficial, e.Account, refs...))
	})
	return r
}

// ErrLedger wraps a ledger's failure to record a callback.
var ErrLedger = errors.New("webhook: the ledger failed to record a callback")

func (r *Recorder) note(ctx context.Context, command string, err error) error {
	if err == nil {
		return nil
	}
	r.failures.Add(1)
	if r.logger != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "chatrecall webhook: ledger failed; this callback is not recorded",
			slog.String("command", command), slog.String("error", err.Error()))
	}
	return fmt.Errorf("%w: %s: %w", ErrLedger, command, err)
}

// Failures counts callbacks the ledger failed to record: each is a message
// a sweep from the ledger will not know of (or a recall it will not see).
func (r *Recorder) Failures() int64 { return r.failures.Load() }

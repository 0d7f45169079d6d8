package webhook

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file is the ledger's answer to discovery: in which conversations
// did an account post since a time. It is what finds live-stream groups
// (which keep no history and list members incompletely) and one-to-one
// peers past the service's conversation-list cap.

// Touched is a conversation a sender posted in, as a ledger recorded it.
type Touched struct {
	Kind         string // KindGroup, KindC2C or KindOfficial
	Conversation string // as in SentMessage
	// Last is when the sender's newest recorded message there was sent.
	Last time.Time
}

// SenderIndex is a ledger that can say where a sender posted. MemoryLedger
// and redisledger.Ledger implement it.
type SenderIndex interface {
	// Touched returns the conversations sender posted in whose newest
	// recorded message of sender's was sent at since or later, in no
	// particular order.
	Touched(ctx context.Context, sender string, since time.Time) ([]Touched, error)
}

var _ SenderIndex = (*MemoryLedger)(nil)

// touch is one sender's count of messages in one conversation.
type touch struct {
	kind, conv string
	n          int
	last       time.Time
}

func (l *MemoryLedger) indexAdd(m *SentMessage) {
	convs := l.bySender[m.Sender]
	if convs == nil {
		convs = map[string]*touch{}
		l.bySender[m.Sender] = convs
	}
	k := convKey(m.Kind, m.Conversation)
	t := convs[k]
	if t == nil {
		t = &touch{kind: m.Kind, conv: m.Conversation}
		convs[k] = t
	}
	t.n++
	if m.Time.After(t.last) {
		t.last = m.Time
	}
}

func (l *MemoryLedger) indexDrop(m *SentMessage) {
	convs := l.bySender[m.Sender]
	k := convKey(m.Kind, m.Conversation)
	if t := convs[k]; t != nil {
		if t.n--; t.n <= 0 {
			delete(convs, k)
			if len(convs) == 0 {
				delete(l.bySender, m.Sender)
			}
		}
	}
}

// Touched implements SenderIndex.
func (l *MemoryLedger) Touched(_ context.Context, sender string, since time.Time) ([]Touched, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	var out []Touched
	for _, t := range l.bySender[sender] {
		if !t.last.Before(since) {
			out = append(out, Touched{Kind: t.kind, Conversation: t.conv, Last: t.last})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Conversation < out[j].Conversation
	})
	return out, nil
}

// ConversationOf turns a ledger's conversation back into the conversation
// account took part in: a group or one of its topics, the one-to-one
// conversation with its other party, or an official account. ok is false
// when account is not a party of a one-to-one conversation.
func ConversationOf(kind, conversation, account string) (conv chatrecall.Conversation, ok bool) {
	switch kind {
	case KindGroup:
		group, topic, _ := strings.Cut(conversation, "\x00")
		return chatrecall.Conversation{GroupID: group, TopicID: topic}, group != ""
	case KindC2C:
		a, b, found := strings.Cut(conversation, "\x00")
		switch {
		case !found:
			return conv, false
		case a == account:
			return chatrecall.Conversation{Account: a, Peer: b}, true
		case b == account:
			return chatrecall.Conversation{Account: b, Peer: a}, true
		}
		return conv, false
	case KindOfficial:
		return chatrecall.Conversation{Official: conversation}, conversation != ""
	}
	return conv, false
}

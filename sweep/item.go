package sweep

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
)

// Item is one message a sweep plans to recall: a line of a plan file (JSON
// Lines). It carries its conversation, so each line stands alone.
type Item struct {
	chatrecall.Conversation
	Sender string `json:"sender"`
	To     string `json:"to,omitempty"`  // one-to-one: the receiver
	MsgSeq uint64 `json:"seq,omitempty"` // groups
	MsgKey string `json:"key,omitempty"` // one-to-one and official accounts
	Time   int64  `json:"time"`          // unix seconds
}

// ID is the message's ID in its conversation: the sequence number in
// decimal for groups, the MsgKey otherwise.
func (it Item) ID() string {
	if it.Kind() == chatrecall.KindGroup {
		return strconv.FormatUint(it.MsgSeq, 10)
	}
	return it.MsgKey
}

// Validate checks that the item can be recalled: a conversation, and the
// ID its kind needs, by the client's own rules.
func (it Item) Validate() error {
	const method = "Item"
	if err := it.Conversation.Validate(); err != nil {
		return renamed(err, method, "")
	}
	if err := chatrecall.CheckText(method, "Sender", it.Sender); err != nil {
		return err
	}
	switch it.Kind() {
	case chatrecall.KindGroup:
		if it.MsgSeq == 0 || it.MsgSeq > chatrecall.MaxMsgSeq {
			return invalidf(method, "MsgSeq", "must be 1 to %d for a group message, got %d", uint64(chatrecall.MaxMsgSeq), it.MsgSeq)
		}
	case chatrecall.KindC2C:
		if err := (chatrecall.C2CRecall{From: it.Sender, To: it.To, MsgKey: it.MsgKey}).Validate(); err != nil {
			return renamed(err, method, map[string]string{"From": "Sender"}[fieldOf(err)])
		}
		if !(it.Sender == it.Account && it.To == it.Peer) && !(it.Sender == it.Peer && it.To == it.Account) {
			return invalidf(method, "Sender", "%q to %q is not a message of the conversation between %q and %q", it.Sender, it.To, it.Account, it.Peer)
		}
	default:
		if it.MsgKey == "" {
			return invalidf(method, "MsgKey", "is required (the message key), got an empty string")
		}
	}
	return chatrecall.CheckText(method, "MsgKey", it.MsgKey)
}

func fieldOf(err error) string {
	var ve *chatrecall.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

// renamed reports err as method's, under field when it is not empty.
func renamed(err error, method, field string) error {
	var ve *chatrecall.ValidationError
	if errors.As(err, &ve) {
		ve.Method = method
		if field != "" {
			ve.Field = field
		}
	}
	return err
}

// inField reports an item's validation error under the field that holds
// it (plan[3].MsgSeq).
func inField(err error, method, holder string) error {
	var ve *chatrecall.ValidationError
	if errors.As(err, &ve) {
		ve.Method, ve.Field = method, holder+"."+ve.Field
	}
	return err
}

// Filter selects the messages to sweep.
type Filter struct {
	// Senders are the accounts whose messages are swept. Empty means every
	// sender, which needs Match: a sweep with no filter is refused.
	Senders []string
	// Since and Until bound the messages' times, inclusive; zero means
	// unbounded. A window with Since equal to Until is refused (it selects
	// one second; give Until a second later to mean that).
	Since, Until time.Time
	// Match, when set, must also accept a message (it sees the body).
	Match func(chatrecall.Message) bool
}

func (f Filter) validate(method string) error {
	if len(f.Senders) == 0 && f.Match == nil {
		return invalidf(method, "Senders", "is empty and there is no Match: a sweep with no filter would recall every message")
	}
	seen := make(map[string]int, len(f.Senders))
	for i, s := range f.Senders {
		field := "Senders[" + strconv.Itoa(i) + "]"
		if s == "" {
			return invalidf(method, field, "is required (an account ID), got an empty string")
		}
		if err := chatrecall.CheckText(method, field, s); err != nil {
			return err
		}
		if j, dup := seen[s]; dup {
			return invalidf(method, field, "%q is a duplicate of Senders[%d]", s, j)
		}
		seen[s] = i
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return invalidf(method, "Until", "is %s, not after Since (%s): the window is empty", f.Until.UTC().Format(time.RFC3339), f.Since.UTC().Format(time.RFC3339))
	}
	return nil
}

func (f Filter) accepts(m chatrecall.Message, senders map[string]bool) bool {
	if !f.Since.IsZero() && m.Time.Before(f.Since) || !f.Until.IsZero() && m.Time.After(f.Until) {
		return false
	}
	if len(senders) > 0 && !senders[m.Sender] {
		return false
	}
	return f.Match == nil || f.Match(m)
}

func itemOf(conv chatrecall.Conversation, m chatrecall.Message) Item {
	it := Item{Conversation: conv, Sender: m.Sender, Time: m.Time.Unix()}
	switch conv.Kind() {
	case chatrecall.KindGroup:
		it.MsgSeq = m.MsgSeq
	case chatrecall.KindC2C:
		it.To, it.MsgKey = m.To, m.MsgKey
	default:
		it.MsgKey = m.MsgKey
	}
	return it
}

// Verifier reads back the state of swept messages. The conversation's
// history is the default; webhook.LedgerVerifier reads what after-recall
// callbacks recorded, for conversations without history (AVChatRoom).
type Verifier interface {
	// States returns the state of each item it could see, by Item.ID;
	// items it did not see are left out.
	States(ctx context.Context, conv chatrecall.Conversation, items []Item) (map[string]chatrecall.MessageState, error)
}

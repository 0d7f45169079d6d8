package webhook

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
)

// This file connects the ledger to the sweep: what after-send callbacks
// recorded is a plan (the only source for live-stream groups, which keep
// no history), and what after-recall callbacks recorded is evidence that
// settles a recall whose answer was lost.

func ledgerConv(conv chatrecall.Conversation) (kind, name string) {
	switch conv.Kind() {
	case chatrecall.KindC2C:
		return KindC2C, C2CConversation(conv.Account, conv.Peer)
	case chatrecall.KindOfficial:
		return KindOfficial, conv.Official
	}
	return KindGroup, GroupConversation(conv.GroupID, conv.TopicID)
}

// SweepPlan returns what the ledger recorded of f's senders in conv, in
// f's time window and not recalled yet, oldest first, as a plan for
// sweep.Sweeper.Apply. f.Match sees each message without a body
// (the ledger keeps none). For a live-stream group (AVChatRoom) this is the
// only way to find what a sender posted.
func SweepPlan(ctx context.Context, l Ledger, conv chatrecall.Conversation, f sweep.Filter) ([]sweep.Item, error) {
	if len(f.Senders) == 0 && f.Match == nil {
		return nil, errors.New("webhook: SweepPlan: no Senders and no Match: a sweep with no filter would recall every message")
	}
	kind, name := ledgerConv(conv)
	q := Query{Kind: kind, Conversation: name, Senders: f.Senders, From: f.Since}
	if !f.Until.IsZero() {
		q.To = f.Until.Add(time.Second) // Until is inclusive, To is not
	}
	found, err := l.Find(ctx, q)
	if err != nil {
		return nil, err
	}
	var plan []sweep.Item
	for _, m := range found {
		if m.Recalled {
			continue
		}
		msg := chatrecall.Message{Sender: m.Sender, MsgSeq: uint64(m.Seq), MsgKey: m.Key, Time: m.Time}
		if f.Match != nil && !f.Match(msg) {
			continue
		}
		it := sweep.Item{Conversation: conv, Sender: m.Sender, MsgSeq: uint64(m.Seq), MsgKey: m.Key, Time: m.Time.Unix()}
		if kind == KindC2C {
			it.To = conv.Peer
			if m.Sender == conv.Peer {
				it.To = conv.Account
			}
		}
		plan = append(plan, it)
	}
	return plan, nil
}

// LedgerVerifier is a sweep.Verifier that reads the after-recall
// callbacks a ledger recorded: a message marked recalled is reported
// recalled. A message without such a mark is left out (unverifiable), not
// reported as still there: the callback may be late, lost, or switched off.
// Use it where there is no history to read (AVChatRoom), or to settle a
// recall whose answer was lost once its callback arrived.
type LedgerVerifier struct {
	Ledger Ledger
}

// States implements sweep.Verifier.
func (v LedgerVerifier) States(ctx context.Context, conv chatrecall.Conversation, items []sweep.Item) (map[string]chatrecall.MessageState, error) {
	kind, name := ledgerConv(conv)
	want := make(map[string]bool, len(items))
	senders := map[string]bool{}
	q := Query{Kind: kind, Conversation: name}
	var lo, hi int64
	for i, it := range items {
		want[it.ID()] = true
		if !senders[it.Sender] {
			senders[it.Sender] = true
			q.Senders = append(q.Senders, it.Sender)
		}
		if i == 0 || it.Time < lo {
			lo = it.Time
		}
		hi = max(hi, it.Time)
	}
	q.From, q.To = time.Unix(lo, 0), time.Unix(hi+1, 0)
	found, err := v.Ledger.Find(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]chatrecall.MessageState{}
	for _, m := range found {
		id := m.Key
		if kind == KindGroup {
			id = strconv.FormatUint(uint64(m.Seq), 10)
		}
		if want[id] && m.Recalled {
			out[id] = chatrecall.MessageRecalled
		}
	}
	return out, nil
}

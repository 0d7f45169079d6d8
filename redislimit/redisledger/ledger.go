// Package redisledger is a webhook.Ledger in Redis, for webhook receivers
// running as several replicas behind a load balancer: each replica sees only
// some callbacks, and together they record every message in one place.
//
//	h, _ := webhook.NewHandler(cfg)
//	rec := webhook.Record(h, redisledger.New(rdb), logger)
//
// Layout, per conversation (all of a conversation's keys share a hash tag,
// so they live on one cluster slot):
//
//	{prefix}:{kind:conversation}:s:{sender}   sorted set: message ID → send time (unix ms)
//	{prefix}:{kind:conversation}:senders      set of senders
//	{prefix}:{kind:conversation}:recalled     set of recalled message IDs
//	{prefix}:sender:{sender}                  sorted set: kind\x01conversation → newest send time (unix ms)
//
// The last, one per sender, answers discovery ("where did this account
// post since T": webhook.SenderIndex) with one range read.
//
// One sorted set per conversation and sender answers the sweep's question
// ("what did these senders post here between these times") with one range
// read per sender. Every write refreshes the keys' expiry to the retention
// (7 days by default: Tencent's roaming retention), so a conversation's keys
// go when it has been quiet that long. No message body is stored. Recording
// is idempotent: a repeated callback adds nothing.
package redisledger

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatrecall/chatrecall/webhook"
)

// DefaultPrefix starts every key.
const DefaultPrefix = "chatrecall:ledger"

// Ledger is a webhook.Ledger in Redis.
type Ledger struct {
	rdb       redis.UniversalClient
	prefix    string
	retention time.Duration
}

// Option configures a Ledger.
type Option func(*Ledger)

// WithPrefix sets the key prefix (default "chatrecall:ledger").
func WithPrefix(p string) Option { return func(l *Ledger) { l.prefix = p } }

// WithRetention sets how long a quiet conversation's keys live (default 7
// days).
func WithRetention(d time.Duration) Option { return func(l *Ledger) { l.retention = d } }

// New returns a Ledger on rdb: a *redis.Client, *redis.ClusterClient or
// *redis.Ring.
func New(rdb redis.UniversalClient, opts ...Option) *Ledger {
	l := &Ledger{rdb: rdb, prefix: DefaultPrefix, retention: 7 * 24 * time.Hour}
	for _, o := range opts {
		o(l)
	}
	return l
}

var (
	_ webhook.Ledger      = (*Ledger)(nil)
	_ webhook.SenderIndex = (*Ledger)(nil)
)

func (l *Ledger) senderKey(sender string) string { return l.prefix + ":sender:{" + sender + "}" }

// Touched returns the conversations sender posted in with a message sent
// at since or later (webhook.SenderIndex), in one range read.
func (l *Ledger) Touched(ctx context.Context, sender string, since time.Time) ([]webhook.Touched, error) {
	zs, err := l.rdb.ZRangeByScoreWithScores(ctx, l.senderKey(sender), &redis.ZRangeBy{Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("redisledger: Touched: %w", err)
	}
	out := make([]webhook.Touched, 0, len(zs))
	for _, z := range zs {
		member, _ := z.Member.(string)
		kind, conv, ok := strings.Cut(member, "\x01")
		if !ok {
			return nil, fmt.Errorf("redisledger: Touched: %q is not a conversation", member)
		}
		out = append(out, webhook.Touched{Kind: kind, Conversation: conv, Last: time.UnixMilli(int64(z.Score))})
	}
	return out, nil
}

func (l *Ledger) base(kind, conv string) string { return l.prefix + ":{" + kind + ":" + conv + "}" }

// Record adds messages, in one round trip.
func (l *Ledger) Record(ctx context.Context, msgs ...webhook.SentMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range msgs {
			ref := m.Ref()
			if m.Kind == "" || m.Conversation == "" || ref == "" || ref == "0" {
				return fmt.Errorf("redisledger: Record: message without kind, conversation or ID: %+v", m)
			}
			base := l.base(m.Kind, m.Conversation)
			byS, senders := base+":s:"+m.Sender, base+":senders"
			p.ZAddNX(ctx, byS, redis.Z{Score: float64(m.Time.UnixMilli()), Member: ref})
			p.SAdd(ctx, senders, m.Sender)
			p.Expire(ctx, byS, l.retention)
			p.Expire(ctx, senders, l.retention)
			touched := l.senderKey(m.Sender)
			p.ZAddGT(ctx, touched, redis.Z{Score: float64(m.Time.UnixMilli()), Member: m.Kind + "\x01" + m.Conversation})
			p.Expire(ctx, touched, l.retention)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisledger: Record: %w", err)
	}
	return nil
}

// MarkRecalled marks messages recalled.
func (l *Ledger) MarkRecalled(ctx context.Context, kind, conversation string, refs ...string) error {
	if len(refs) == 0 {
		return nil
	}
	key := l.base(kind, conversation) + ":recalled"
	members := make([]any, len(refs))
	for i, r := range refs {
		members[i] = r
	}
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, key, members...)
		p.Expire(ctx, key, l.retention)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisledger: MarkRecalled: %w", err)
	}
	return nil
}

// Find returns the matching messages, oldest first: one range read per
// sender, then one read of which are recalled.
func (l *Ledger) Find(ctx context.Context, q webhook.Query) ([]webhook.SentMessage, error) {
	base := l.base(q.Kind, q.Conversation)
	senders := q.Senders
	if len(senders) == 0 {
		all, err := l.rdb.SMembers(ctx, base+":senders").Result()
		if err != nil {
			return nil, fmt.Errorf("redisledger: Find: %w", err)
		}
		senders = all
	}
	rng := &redis.ZRangeBy{Min: "-inf", Max: "+inf"}
	if !q.From.IsZero() {
		rng.Min = strconv.FormatInt(q.From.UnixMilli(), 10)
	}
	if !q.To.IsZero() {
		rng.Max = "(" + strconv.FormatInt(q.To.UnixMilli(), 10)
	}
	cmds := make([]*redis.ZSliceCmd, len(senders))
	if _, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range senders {
			cmds[i] = p.ZRangeByScoreWithScores(ctx, base+":s:"+s, rng)
		}
		return nil
	}); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("redisledger: Find: %w", err)
	}
	var out []webhook.SentMessage
	var refs []any
	for i, c := range cmds {
		zs, err := c.Result()
		if err != nil && err != redis.Nil {
			return nil, fmt.Errorf("redisledger: Find: %w", err)
		}
		for _, z := range zs {
			ref, _ := z.Member.(string)
			m := webhook.SentMessage{Kind: q.Kind, Conversation: q.Conversation, Sender: senders[i], Time: time.UnixMilli(int64(z.Score))}
			if q.Kind == webhook.KindGroup {
				seq, err := strconv.ParseUint(ref, 10, 32)
				if err != nil {
					return nil, fmt.Errorf("redisledger: Find: %q is not a sequence number", ref)
				}
				m.Seq = uint32(seq)
			} else {
				m.Key = ref
			}
			out = append(out, m)
			refs = append(refs, ref)
		}
	}
	if len(out) > 0 {
		recalled, err := l.rdb.SMIsMember(ctx, base+":recalled", refs...).Result()
		if err != nil {
			return nil, fmt.Errorf("redisledger: Find: %w", err)
		}
		for i := range out {
			out[i].Recalled = recalled[i]
		}
	}
	webhook.SortSent(out)
	return out, nil
}

// String describes the ledger without its client (whose options may hold a
// password).
func (l *Ledger) String() string {
	return fmt.Sprintf("redisledger.Ledger{Prefix:%q Retention:%s}", l.prefix, l.retention)
}

// GoString is String, so %#v prints no password either.
func (l *Ledger) GoString() string { return l.String() }

// Format makes every fmt verb print String.
func (l *Ledger) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, l.String()) }

// LogValue makes slog print String.
func (l *Ledger) LogValue() slog.Value { return slog.StringValue(l.String()) }

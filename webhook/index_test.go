package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/webhook"
)

func TestMemoryLedgerTouched(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	l := webhook.NewMemoryLedger(4, 0)
	ctx := context.Background()
	require.NoError(t, l.Record(ctx,
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#live", ""), Sender: "spam", Seq: 1, Time: t0},
		webhook.SentMessage{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#t"), Sender: "spam", Seq: 1, Time: t0.Add(time.Hour)},
		webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("spam", "alice"), Sender: "spam", Key: "k1", Time: t0.Add(2 * time.Hour)},
		webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("bob", "spam"), Sender: "bob", Key: "k2", Time: t0.Add(3 * time.Hour)},
	))
	got, err := l.Touched(ctx, "spam", t0.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []webhook.Touched{
		{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation("alice", "spam"), Last: t0.Add(2 * time.Hour)},
		{Kind: webhook.KindGroup, Conversation: webhook.GroupConversation("@TGS#c", "@TGS#c@TOPIC#t"), Last: t0.Add(time.Hour)},
	}, got, "only conversations spam itself posted in, since the time; bob's message to spam is bob's")

	// The ledger holds 4 messages: a fifth drops the oldest, and the index with it.
	require.NoError(t, l.Record(ctx, webhook.SentMessage{Kind: webhook.KindGroup, Conversation: "@TGS#other", Sender: "x", Seq: 9, Time: t0.Add(4 * time.Hour)}))
	got, err = l.Touched(ctx, "spam", time.Time{})
	require.NoError(t, err)
	assert.Len(t, got, 2, "the live group's only message was dropped, so it is no longer listed")
}

func TestConversationOf(t *testing.T) {
	for _, tc := range []struct {
		kind, conv, account string
		want                chatrecall.Conversation
		ok                  bool
	}{
		{webhook.KindGroup, "@TGS#g", "spam", chatrecall.Conversation{GroupID: "@TGS#g"}, true},
		{webhook.KindGroup, webhook.GroupConversation("@TGS#g", "@TGS#g@TOPIC#t"), "spam", chatrecall.Conversation{GroupID: "@TGS#g", TopicID: "@TGS#g@TOPIC#t"}, true},
		{webhook.KindC2C, webhook.C2CConversation("spam", "alice"), "spam", chatrecall.Conversation{Account: "spam", Peer: "alice"}, true},
		{webhook.KindC2C, webhook.C2CConversation("zed", "spam"), "spam", chatrecall.Conversation{Account: "spam", Peer: "zed"}, true},
		{webhook.KindC2C, webhook.C2CConversation("a", "b"), "spam", chatrecall.Conversation{}, false},
		{webhook.KindOfficial, "@TOA#x", "spam", chatrecall.Conversation{Official: "@TOA#x"}, true},
		{"other", "x", "spam", chatrecall.Conversation{}, false},
	} {
		got, ok := webhook.ConversationOf(tc.kind, tc.conv, tc.account)
		assert.Equal(t, tc.ok, ok, "%q", tc.conv)
		assert.Equal(t, tc.want, got, "%q", tc.conv)
	}
}

package chatrecall_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// TestDeleteGroupMessagesBySender: the exact request, its effect on the
// fake (the sender's messages among the last 1,000, nobody else's), and
// the answers that matter.
func TestDeleteGroupMessagesBySender(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	sent := srv.FillGroup("@TGS#d", chatrecalltest.Fill{Messages: 1500, Senders: 3, From: histEpoch.Add(-time.Hour), To: histEpoch, Seed: 8})

	res, err := client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#d", Sender: "user01"})
	require.NoError(t, err)
	assert.Equal(t, chatrecall.EndpointGroupDeleteBySender, res.Endpoint)
	reqs := srv.RequestsTo(chatrecall.EndpointGroupDeleteBySender)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v4/group_open_http_svc/delete_group_msg_by_sender", reqs[0].Path)
	assert.JSONEq(t, `{"GroupId":"@TGS#d","Sender_Account":"user01"}`, string(reqs[0].Body))
	for i, m := range sent {
		want := chatrecalltest.MessagePresent
		if m.Sender == "user01" && i >= len(sent)-1000 {
			want = chatrecalltest.MessageRecalled
		}
		require.Equal(t, want, srv.GroupMessage("@TGS#d", m.Seq), "seq %d (%d of %d) from %s", m.Seq, i, len(sent), m.Sender)
	}

	// An AVChatRoom group: nothing happens, and the service says OK.
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})
	_, err = client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#live", Sender: "u"})
	assert.NoError(t, err)

	// A group that does not exist.
	_, err = client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#none", Sender: "u"})
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)

	// Applied, then answered "internal error": asked again, done.
	srv.FailNext(chatrecall.EndpointGroupDeleteBySender, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 10002})
	_, err = client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#d", Sender: "user02"})
	assert.NoError(t, err)
	// Every answer lost: nobody can know.
	srv.FailNext(chatrecall.EndpointGroupDeleteBySender, 10, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	_, err = client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#d", Sender: "user00"})
	assert.ErrorIs(t, err, chatrecall.ErrOutcomeUnknown)
}

func TestDeleteGroupMessagesBySenderBadInput(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	g := chatrecall.Conversation{GroupID: "@TGS#x"}
	filter := chatrecall.SweepFilter{Senders: []string{"u"}, Since: histEpoch.Add(-time.Hour)}
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"nil ctx", func() error {
			_, err := client.DeleteGroupMessagesBySender(nilCtx, chatrecall.GroupDeleteBySender{GroupID: "g", Sender: "u"})
			return err
		}, "ctx"},
		{"no group", func() error {
			_, err := client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{Sender: "u"})
			return err
		}, "GroupID"},
		{"no sender", func() error {
			_, err := client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "g"})
			return err
		}, "Sender"},
		{"control char", func() error {
			_, err := client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "g", Sender: "u\x00"})
			return err
		}, "Sender"},
		{"bad utf8 topic", func() error {
			_, err := client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "g", TopicID: "\xff", Sender: "u"})
			return err
		}, "TopicID"},
		{"sweep of a one-to-one conversation", func() error {
			_, err := client.Sweep(ctx, chatrecall.Conversation{Account: "a", Peer: "b"}, filter, chatrecall.SweepOptions{DeleteBySender: true})
			return err
		}, "DeleteBySender"},
		{"without verification", func() error {
			_, err := client.Sweep(ctx, g, filter, chatrecall.SweepOptions{DeleteBySender: true, SkipVerify: true})
			return err
		}, "DeleteBySender"},
		{"apply without verification", func() error {
			_, err := client.ApplySweep(ctx, []chatrecall.SweepItem{{Conversation: g, Sender: "u", MsgSeq: 1}}, chatrecall.SweepOptions{DeleteBySender: true, SkipVerify: true})
			return err
		}, "DeleteBySender"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, tc.call(), &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Empty(t, srv.Requests())
}

// TestSweepDeleteBySender: the fast path takes back what the sender posted
// among the last 1,000 messages with one request, reads the history back,
// and recalls only what is older; every planned message ends gone, the
// ones taken back silently are marked and never counted as verified.
func TestSweepDeleteBySender(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	sent := srv.FillGroup("@TGS#fast", chatrecalltest.Fill{Messages: 3000, Senders: 5, From: histEpoch.Add(-3 * time.Hour), To: histEpoch, Seed: 5})
	var inWindow, older int
	for i, m := range sent {
		if m.Sender == "user03" {
			if i >= len(sent)-1000 {
				inWindow++
			} else {
				older++
			}
		}
	}
	require.Positive(t, older)

	var outcomes atomic.Int64 // Outcome is called from the recalling goroutines
	rep, err := client.Sweep(ctx, chatrecall.Conversation{GroupID: "@TGS#fast"},
		chatrecall.SweepFilter{Senders: []string{"user03"}, Since: histEpoch.Add(-4 * time.Hour)},
		chatrecall.SweepOptions{DeleteBySender: true, Outcome: func(chatrecall.SweepOutcome) { outcomes.Add(1) }})
	require.NoError(t, err)
	sum := rep.Summary()
	assert.Equal(t, inWindow+older, sum.Total)
	assert.Equal(t, sum.Total, sum.Recalled)
	assert.Equal(t, inWindow, sum.DeletedBySender)
	assert.Equal(t, older, sum.Verified, "the older ones were recalled and read back")
	assert.Equal(t, int64(sum.Total), outcomes.Load(), "one Outcome per item")
	for _, it := range rep.Items {
		assert.Equal(t, chatrecall.CheckRecalled, it.Check, it.ID())
	}
	for _, m := range sent {
		want := chatrecalltest.MessagePresent
		if m.Sender == "user03" {
			want = chatrecalltest.MessageRecalled
		}
		require.Equal(t, want, srv.GroupMessage("@TGS#fast", m.Seq))
	}
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointGroupDeleteBySender), 1)
	recalled := 0
	for _, r := range srv.RequestsTo(chatrecall.EndpointGroupRecall) {
		recalled += len(r.JSON["MsgSeqList"].([]any))
	}
	assert.Equal(t, older, recalled, "only what the fast path could not reach is recalled")
}

// TestSweepDeleteBySenderAnswerLost: the delete's answers are lost, so it
// may or may not have acted; what the read back shows gone counts as gone,
// and the rest is recalled. Nothing ends unknown or wrong.
func TestSweepDeleteBySenderAnswerLost(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	srv.FillGroup("@TGS#lost", chatrecalltest.Fill{Messages: 400, Senders: 4, From: histEpoch.Add(-time.Hour), To: histEpoch, Seed: 6})
	srv.FailNext(chatrecall.EndpointGroupDeleteBySender, 10, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	rep, err := client.Sweep(ctx, chatrecall.Conversation{GroupID: "@TGS#lost"},
		chatrecall.SweepFilter{Senders: []string{"user01"}, Since: histEpoch.Add(-2 * time.Hour)},
		chatrecall.SweepOptions{DeleteBySender: true})
	require.NoError(t, err)
	sum := rep.Summary()
	assert.Equal(t, sum.Total, sum.DeletedBySender, "the lost answers' requests did act, and the read back shows it")
	for _, it := range rep.Items {
		assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#lost", it.MsgSeq))
	}
}

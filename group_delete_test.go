package chatrecall_test

import (
	"context"
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, tc.call(), &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Empty(t, srv.Requests())
}

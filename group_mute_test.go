package chatrecall_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// TestGroupMuteEndpoints: the exact requests of forbid_send_msg and
// get_group_muted_account, what they read back, and their codes.
func TestGroupMuteEndpoints(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#g"})
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#work", Type: "Work"})
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	ctx := context.Background()

	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#g", Accounts: []string{"mallory", "eve"}, Seconds: 600})
	require.NoError(t, err)
	reqs := srv.RequestsTo(chatrecall.EndpointGroupMute)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v4/group_open_http_svc/forbid_send_msg", reqs[0].Path)
	assert.Equal(t, map[string]any{"GroupId": "@TGS#g", "Members_Account": []any{"mallory", "eve"}, "MuteTime": float64(600)}, reqs[0].JSON)
	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#g", Accounts: []string{"eve"}, Seconds: chatrecall.MuteForever})
	require.NoError(t, err)

	clock.Advance(100 * time.Second)
	got, err := c.GroupMutedAccounts(ctx, "@TGS#g", "")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "eve", got[0].Account)
	assert.Equal(t, int64(chatrecall.MuteForever), got[0].Until.Unix(), "for good")
	assert.Equal(t, "mallory", got[1].Account)
	assert.Equal(t, clock.Now().Add(500*time.Second).Unix(), got[1].Until.Unix(), "the end")
	assert.Equal(t, map[string]any{"GroupId": "@TGS#g"}, srv.RequestsTo(chatrecall.EndpointGroupMuted)[0].JSON)

	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#g", Accounts: []string{"mallory"}})
	require.NoError(t, err, "0 unmutes")
	_, muted := srv.GroupMutedUntil("@TGS#g", "", "mallory")
	assert.False(t, muted)

	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#none", Accounts: []string{"mallory"}, Seconds: 1})
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)
	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#work", Accounts: []string{"mallory"}, Seconds: 1})
	assert.ErrorIs(t, err, chatrecall.ErrPermission, "not in Work groups")
	srv.FailNext(chatrecall.EndpointGroupMuted, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeGroupInternalError})
	_, err = c.GroupMutedAccounts(ctx, "@TGS#g", "")
	require.NoError(t, err, "10002 retried")
}

func TestGroupMuteBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	ctx := context.Background()
	many := make([]string, 501)
	for i := range many {
		many[i] = "u" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for _, tc := range []struct {
		r     chatrecall.GroupMute
		field string
	}{
		{chatrecall.GroupMute{Accounts: []string{"m"}}, "GroupID"},
		{chatrecall.GroupMute{GroupID: "g\x00", Accounts: []string{"m"}}, "GroupID"},
		{chatrecall.GroupMute{GroupID: "g"}, "Accounts"},
		{chatrecall.GroupMute{GroupID: "g", Accounts: many}, "Accounts"},
		{chatrecall.GroupMute{GroupID: "g", Accounts: []string{"m", ""}}, "Accounts[1]"},
		{chatrecall.GroupMute{GroupID: "g", Accounts: []string{"m", "m"}}, "Accounts[1]"},
		{chatrecall.GroupMute{GroupID: "g", TopicID: "t\n", Accounts: []string{"m"}}, "TopicID"},
	} {
		_, err := c.MuteInGroup(ctx, tc.r)
		var ve *chatrecall.ValidationError
		require.ErrorAs(t, err, &ve, "%+v", tc.r)
		assert.Equal(t, tc.field, ve.Field)
	}
	_, err = c.GroupMutedAccounts(ctx, "", "")
	var ve *chatrecall.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "groupID", ve.Field)
	assert.Empty(t, srv.Requests())
}

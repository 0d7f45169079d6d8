package chatrecall_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJoinedGroups pages through 7,500 groups (5,000 a page), with the
// exact request spec 6.1 decides, each group once.
func TestJoinedGroups(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	for i := 0; i < 7500; i++ {
		srv.AddMembers(fmt.Sprintf("@TGS#%05d", i), "mallory")
	}
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#00007", Type: "AVChatRoom"})
	srv.AddMembers("@TGS#other", "alice")
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	seen := map[string]string{}
	for g, err := range c.JoinedGroups(context.Background(), "mallory") {
		require.NoError(t, err)
		_, dup := seen[g.GroupID]
		require.False(t, dup, g.GroupID)
		seen[g.GroupID] = g.Type
	}
	assert.Len(t, seen, 7500)
	assert.Equal(t, "AVChatRoom", seen["@TGS#00007"], "live-stream groups listed")
	reqs := srv.RequestsTo(chatrecall.EndpointJoinedGroups)
	require.Len(t, reqs, 2)
	assert.Equal(t, map[string]any{"Member_Account": "mallory", "Limit": float64(5000), "Offset": float64(0), "WithHugeGroups": float64(1),
		"WithNoActiveGroups": float64(1), "ResponseFilter": map[string]any{"GroupBaseInfoFilter": []any{"Type"}}}, reqs[0].JSON)
	assert.Equal(t, float64(5000), reqs[1].JSON["Offset"])
}

// TestRecentContacts: one-to-one peers and joined groups, newest first,
// each once, 20 a page; the list is capped as the service caps it.
func TestRecentContacts(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithContactCap(30))
	defer srv.Close()
	now := time.Now().Truncate(time.Second)
	for i := 0; i < 40; i++ {
		srv.SendC2CMessage("mallory", fmt.Sprintf("peer%02d", i), now.Add(-time.Duration(40-i)*time.Minute))
	}
	srv.AddMembers("@TGS#g", "mallory")
	srv.SendGroupMessage("@TGS#g", "mallory", now)
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	var got []chatrecall.Contact
	for ct, err := range c.RecentContacts(context.Background(), "mallory") {
		require.NoError(t, err)
		got = append(got, ct)
	}
	require.Len(t, got, 30, "capped at 30: the oldest peers are not listed")
	assert.Equal(t, "@TGS#g", got[0].GroupID, "newest first")
	assert.Equal(t, "peer39", got[1].Peer)
	assert.Equal(t, "peer11", got[29].Peer)
	reqs := srv.RequestsTo(chatrecall.EndpointRecentContacts)
	require.Len(t, reqs, 2, "20 a page")
	assert.Equal(t, map[string]any{"From_Account": "mallory", "TimeStamp": float64(0), "StartIndex": float64(0), "TopTimeStamp": float64(0),
		"TopStartIndex": float64(0), "AssistFlags": float64(63)}, reqs[0].JSON)
	assert.Equal(t, float64(20), reqs[1].JSON["StartIndex"], "the returned cursor is sent back")
}

// TestDiscoveryPagingThatStalls: a page that adds nothing before the end
// is an error, never an endless loop or a silent end.
func TestDiscoveryPagingThatStalls(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		read       func(*chatrecall.Client) error
	}{
		{"joined groups", `{"ActionStatus":"OK","ErrorCode":0,"TotalCount":10,"GroupIdList":[{"GroupId":"@TGS#a","Type":"Public"}]}`, func(c *chatrecall.Client) error {
			for _, err := range c.JoinedGroups(context.Background(), "m") {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"recent contacts", `{"ActionStatus":"OK","ErrorCode":0,"CompleteFlag":0,"StartIndex":0,"SessionItem":[]}`, func(c *chatrecall.Client) error {
			for _, err := range c.RecentContacts(context.Background(), "m") {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &seqTransport{bodies: []string{tc.body}}
			c, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "k", Region: chatrecall.RegionSingapore},
				chatrecall.WithHTTPClient(&http.Client{Transport: tr}), chatrecall.WithoutRateLimits())
			require.NoError(t, err)
			err = tc.read(c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "added no")
			assert.LessOrEqual(t, tr.n, 2)
		})
	}
}

func TestDiscoveryBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	ctx := context.Background()
	for _, err := range []error{
		func() error { _, err := c.JoinedGroupsPage(ctx, chatrecall.JoinedGroupsPageRequest{}); return err }(),
		func() error {
			_, err := c.JoinedGroupsPage(ctx, chatrecall.JoinedGroupsPageRequest{Account: "m", Limit: 5001})
			return err
		}(),
		func() error {
			_, err := c.RecentContactsPage(ctx, chatrecall.RecentContactsPageRequest{Account: "m\n"})
			return err
		}(),
	} {
		assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
	}
	for _, err := range c.JoinedGroups(ctx, "") {
		assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
	}
	assert.Empty(t, srv.Requests())
}

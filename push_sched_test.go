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

// TestSchedTaskEndpoints: the exact requests of list, get and
// delete_sched_task, what they read back, and their codes; then the
// statistics and trace of the push it became.
func TestSchedTaskEndpoints(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	clock := chatrecalltest.NewClock(now)
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	ctx := context.Background()
	pending := srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale", Desc: "50% off", SchedAt: now.Add(time.Hour)})
	sent := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "Tag", Title: "Weekly", SchedAt: now.Add(-time.Hour), Users: []string{"u1"}, Reach: 10})

	list, err := c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now.Add(-2 * time.Hour), End: now.Add(2 * time.Hour), Keyword: "sale"})
	require.NoError(t, err)
	require.Len(t, list.Tasks, 1)
	assert.Equal(t, pending, list.Tasks[0].TaskID)
	assert.Equal(t, map[string]any{"Sdkappid": float64(chatrecalltest.DefaultSDKAppID), "Offset": float64(0), "Want": float64(20), "OrderBy": "schedAt",
		"Asc": false, "BeginTime": "2026-12-02 06:00:00", "EndTime": "2026-12-02 10:00:00", "Keyword": "sale"}, srv.RequestsTo(chatrecall.EndpointSchedList)[0].JSON)

	task, err := c.GetPushSchedTask(ctx, pending)
	require.NoError(t, err)
	assert.True(t, task.Pending())
	assert.Equal(t, "Flash sale", task.Title)
	assert.Equal(t, now.Add(time.Hour), task.SchedAt)
	assert.Equal(t, map[string]any{"Sdkappid": float64(chatrecalltest.DefaultSDKAppID), "TaskID": float64(pending)}, srv.RequestsTo(chatrecall.EndpointSchedGet)[0].JSON)

	done, err := c.GetPushSchedTask(ctx, sent)
	require.NoError(t, err)
	assert.False(t, done.Pending())
	assert.Equal(t, "push-2", done.PushTaskID)

	_, err = c.DeletePushSchedTask(ctx, sent, "Tag")
	assert.ErrorIs(t, err, chatrecall.ErrDispatching, "a dispatched task cannot be deleted (90107)")
	_, err = c.DeletePushSchedTask(ctx, pending, "All")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Sdkappid": float64(chatrecalltest.DefaultSDKAppID), "TaskID": float64(pending), "Type": "All"},
		srv.RequestsTo(chatrecall.EndpointSchedDelete)[1].JSON)
	state, _ := srv.SchedTaskState(pending)
	assert.Equal(t, "deleted", state)

	stats, err := c.PushStatistics(ctx, "push-2", now.Add(-2*time.Hour), now)
	require.NoError(t, err)
	assert.Equal(t, 10, stats.Total)
	assert.Contains(t, string(stats.Raw), `"TotalCount":10`)
	assert.Equal(t, map[string]any{"StartTime": float64(now.Add(-2 * time.Hour).Unix()), "EndTime": float64(now.Unix()), "TaskID": []any{"push-2"}},
		srv.RequestsTo(chatrecall.EndpointPushStatistics)[0].JSON)
	trace, err := c.PushTrace(ctx, "push-2", "u1")
	require.NoError(t, err)
	require.Len(t, trace, 1)
	assert.Equal(t, "APNs", trace[0].Platform)
	assert.Equal(t, map[string]any{"TaskID": "push-2", "UserID": "u1"}, srv.RequestsTo(chatrecall.EndpointPushTrace)[0].JSON)

	// 90104 on the list: asked once more with OrderBy's other spelling.
	srv.FailNext(chatrecall.EndpointSchedList, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeSchedInvalidParameter})
	_, err = c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now, End: now.Add(time.Hour)})
	require.Error(t, err, "the fake takes only schedAt, so the second spelling is refused too")
	reqs := srv.RequestsTo(chatrecall.EndpointSchedList)
	assert.Equal(t, "schedat", reqs[len(reqs)-1].JSON["OrderBy"])
}

func TestSchedTaskBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	ctx := context.Background()
	now := time.Now()
	for _, tc := range []struct {
		err   error
		field string
	}{
		{func() error { _, err := c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{End: now}); return err }(), "Begin"},
		{func() error {
			_, err := c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now, End: now.Add(-time.Second)})
			return err
		}(), "End"},
		{func() error {
			_, err := c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now, End: now, Want: 101})
			return err
		}(), "Want"},
		{func() error {
			_, err := c.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now, End: now, Keyword: "a\x00"})
			return err
		}(), "Keyword"},
		{func() error { _, err := c.GetPushSchedTask(ctx, 0); return err }(), "taskID"},
		{func() error { _, err := c.DeletePushSchedTask(ctx, 1, "all"); return err }(), "typ"},
		{func() error { _, err := c.PushStatistics(ctx, "", now, now); return err }(), "pushTaskID"},
		{func() error { _, err := c.PushStatistics(ctx, "p", now, now); return err }(), "end"},
		{func() error { _, err := c.PushTrace(ctx, "p", ""); return err }(), "userID"},
	} {
		var ve *chatrecall.ValidationError
		require.ErrorAs(t, tc.err, &ve)
		assert.Equal(t, tc.field, ve.Field)
	}
	assert.Empty(t, srv.Requests())
}

package pushback_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/pushback"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var epoch = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

func fake(t testing.TB) (*chatrecalltest.Server, *chatrecall.Client, *chatrecalltest.Clock) {
	t.Helper()
	clock := chatrecalltest.NewClock(epoch)
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits())
	t.Cleanup(srv.Close)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	return srv, client, clock
}

var sorry = &chatrecall.OfflinePushInfo{Title: "Correction", Desc: "Please ignore the last message"}

// TestTakeBackRaces: tasks pending, dispatching and dispatched, and 200
// seeded races between the read of a pending task and the delete (it
// starts going out in between, and gets its push task some reads later).
// Against the fake's ground truth: never "deleted" for a task that went
// out, never "revoked" for one that was deleted; every step's outcome is
// true.
func TestTakeBackRaces(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 1202))
	counts := map[string]int{}
	for i := 0; i < 200; i++ {
		srv, client, clock := fake(t)
		task := chatrecalltest.SchedTask{Title: "50% off", Users: []string{"u1", "u2"}, Reach: 1000, KeptCopies: rng.IntN(2) == 0}
		kind := []string{"pending", "race", "dispatching", "dispatched"}[i%4]
		switch kind {
		case "pending":
			task.SchedAt = epoch.Add(time.Hour)
		case "race":
			task.SchedAt = epoch.Add(time.Hour)
			task.RaceAfterReads, task.DispatchAfterReads = 1, rng.IntN(4)
		case "dispatching":
			task.SchedAt, task.Dispatching = epoch.Add(-time.Minute), time.Duration(1+rng.IntN(20))*time.Second
		case "dispatched":
			task.SchedAt = epoch.Add(-time.Duration(1+rng.IntN(600)) * time.Minute)
		}
		id := srv.AddSchedTask(task)
		var steps []pushback.Step
		rep, err := pushback.TakeBackPush(context.Background(), client, pushback.Request{SchedTaskID: id, Overwrite: sorry, CheckUsers: []string{"u1"}},
			pushback.Options{Clock: clock, OnStep: func(s pushback.Step) { steps = append(steps, s) }})
		require.NoError(t, err, "%s: %+v", kind, steps)
		state, pushID := srv.SchedTaskState(id)
		switch {
		case rep.Deleted:
			counts["deleted"]++
			assert.Equal(t, "deleted", state, "%s: reported deleted", kind)
			assert.False(t, rep.Revoked)
			assert.Empty(t, pushID, "%s: deleted, yet it went out", kind)
		case rep.Revoked:
			counts["revoked"]++
			require.NotEmpty(t, pushID, "%s: revoked, yet it never went out", kind)
			st, ok := srv.PushTaskState(pushID)
			require.True(t, ok)
			assert.True(t, st.Revoked, "%s: reported revoked, the fake says not", kind)
			assert.JSONEq(t, `{"PushFlag":0,"Title":"Correction","Desc":"Please ignore the last message"}`, string(st.OfflinePushInfo))
			assert.Equal(t, rep.PushTaskID, pushID)
		default:
			t.Fatalf("%s: neither deleted nor revoked: %+v", kind, steps)
		}
		if kind == "pending" {
			assert.True(t, rep.Deleted, "a pending task is deleted")
		}
		if kind == "race" || kind == "dispatching" || kind == "dispatched" {
			assert.True(t, rep.Revoked, "%s: a task that went out is revoked", kind)
		}
		for _, s := range steps {
			if s.Name == "delete" && s.Outcome == pushback.Done {
				assert.True(t, rep.Deleted)
			}
		}
		if rep.Revoked {
			require.NotNil(t, rep.Statistics, "%+v", steps)
			assert.Equal(t, 1000, rep.Statistics.Total)
			assert.Len(t, rep.Traces["u1"], 1)
		}
	}
	t.Logf("200 take-backs (50 pending, 50 raced, 50 dispatching, 50 dispatched): %d deleted, %d revoked; 0 wrong", counts["deleted"], counts["revoked"])
	assert.Equal(t, 50, counts["deleted"])
	assert.Equal(t, 150, counts["revoked"])
}

// TestTakeBackByKeyword: one match is taken back; several are listed and
// nothing is done; none is an error.
func TestTakeBackByKeyword(t *testing.T) {
	srv, client, clock := fake(t)
	srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale", SchedAt: epoch.Add(time.Hour)})
	srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale again", SchedAt: epoch.Add(2 * time.Hour)})
	only := srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Wrong price", SchedAt: epoch.Add(time.Hour)})
	ctx := context.Background()
	rep, err := pushback.TakeBackPush(ctx, client, pushback.Request{Keyword: "Flash", Since: epoch, Overwrite: sorry}, pushback.Options{Clock: clock})
	require.ErrorIs(t, err, pushback.ErrAmbiguous)
	assert.Len(t, rep.Candidates, 2)
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointSchedDelete), "several match: nothing is done")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointPushRevoke))

	rep, err = pushback.TakeBackPush(ctx, client, pushback.Request{Keyword: "Wrong", Since: epoch, Overwrite: sorry}, pushback.Options{Clock: clock})
	require.NoError(t, err)
	assert.True(t, rep.Deleted)
	state, _ := srv.SchedTaskState(only)
	assert.Equal(t, "deleted", state)

	_, err = pushback.TakeBackPush(ctx, client, pushback.Request{Keyword: "nothing", Since: epoch, Overwrite: sorry}, pushback.Options{Clock: clock})
	assert.ErrorContains(t, err, "no scheduled task")
}

// TestTakeBackBadInputSendsNothing: refused before any request.
func TestTakeBackBadInputSendsNothing(t *testing.T) {
	srv, client, clock := fake(t)
	for _, tc := range []struct {
		r     pushback.Request
		field string
	}{
		{pushback.Request{Overwrite: sorry}, "PushTaskID"},
		{pushback.Request{PushTaskID: "p", SchedTaskID: 1, Overwrite: sorry}, "PushTaskID"},
		{pushback.Request{PushTaskID: "batch_667015d4_1", Overwrite: sorry}, "PushTaskID"},
		{pushback.Request{PushTaskID: "wbat@1_x", Overwrite: sorry}, "PushTaskID"},
		{pushback.Request{PushTaskID: "p\x00", Overwrite: sorry}, "PushTaskID"},
		{pushback.Request{SchedTaskID: -1, Overwrite: sorry}, "SchedTaskID"},
		{pushback.Request{PushTaskID: "p"}, "Overwrite"},
		{pushback.Request{PushTaskID: "p", Overwrite: &chatrecall.OfflinePushInfo{Title: " "}}, "Overwrite"},
		{pushback.Request{PushTaskID: "p", Overwrite: &chatrecall.OfflinePushInfo{Title: "x", PushFlag: 1}}, "Overwrite"},
		{pushback.Request{PushTaskID: "p", Overwrite: &chatrecall.OfflinePushInfo{Title: "bad\x07"}}, "Overwrite.Title"},
		{pushback.Request{Keyword: "sale", Overwrite: sorry}, "Since"},
		{pushback.Request{Keyword: "sale", Since: epoch, Until: epoch.Add(-time.Hour), Overwrite: sorry}, "Until"},
		{pushback.Request{Keyword: "sale", Since: epoch, Until: epoch, Overwrite: sorry}, "Until"},
		{pushback.Request{PushTaskID: "p", Since: epoch, Overwrite: sorry}, "Since"},
		{pushback.Request{PushTaskID: "p", Overwrite: sorry, CheckUsers: []string{"a", "b", "c", "d"}}, "CheckUsers"},
		{pushback.Request{PushTaskID: "p", Overwrite: sorry, CheckUsers: []string{""}}, "CheckUsers[0]"},
	} {
		_, err := pushback.TakeBackPush(context.Background(), client, tc.r, pushback.Options{Clock: clock})
		var ve *chatrecall.ValidationError
		require.ErrorAs(t, err, &ve, "%+v", tc.r)
		assert.Equal(t, tc.field, ve.Field, "%+v: %v", tc.r, err)
	}
	assert.Empty(t, srv.Requests())
}

// TestTakeBackRefusesWhatCannotBeRevoked: a User task (a single send) and a
// push older than 24 hours are refused before the revoke, with the reason.
func TestTakeBackRefusesWhatCannotBeRevoked(t *testing.T) {
	srv, client, clock := fake(t)
	user := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "User", SchedAt: epoch.Add(-time.Hour)})
	old := srv.AddSchedTask(chatrecalltest.SchedTask{SchedAt: epoch.Add(-25 * time.Hour)})
	for _, id := range []int64{user, old} {
		rep, err := pushback.TakeBackPush(context.Background(), client, pushback.Request{SchedTaskID: id, Overwrite: sorry}, pushback.Options{Clock: clock})
		require.ErrorIs(t, err, pushback.ErrNotRevocable)
		assert.False(t, rep.Revoked)
	}
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointPushRevoke))
}

// TestTakeBackDryRunChangesNothing and a push task given by ID.
func TestTakeBackDryRunAndByPushID(t *testing.T) {
	srv, client, clock := fake(t)
	pending := srv.AddSchedTask(chatrecalltest.SchedTask{SchedAt: epoch.Add(time.Hour)})
	var lines []string
	rep, err := pushback.TakeBackPush(context.Background(), client, pushback.Request{SchedTaskID: pending, Overwrite: sorry, DryRun: true},
		pushback.Options{Clock: clock, OnStep: func(s pushback.Step) { lines = append(lines, s.Name+" "+s.Outcome+" "+s.Detail) }})
	require.NoError(t, err)
	assert.False(t, rep.Deleted)
	assert.Contains(t, strings.Join(lines, "\n"), "delete skipped dry run: would delete")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointSchedDelete))

	id := srv.AddPushTask(chatrecalltest.PushTask{})
	rep, err = pushback.TakeBackPush(context.Background(), client, pushback.Request{PushTaskID: id, Overwrite: sorry}, pushback.Options{Clock: clock})
	require.NoError(t, err)
	assert.True(t, rep.Revoked)
	rep, err = pushback.TakeBackPush(context.Background(), client, pushback.Request{PushTaskID: id, Overwrite: sorry}, pushback.Options{Clock: clock})
	require.NoError(t, err, "already revoked is done")
	assert.True(t, rep.Revoked)
	_, err = pushback.TakeBackPush(context.Background(), client, pushback.Request{PushTaskID: "nope", Overwrite: sorry}, pushback.Options{Clock: clock})
	assert.True(t, errors.Is(err, chatrecall.ErrNotRecallable))
}

// TestTakeBackWithoutOverwrite: NoOverwrite revokes with no replacement
// (delivery stops); it and Overwrite together are refused.
func TestTakeBackWithoutOverwrite(t *testing.T) {
	srv, client, clock := fake(t)
	id := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	rep, err := pushback.TakeBackPush(context.Background(), client, pushback.Request{PushTaskID: id, NoOverwrite: true}, pushback.Options{Clock: clock})
	require.NoError(t, err)
	assert.True(t, rep.Revoked)
	st, _ := srv.PushTaskState(id)
	assert.True(t, st.Revoked)
	assert.Empty(t, st.OfflinePushInfo, "no replacement sent")
	_, err = pushback.TakeBackPush(context.Background(), client, pushback.Request{PushTaskID: id, NoOverwrite: true, Overwrite: sorry}, pushback.Options{Clock: clock})
	var ve *chatrecall.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Overwrite", ve.Field)
}

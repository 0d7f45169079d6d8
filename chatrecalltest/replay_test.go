package chatrecalltest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// replayEpoch is when the replay test's servers were seeded.
var replayEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// seedForReplay seeds one of every kind of state a request can change.
func seedForReplay(srv *chatrecalltest.Server) {
	srv.AddGroupMessages("@TGS#g", 1, 2, 3, 4)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#pub", Type: "Public"})
	srv.FillGroup("@TGS#pub", chatrecalltest.Fill{Messages: 40, Senders: 4, From: replayEpoch.Add(-time.Hour), To: replayEpoch, Seed: 7})
	srv.AddOfficialMessages("@TOA#o", "k1", "k2")
	srv.AddC2CMessage("alice", "bob", "1_1_1")
	srv.AddPushTask(chatrecalltest.PushTask{ID: "t1", KeptCopies: true, PushedAt: replayEpoch})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1", PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "2", PushType: "all", Status: chatrecalltest.TPNSStatusFinished})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "3", PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: replayEpoch.Add(time.Hour)})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "4", PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42})
	srv.AddSchedTask(chatrecalltest.SchedTask{ID: 101, Title: "sale", SchedAt: replayEpoch.Add(time.Hour)})
}

// TestReplayRebuildsTheState: a server seeded the same way, given the
// first one's change log, holds the same state, including what depends on
// when a change was made (a mute's end, a cancel before its send time).
func TestReplayRebuildsTheState(t *testing.T) {
	clock := chatrecalltest.NewClock(replayEpoch)
	var log []chatrecalltest.Request
	a := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits(),
		chatrecalltest.WithChangeLog(func(r chatrecalltest.Request) { log = append(log, r) }))
	defer a.Close()
	seedForReplay(a)
	c := client(t, a.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())

	_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{2, 3, 9}})
	require.Error(t, err) // 9 does not exist: what failed changed nothing
	_, err = c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#o", MsgKeys: []string{"k2"}})
	require.NoError(t, err)
	_, err = c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_1_1"})
	require.NoError(t, err)
	_, err = c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t1"})
	require.NoError(t, err)
	_, err = c.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#pub", Sender: "user01"})
	require.NoError(t, err)
	clock.Advance(10 * time.Minute)
	_, err = c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "mallory", C2C: ptr(uint32(3600)), Group: ptr(uint32(600))})
	require.NoError(t, err)
	_, err = c.Kick(ctx, "mallory")
	require.NoError(t, err)
	_, err = c.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#pub", Accounts: []string{"mallory"}, Seconds: 900})
	require.NoError(t, err)
	_, err = c.StopTPNSPush(ctx, "1")
	require.NoError(t, err)
	_, err = c.RevokeTPNSPush(ctx, "2")
	require.NoError(t, err)
	_, err = c.CancelTPNSScheduledPush(ctx, "3")
	require.NoError(t, err)
	ov, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: "4", Push: chatrecall.TPNSPush{AudienceType: "all", Title: "fix", Content: "ignore it"}})
	require.NoError(t, err)
	_, err = c.DeletePushSchedTask(ctx, 101, "All")
	require.NoError(t, err)
	_, err = c.GetNoSpeaking(ctx, "mallory") // a read: not in the log
	require.NoError(t, err)

	applied := 0
	for _, r := range a.Requests() {
		if r.Applied {
			applied++
		}
	}
	require.Equal(t, applied, len(log), "the log holds every request that changed something, and only those")
	require.Equal(t, 13, applied)

	clock.Advance(5 * time.Minute) // a later run replays the log, and reads both
	b := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer b.Close()
	seedForReplay(b)
	require.NoError(t, b.Replay(log...))
	assert.Empty(t, b.Requests(), "a replay is not a request")

	for seq := uint64(1); seq <= 4; seq++ {
		assert.Equal(t, a.GroupMessage("@TGS#g", seq), b.GroupMessage("@TGS#g", seq), "seq %d", seq)
	}
	for seq := uint64(1); seq <= 40; seq++ {
		assert.Equal(t, a.GroupMessage("@TGS#pub", seq), b.GroupMessage("@TGS#pub", seq), "pub seq %d", seq)
	}
	assert.Equal(t, chatrecalltest.MessageRecalled, b.GroupMessage("@TGS#g", 2))
	assert.Equal(t, chatrecalltest.MessageRecalled, b.OfficialMessage("@TOA#o", "k2"))
	assert.Equal(t, chatrecalltest.MessagePresent, b.OfficialMessage("@TOA#o", "k1"))
	assert.Equal(t, chatrecalltest.MessageRecalled, b.C2CMessage("1_1_1"))
	pa, _ := a.PushTaskState("t1")
	pb, _ := b.PushTaskState("t1")
	assert.Equal(t, pa, pb)
	assert.True(t, pb.Revoked)
	ac, ag := a.NoSpeaking("mallory")
	bc, bg := b.NoSpeaking("mallory")
	assert.Equal(t, [2]uint32{ac, ag}, [2]uint32{bc, bg})
	assert.Equal(t, [2]uint32{3300, 300}, [2]uint32{bc, bg}, "made 5 minutes before the reading, as the first server's were")
	assert.Equal(t, 1, b.Kicks("mallory"))
	ua, _ := a.GroupMutedUntil("@TGS#pub", "", "mallory")
	ub, ok := b.GroupMutedUntil("@TGS#pub", "", "mallory")
	assert.True(t, ok)
	assert.Equal(t, ua, ub)
	for _, id := range []string{"1", "2", "3", "4", ov.PushIDs[0]} {
		ta, _ := a.TPNSTaskState(id)
		tb, ok := b.TPNSTaskState(id)
		assert.True(t, ok, id)
		assert.Equal(t, ta, tb, id)
	}
	sa, _ := a.SchedTaskState(101)
	sb, _ := b.SchedTaskState(101)
	assert.Equal(t, sa, sb)
}

// TestReplayOnAnotherSeed: a log that no longer applies is an error that
// names the request, not a silent partial state.
func TestReplayOnAnotherSeed(t *testing.T) {
	var log []chatrecalltest.Request
	a := chatrecalltest.NewServer(chatrecalltest.WithChangeLog(func(r chatrecalltest.Request) { log = append(log, r) }))
	defer a.Close()
	a.AddGroupMessages("@TGS#g", 1, 2)
	c := client(t, a.Config())
	_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	_, err = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{2}})
	require.NoError(t, err)
	require.Len(t, log, 2)

	b := chatrecalltest.NewServer()
	defer b.Close()
	b.AddGroupMessages("@TGS#g", 1) // seq 2 was never seeded here
	err = b.Replay(log...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "request 1 ("+chatrecall.EndpointGroupRecall+") no longer applies")
	assert.Equal(t, chatrecalltest.MessageRecalled, b.GroupMessage("@TGS#g", 1))
}

func ptr[T any](v T) *T { return &v }

package takedown_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/takedown"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var epoch = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func fake(t testing.TB, opts ...chatrecalltest.Option) (*chatrecalltest.Server, *chatrecall.Client, *chatrecalltest.Clock) {
	t.Helper()
	clock := chatrecalltest.NewClock(epoch)
	srv := chatrecalltest.NewServer(append([]chatrecalltest.Option{chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits()}, opts...)...)
	t.Cleanup(srv.Close)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	return srv, client, clock
}

// writes counts the requests that change something.
func writes(srv *chatrecalltest.Server) int {
	return len(srv.RequestsTo(chatrecall.EndpointSetNoSpeaking)) + len(srv.RequestsTo(chatrecall.EndpointKick))
}

// TestContainAndUndo: from 100 random starting states (none, permanent, or
// timed, for one-to-one and group messages apart), Contain never shortens a
// mute, sends at most 2 requests beyond its read, changes no mute when run
// again, and Undo, some seconds later, restores each mute by the spec's
// rule, to the second: none stays none, permanent stays permanent, a timed
// one ends when it would have ended.
func TestContainAndUndo(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261202, 1))
	state := func() uint32 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return chatrecall.MuteForever
		}
		return uint32(1 + rng.IntN(20000))
	}
	for i := 0; i < 100; i++ {
		srv, client, clock := fake(t)
		c2c, group := state(), state()
		srv.SetNoSpeakingState("mallory", c2c, group)
		mute := uint32(0) // permanent
		if rng.IntN(2) == 0 {
			mute = uint32(1 + rng.IntN(20000))
		}
		ctx := context.Background()
		r, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{Mute: mute, Clock: clock})
		require.NoError(t, err)
		assert.LessOrEqual(t, writes(srv), 2, "at most a mute and a kick beyond the read")
		assert.Equal(t, 1, srv.Kicks("mallory"))
		assert.Equal(t, chatrecall.NoSpeaking{C2C: c2c, Group: group}, r.Before)
		got1, got2 := srv.NoSpeaking("mallory")
		for _, p := range [][2]uint32{{c2c, got1}, {group, got2}} {
			before, now := p[0], p[1]
			assert.True(t, now == chatrecall.MuteForever || (before != chatrecall.MuteForever && now >= before), "never shortened: %d then %d", before, now)
			want := mute
			if want == 0 {
				want = chatrecall.MuteForever
			}
			assert.True(t, now == chatrecall.MuteForever || uint64(now)+60 >= uint64(want), "at least as long as asked: %d for %d", now, want)
		}

		again, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{Mute: mute, Clock: clock})
		require.NoError(t, err)
		assert.Nil(t, again.SetC2C, "run again: no mute changed")
		assert.Nil(t, again.SetGroup)

		d := time.Duration(rng.IntN(30000)) * time.Second
		clock.Advance(d)
		_, err = takedown.Undo(ctx, client, r, clock)
		require.NoError(t, err)
		after1, after2 := srv.NoSpeaking("mallory")
		restored := func(before uint32, set *uint32, now uint32) uint32 {
			switch {
			case set == nil:
				return now // never touched
			case before == 0 || before == chatrecall.MuteForever:
				return before
			case time.Duration(before)*time.Second <= d:
				return 0
			}
			return before - uint32(d/time.Second)
		}
		assert.Equal(t, restored(c2c, r.SetC2C, after1), after1, "one-to-one: %d, %s later", c2c, d)
		assert.Equal(t, restored(group, r.SetGroup, after2), after2, "groups: %d, %s later", group, d)
	}
}

// TestContainReceiptIsJSON: the receipt goes to a file and comes back.
func TestContainReceiptIsJSON(t *testing.T) {
	srv, client, clock := fake(t)
	srv.SetNoSpeakingState("mallory", 0, 600)
	r, err := takedown.Contain(context.Background(), client, "mallory", takedown.ContainOptions{Clock: clock})
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back takedown.Receipt
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Account, back.Account)
	assert.True(t, r.At.Equal(back.At))
	clock.Advance(100 * time.Second)
	_, err = takedown.Undo(context.Background(), client, &back, clock)
	require.NoError(t, err)
	c2c, group := srv.NoSpeaking("mallory")
	assert.Equal(t, uint32(0), c2c)
	assert.Equal(t, uint32(500), group)
}

func TestContainBadInputSendsNothing(t *testing.T) {
	srv, client, _ := fake(t)
	ctx := context.Background()
	var nilCtx context.Context
	for _, tc := range []struct {
		name, field string
		err         error
	}{
		{"empty account", "account", func() error { _, err := takedown.Contain(ctx, client, "", takedown.ContainOptions{}); return err }()},
		{"control character", "account", func() error {
			_, err := takedown.Contain(ctx, client, "mal\nlory", takedown.ContainOptions{})
			return err
		}()},
		{"bad UTF-8", "account", func() error { _, err := takedown.Contain(ctx, client, "\xff", takedown.ContainOptions{}); return err }()},
		{"nil ctx", "ctx", func() error { _, err := takedown.Contain(nilCtx, client, "m", takedown.ContainOptions{}); return err }()},
		{"undo nil receipt", "r", func() error { _, err := takedown.Undo(ctx, client, nil, nil); return err }()},
		{"undo empty receipt", "r.Account", func() error { _, err := takedown.Undo(ctx, client, &takedown.Receipt{}, nil); return err }()},
		{"undo receipt without time", "r.At", func() error {
			_, err := takedown.Undo(ctx, client, &takedown.Receipt{Account: "m", SetC2C: chatrecall.MuteSeconds(1)}, nil)
			return err
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, tc.err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Empty(t, srv.Requests())
}

// TestContainInGroups: from 100 random starting states of the account's
// mute in a group (none, for good, timed), Contain mutes it there after
// the global mute and the kick, never shortening it, changes nothing when
// run again, and Undo restores it by the spec's rule, to the second.
func TestContainInGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261202, 2))
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		srv, client, clock := fake(t)
		srv.AddGroup(chatrecalltest.Group{ID: "@TGS#g"})
		var before uint32
		switch rng.IntN(3) {
		case 1:
			before = chatrecall.MuteForever
		case 2:
			before = uint32(1 + rng.IntN(20000))
		}
		if before != 0 {
			_, err := client.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#g", Accounts: []string{"mallory"}, Seconds: before})
			require.NoError(t, err)
		}
		mark := len(srv.Requests())
		mute := uint32(0)
		if rng.IntN(2) == 0 {
			mute = uint32(1 + rng.IntN(20000))
		}
		r, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{Mute: mute, Clock: clock, Groups: []string{"@TGS#g"}})
		require.NoError(t, err)
		writes := 0
		for _, q := range srv.Requests()[mark:] {
			if q.Endpoint == chatrecall.EndpointGroupMute || q.Endpoint == chatrecall.EndpointSetNoSpeaking || q.Endpoint == chatrecall.EndpointKick {
				writes++
			}
		}
		assert.LessOrEqual(t, writes, 3, "at most a mute, a kick and a group mute beyond the reads")
		require.Len(t, r.Groups, 1)
		assert.Equal(t, before, r.Groups[0].Before)
		until, muted := srv.GroupMutedUntil("@TGS#g", "", "mallory")
		require.True(t, muted)
		want := mute
		if want == 0 {
			want = chatrecall.MuteForever
		}
		switch {
		case before == chatrecall.MuteForever:
			assert.True(t, until.IsZero(), "for good stays for good")
		case want == chatrecall.MuteForever:
			assert.True(t, until.IsZero(), "muted for good, as asked")
		default:
			assert.GreaterOrEqual(t, until.Sub(clock.Now()), time.Duration(max(want, before)-60)*time.Second, "never shortened, at least as asked")
		}
		again, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{Mute: mute, Clock: clock, Groups: []string{"@TGS#g"}})
		require.NoError(t, err)
		assert.Nil(t, again.Groups[0].Set, "run again: the group mute is not changed")

		d := time.Duration(rng.IntN(30000)) * time.Second
		clock.Advance(d)
		_, err = takedown.Undo(ctx, client, r, clock)
		require.NoError(t, err)
		until, muted = srv.GroupMutedUntil("@TGS#g", "", "mallory")
		switch {
		case r.Groups[0].Set == nil:
			// never touched: as it was
		case before == 0 || time.Duration(before)*time.Second <= d && before != chatrecall.MuteForever:
			assert.False(t, muted, "none stays none (or ended when it would have): %d, %s later", before, d)
		case before == chatrecall.MuteForever:
			assert.True(t, muted && until.IsZero())
		default:
			require.True(t, muted)
			assert.Equal(t, time.Duration(before)*time.Second-d, until.Sub(clock.Now()), "ends when it would have: %d, %s later", before, d)
		}
	}
}

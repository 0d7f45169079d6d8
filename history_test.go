package chatrecall_test

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// histEpoch is when the filled histories end.
var histEpoch = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func newHistoryFake(t *testing.T) (*chatrecalltest.Server, *chatrecall.Client) {
	t.Helper()
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	t.Cleanup(srv.Close)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithClock(&fastClock{}))
	require.NoError(t, err)
	return srv, client
}

func collect(t *testing.T, r iter.Seq2[chatrecall.Message, error]) ([]chatrecall.Message, error) {
	t.Helper()
	var out []chatrecall.Message
	for m, err := range r {
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

func seqsOf(msgs []chatrecall.Message) []uint64 {
	out := make([]uint64, len(msgs))
	for i, m := range msgs {
		out[i] = m.MsgSeq
	}
	return out
}

func desc(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s >= to && s > 0; s-- {
		out = append(out, s)
	}
	return out
}

// TestGroupHistoryPaging walks a 95-message group under each paging edge
// case of spec 2.5, and checks what was read, what was asked, and why the
// read stopped.
func TestGroupHistoryPaging(t *testing.T) {
	fill := chatrecalltest.Fill{Messages: 95, Senders: 3, From: histEpoch.Add(-95 * time.Minute), To: histEpoch, Seed: 1}
	for _, tc := range []struct {
		name   string
		faults []chatrecalltest.Fault
		query  chatrecall.GroupHistoryQuery
		want   []uint64
		gaps   []uint64
		stop   string
		err    string
	}{
		{name: "whole history", want: desc(95, 1), stop: "start of history"},
		{name: "from a seq", query: chatrecall.GroupHistoryQuery{Before: 30}, want: desc(30, 1), stop: "start of history"},
		{name: "small pages", query: chatrecall.GroupHistoryQuery{PageSize: 7}, want: desc(95, 1), stop: "start of history"},
		{name: "short pages are not the end", faults: []chatrecalltest.Fault{{Kind: chatrecalltest.FaultShortPage}, {Kind: chatrecalltest.FaultShortPage}}, want: desc(95, 1), stop: "start of history"},
		{name: "an empty unfinished page is asked again for one", faults: []chatrecalltest.Fault{{}, {Kind: chatrecalltest.FaultEmptyPage}}, want: desc(95, 1), stop: "start of history"},
		{name: "a stale page is asked again for one", faults: []chatrecalltest.Fault{{}, {Kind: chatrecalltest.FaultStalePage}}, want: desc(95, 1), stop: "start of history"},
		{name: "still empty is a gap", faults: []chatrecalltest.Fault{{}, {Kind: chatrecalltest.FaultEmptyPage}, {Kind: chatrecalltest.FaultEmptyPage}},
			want: append(desc(95, 76), desc(74, 1)...), gaps: []uint64{75}, stop: "start of history"},
		{name: "time bound", query: chatrecall.GroupHistoryQuery{Since: histEpoch.Add(-30 * time.Minute)}, want: desc(95, 66), stop: "time bound"},
		{name: "until", query: chatrecall.GroupHistoryQuery{Until: histEpoch.Add(-90 * time.Minute), Since: histEpoch.Add(-93 * time.Minute)}, want: desc(6, 3), stop: "start of history"},
		{name: "twenty gaps is an error", faults: append([]chatrecalltest.Fault{{}}, repeat(chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}, 41)...),
			want: desc(95, 76), gaps: desc(75, 56), err: "20 sequence numbers in a row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newHistoryFake(t)
			truth := srv.FillGroup("@TGS#h", fill)
			require.Len(t, truth, 95)
			for _, f := range tc.faults {
				srv.FailNext(chatrecall.EndpointGroupHistory, 1, f)
			}
			q := tc.query
			q.GroupID = "@TGS#h"
			var st chatrecall.HistoryStats
			q.Stats = &st
			msgs, err := collect(t, client.GroupHistory(context.Background(), q))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.stop, st.Stop)
			}
			assert.Equal(t, tc.want, seqsOf(msgs))
			assert.Equal(t, tc.gaps, st.Gaps)
			for _, m := range msgs {
				sent := truth[m.MsgSeq-1]
				assert.Equal(t, sent.Sender, m.Sender)
				assert.True(t, sent.Time.Equal(m.Time), "seq %d time", m.MsgSeq)
				assert.Equal(t, chatrecall.MessageNormal, m.State)
				assert.NotEmpty(t, m.Body)
			}
			// Exact requests: the first asks for the newest, every later one
			// continues below what was read.
			reqs := srv.RequestsTo(chatrecall.EndpointGroupHistory)
			require.NotEmpty(t, reqs)
			first := reqs[0].JSON
			assert.Equal(t, "@TGS#h", first["GroupId"])
			assert.Equal(t, float64(1), first["WithRecalledMsg"])
			if q.Before == 0 {
				assert.NotContains(t, first, "ReqMsgSeq", "0 is never sent")
			} else {
				assert.Equal(t, float64(q.Before), first["ReqMsgSeq"])
			}
			for _, req := range reqs {
				n := req.JSON["ReqMsgNumber"].(float64)
				assert.True(t, n >= 1 && n <= 20, "ReqMsgNumber %v", n)
			}
		})
	}
}

// nilCtx is the bad input of a test: a nil context.
var nilCtx context.Context

func repeat(f chatrecalltest.Fault, n int) []chatrecalltest.Fault {
	out := make([]chatrecalltest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// TestGroupHistoryStates: recalled and deleted messages are listed with
// their state, and topics have their own history.
func TestGroupHistoryStates(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.FillGroup("@TGS#s", chatrecalltest.Fill{Messages: 30, Senders: 2, From: histEpoch.Add(-time.Hour), To: histEpoch})
	srv.FillGroup("@TGS#s", chatrecalltest.Fill{Messages: 5, Senders: 1, From: histEpoch.Add(-time.Hour), To: histEpoch, TopicID: "@TGS#s@TOPIC#1"})
	_, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#s", MsgSeqs: []uint64{3, 4}})
	require.NoError(t, err)
	srv.DeleteGroupMessage("@TGS#s", 7)

	msgs, err := collect(t, client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#s"}))
	require.NoError(t, err)
	require.Len(t, msgs, 30)
	states := map[uint64]chatrecall.MessageState{}
	for _, m := range msgs {
		states[m.MsgSeq] = m.State
	}
	assert.Equal(t, chatrecall.MessageRecalled, states[3])
	assert.Equal(t, chatrecall.MessageRecalled, states[4])
	assert.Equal(t, chatrecall.MessageDeleted, states[7])
	assert.Equal(t, chatrecall.MessageNormal, states[5])

	topic, err := collect(t, client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#s", TopicID: "@TGS#s@TOPIC#1"}))
	require.NoError(t, err)
	assert.Equal(t, desc(5, 1), seqsOf(topic))
	reqs := srv.RequestsTo(chatrecall.EndpointGroupHistory)
	assert.Equal(t, "@TGS#s@TOPIC#1", reqs[len(reqs)-1].JSON["TopicId"])
}

// TestLiveStreamGroupHasNoHistory: AVChatRoom is refused with an error
// that says where IDs come from instead, and the read stops at once.
func TestLiveStreamGroupHasNoHistory(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})
	_, err := collect(t, client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#live"}))
	require.ErrorIs(t, err, chatrecall.ErrNoHistory)
	assert.Contains(t, err.Error(), "webhook")
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointGroupHistory), 1)
}

// TestHistoryFailuresAreReadErrorsNotUnknowns: a read that fails after its
// retries is a plain failure (reads change nothing), never "outcome
// unknown", and a retried page is read once.
func TestHistoryFailuresAreReadErrorsNotUnknowns(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.FillGroup("@TGS#f", chatrecalltest.Fill{Messages: 45, Senders: 1, From: histEpoch.Add(-time.Hour), To: histEpoch})
	srv.FailNext(chatrecall.EndpointGroupHistory, 2, chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502})
	msgs, err := collect(t, client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#f"}))
	require.NoError(t, err, "retried")
	assert.Equal(t, desc(45, 1), seqsOf(msgs))

	srv.FailNext(chatrecall.EndpointGroupHistory, 10, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502})
	_, err = collect(t, client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#f"}))
	require.Error(t, err)
	assert.NotErrorIs(t, err, chatrecall.ErrOutcomeUnknown)
	var httpErr *chatrecall.HTTPError
	assert.ErrorAs(t, err, &httpErr)
}

// TestC2CHistory reads a conversation through the 13 KB cap, deduplicates,
// and refuses a page that does not move.
func TestC2CHistory(t *testing.T) {
	srv, client := newHistoryFake(t)
	truth := srv.FillC2C("alice", "bob", chatrecalltest.Fill{Messages: 300, From: histEpoch.Add(-5 * time.Hour), To: histEpoch, Seed: 3})
	srv.FillC2C("alice", "carol", chatrecalltest.Fill{Messages: 10, From: histEpoch.Add(-5 * time.Hour), To: histEpoch})
	_, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: truth[10].Sender, To: truth[10].To, MsgKey: truth[10].Key})
	require.NoError(t, err)

	srv.FailNext(chatrecall.EndpointC2CHistory, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage})
	var st chatrecall.HistoryStats
	msgs, err := collect(t, client.C2CHistory(context.Background(), chatrecall.C2CHistoryQuery{Account: "alice", Peer: "bob", Since: histEpoch.Add(-6 * time.Hour), Until: histEpoch, Stats: &st}))
	require.NoError(t, err)
	require.Len(t, msgs, 300)
	assert.Greater(t, st.Pages, 3, "13 KB per answer")
	for i, m := range msgs {
		want := truth[299-i]
		assert.Equal(t, want.Key, m.MsgKey)
		assert.Equal(t, want.Sender, m.Sender)
		assert.Equal(t, want.To, m.To)
		if i == 289 {
			assert.Equal(t, chatrecall.MessageRecalled, m.State)
		} else {
			assert.Equal(t, chatrecall.MessageNormal, m.State)
		}
	}
	reqs := srv.RequestsTo(chatrecall.EndpointC2CHistory)
	assert.Equal(t, map[string]any{"Operator_Account": "alice", "Peer_Account": "bob", "MaxCnt": float64(100),
		"MinTime": float64(histEpoch.Add(-6 * time.Hour).Unix()), "MaxTime": float64(histEpoch.Unix())}, reqs[0].JSON)
	assert.Equal(t, reqs[0].JSON["MinTime"], reqs[1].JSON["MinTime"], "MinTime is kept")
	assert.NotEmpty(t, reqs[1].JSON["LastMsgKey"])

	for _, f := range []chatrecalltest.FaultKind{chatrecalltest.FaultStalePage, chatrecalltest.FaultEmptyPage} {
		// Once: asked again, and the read goes on, each message once.
		srv.FailNext(chatrecall.EndpointC2CHistory, 1, chatrecalltest.Fault{})
		srv.FailNext(chatrecall.EndpointC2CHistory, 1, chatrecalltest.Fault{Kind: f})
		msgs, err := collect(t, client.C2CHistory(context.Background(), chatrecall.C2CHistoryQuery{Account: "alice", Peer: "bob", Until: histEpoch}))
		require.NoError(t, err, "fault %v once", f)
		assert.Len(t, msgs, 300)
		// Four times in a row: an error, never a silent end.
		srv.FailNext(chatrecall.EndpointC2CHistory, 1, chatrecalltest.Fault{})
		srv.FailNext(chatrecall.EndpointC2CHistory, 4, chatrecalltest.Fault{Kind: f})
		_, err = collect(t, client.C2CHistory(context.Background(), chatrecall.C2CHistoryQuery{Account: "alice", Peer: "bob", Until: histEpoch}))
		var he *chatrecall.HistoryError
		require.ErrorAs(t, err, &he, "fault %v", f)
	}
}

// TestOfficialHistory walks an official account with LastMsgKey, through a
// short page, to the time bound; a key that does not fall is an error.
func TestOfficialHistory(t *testing.T) {
	srv, client := newHistoryFake(t)
	truth := srv.FillOfficial("@TOA#o", chatrecalltest.Fill{Messages: 75, From: histEpoch.Add(-75 * time.Minute), To: histEpoch})
	srv.FailNext(chatrecall.EndpointOfficialHistory, 1, chatrecalltest.Fault{})
	srv.FailNext(chatrecall.EndpointOfficialHistory, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage})
	msgs, err := collect(t, client.OfficialHistory(context.Background(), chatrecall.OfficialHistoryQuery{Account: "@TOA#o"}))
	require.NoError(t, err)
	require.Len(t, msgs, 75)
	for i, m := range msgs {
		assert.Equal(t, truth[74-i].Key, m.MsgKey)
	}
	reqs := srv.RequestsTo(chatrecall.EndpointOfficialHistory)
	assert.NotContains(t, reqs[0].JSON, "LastMsgKey")
	assert.Equal(t, float64(20), reqs[0].JSON["ReqMsgNumber"])

	bounded, err := collect(t, client.OfficialHistory(context.Background(), chatrecall.OfficialHistoryQuery{Account: "@TOA#o", Since: histEpoch.Add(-10 * time.Minute)}))
	require.NoError(t, err)
	assert.Len(t, bounded, 10)

	for _, tc := range []struct {
		fault chatrecalltest.FaultKind
		err   string
	}{{chatrecalltest.FaultStalePage, "did not fall"}, {chatrecalltest.FaultEmptyPage, "empty and not finished"}} {
		srv.FailNext(chatrecall.EndpointOfficialHistory, 1, chatrecalltest.Fault{})
		srv.FailNext(chatrecall.EndpointOfficialHistory, 1, chatrecalltest.Fault{Kind: tc.fault})
		msgs, err := collect(t, client.OfficialHistory(context.Background(), chatrecall.OfficialHistoryQuery{Account: "@TOA#o"}))
		require.NoError(t, err, "once: asked again")
		assert.Len(t, msgs, 75, "each message once, none lost")
		srv.FailNext(chatrecall.EndpointOfficialHistory, 1, chatrecalltest.Fault{})
		srv.FailNext(chatrecall.EndpointOfficialHistory, 4, chatrecalltest.Fault{Kind: tc.fault})
		_, err = collect(t, client.OfficialHistory(context.Background(), chatrecall.OfficialHistoryQuery{Account: "@TOA#o"}))
		var he *chatrecall.HistoryError
		require.ErrorAs(t, err, &he, "four times: an error, never a silent end")
		assert.Contains(t, err.Error(), tc.err)
	}
}

// TestHistoryBadInput: each bad query is refused before any request,
// naming the field.
func TestHistoryBadInput(t *testing.T) {
	srv, client := newHistoryFake(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		r     iter.Seq2[chatrecall.Message, error]
		field string
	}{
		{"no group", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{}), "GroupID"},
		{"page too big", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g", PageSize: 21}), "PageSize"},
		{"seq too big", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g", Before: 1 << 32}), "Before"},
		{"control char", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g\x01"}), "GroupID"},
		{"bad utf8 topic", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g", TopicID: "\xff"}), "TopicID"},
		{"until before since", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g", Since: histEpoch, Until: histEpoch.Add(-time.Second)}), "Until"},
		{"zero window", client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "g", Since: histEpoch, Until: histEpoch}), "Until"},
		{"zero window c2c", client.C2CHistory(ctx, chatrecall.C2CHistoryQuery{Account: "a", Peer: "b", Since: histEpoch, Until: histEpoch}), "Until"},
		{"no peer", client.C2CHistory(ctx, chatrecall.C2CHistoryQuery{Account: "a"}), "Peer"},
		{"no account", client.C2CHistory(ctx, chatrecall.C2CHistoryQuery{Peer: "b"}), "Account"},
		{"no official", client.OfficialHistory(ctx, chatrecall.OfficialHistoryQuery{}), "Account"},
		{"control char official", client.OfficialHistory(ctx, chatrecall.OfficialHistoryQuery{Account: "@TOA#\t"}), "Account"},
		{"two kinds", client.History(ctx, chatrecall.Conversation{GroupID: "g", Account: "a"}, time.Time{}, time.Time{}, nil), "Conversation"},
		{"nil ctx", client.GroupHistory(nilCtx, chatrecall.GroupHistoryQuery{GroupID: "g"}), "ctx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := collect(t, tc.r)
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
		})
	}
	assert.Empty(t, srv.Requests())
}

// TestHistoryStopsWhenTheCallerBreaks: nothing more is requested.
func TestHistoryStopsWhenTheCallerBreaks(t *testing.T) {
	srv, client := newHistoryFake(t)
	srv.FillGroup("@TGS#b", chatrecalltest.Fill{Messages: 100, Senders: 1, From: histEpoch.Add(-time.Hour), To: histEpoch})
	var st chatrecall.HistoryStats
	n := 0
	for _, err := range client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#b", Stats: &st}) {
		require.NoError(t, err)
		if n++; n == 25 {
			break
		}
	}
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointGroupHistory), 2)
	assert.Equal(t, "caller stopped", st.Stop)
	assert.False(t, errors.Is(nil, chatrecall.ErrNoHistory))
}

// seqTransport answers each request with the next body of its list (the
// last one again when the list runs out), and counts the requests.
type seqTransport struct {
	bodies []string
	n      int
}

func (s *seqTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body := s.bodies[min(s.n, len(s.bodies)-1)]
	s.n++
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// TestHistoryPageDecodesEachAttemptFresh: a transient error, then answers
// that omit ErrorCode (it is optional when ActionStatus is OK). Each
// attempt decodes into its own value, so the error's code does not stick:
// every reader succeeds on its second request.
func TestHistoryPageDecodesEachAttemptFresh(t *testing.T) {
	const fail = `{"ActionStatus":"FAIL","ErrorCode":10002,"ErrorInfo":"internal error, retry"}`
	for _, tc := range []struct {
		name string
		ok   string
		read func(*chatrecall.Client) error
	}{
		{"group", `{"ActionStatus":"OK","GroupId":"g","IsFinished":1,"RspMsgList":[{"From_Account":"u","MsgSeq":1,"MsgTimeStamp":1}]}`, func(c *chatrecall.Client) error {
			p, err := c.GroupHistoryPage(context.Background(), chatrecall.GroupHistoryPageRequest{GroupID: "g"})
			if err == nil && len(p.Messages) != 1 {
				err = errors.New("lost the message")
			}
			return err
		}},
		{"one-to-one", `{"ActionStatus":"OK","Complete":1,"MsgCnt":1,"LastMsgKey":"1_2_3","MsgList":[{"From_Account":"a","To_Account":"b","MsgKey":"1_2_3","MsgTimeStamp":3}]}`, func(c *chatrecall.Client) error {
			_, err := c.C2CHistoryPage(context.Background(), chatrecall.C2CHistoryPageRequest{Account: "a", Peer: "b"})
			return err
		}},
		{"official", `{"ActionStatus":"OK","Official_Account":"o","IsFinished":1,"LastMsgKey":"1_1_3","RspMsgList":[{"MsgKey":"1_1_3","MsgSeq":1,"MsgTimeStamp":3}]}`, func(c *chatrecall.Client) error {
			_, err := c.OfficialHistoryPage(context.Background(), chatrecall.OfficialHistoryPageRequest{Account: "o"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &seqTransport{bodies: []string{fail, tc.ok}}
			c, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "k", Region: chatrecall.RegionSingapore},
				chatrecall.WithHTTPClient(&http.Client{Transport: tr}), chatrecall.WithoutRateLimits(), chatrecall.WithClock(&fastClock{}))
			require.NoError(t, err)
			require.NoError(t, tc.read(c))
			assert.Equal(t, 2, tr.n)
		})
	}
}

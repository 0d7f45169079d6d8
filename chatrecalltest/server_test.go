package chatrecalltest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var ctx = context.Background()

// client returns a client of srv with no retries, so each test sees the
// server's answers one for one. It runs on a manual clock (unless opts give
// another), so it has its own limiter and its waits take no real time.
func client(t *testing.T, cfg chatrecall.Config, opts ...chatrecall.Option) *chatrecall.Client {
	t.Helper()
	base := []chatrecall.Option{chatrecall.WithClock(chatrecalltest.NewClock(time.Now())), chatrecall.WithRetry(chatrecall.NoRetry())}
	c, err := chatrecall.NewClient(cfg, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func apiCode(t *testing.T, err error) chatrecall.Code {
	t.Helper()
	var apiErr *chatrecall.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr.Code
}

func TestThreeLineSetup(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#1", 1, 2)
	c, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#1", MsgSeqs: []uint64{1, 2}})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Summary().Recalled)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#1", 1))
	assert.Equal(t, []uint64{1, 2}, srv.RecalledGroupMessages("@TGS#1"))

	reqs := srv.RequestsTo(chatrecall.EndpointGroupRecall)
	require.Len(t, reqs, 1)
	assert.Equal(t, "@TGS#1", reqs[0].JSON["GroupId"], "decoded body")
	assert.True(t, reqs[0].Applied)
	assert.Equal(t, chatrecall.Code(0), reqs[0].Code)
}

func TestUserSigStrictness(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 1)
	signWith := func(app uint64, key, id string) chatrecall.Signer {
		return chatrecall.SignerFunc(func(context.Context, uint64, string) (string, error) {
			return chatrecall.GenUserSig(app, key, id, time.Hour)
		})
	}
	base := srv.Config()
	withSigner := func(s chatrecall.Signer) chatrecall.Config {
		c := base
		c.SecretKey, c.Signer = "", s
		return c
	}
	tests := []struct {
		name string
		cfg  chatrecall.Config
		opts []chatrecall.Option
		code chatrecall.Code
		cat  error
	}{
		{"wrong key", func() chatrecall.Config { c := base; c.SecretKey = "another"; return c }(), nil, chatrecall.CodeUserSigWrongKey, chatrecall.ErrAuth},
		{"wrong identifier", withSigner(signWith(base.SDKAppID, base.SecretKey, "someone")), nil, chatrecall.CodeUserSigIdentifierMismatch, chatrecall.ErrAuth},
		{"wrong app", withSigner(signWith(base.SDKAppID+1, base.SecretKey, base.Identifier)), nil, chatrecall.CodeUserSigAppIDMismatch, chatrecall.ErrAuth},
		{"malformed", withSigner(chatrecall.SignerFunc(func(context.Context, uint64, string) (string, error) { return "garbage", nil })), nil, chatrecall.CodeUserSigInvalid, chatrecall.ErrAuth},
		{"expired", base, []chatrecall.Option{chatrecall.WithClock(chatrecalltest.NewClock(time.Now().Add(-48 * time.Hour)))}, chatrecall.CodeUserSigExpired, chatrecall.ErrUserSigExpired},
		{"unknown app", func() chatrecall.Config { c := base; c.SDKAppID = 1400000001; return c }(), nil, chatrecall.CodeSDKAppIDNotFound, chatrecall.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(t, tt.cfg, tt.opts...)
			_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
			assert.Equal(t, tt.code, apiCode(t, err))
			assert.ErrorIs(t, err, tt.cat)
			assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("g", 1))
		})
	}
}

func TestAdminRequired(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithAdmins("ops"))
	defer srv.Close()
	srv.AddGroupMessages("g", 1)
	cfg := srv.Config()
	assert.Equal(t, "ops", cfg.Identifier)
	cfg.Identifier = "alice"
	c := client(t, cfg)
	_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.Equal(t, chatrecall.CodeAdminRequired, apiCode(t, err))
	assert.ErrorIs(t, err, chatrecall.ErrPermission)
	err = errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t"}))
	assert.Equal(t, chatrecall.CodePushAdminRequired, apiCode(t, err))
	err = errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
	assert.Equal(t, chatrecall.CodeC2CAdminRequired, apiCode(t, err))
}

// rawChat sends a hand-made request with a valid signature, to test what the
// SDK never sends.
func rawChat(t *testing.T, srv *chatrecalltest.Server, method, path string, drop string, body string) map[string]any {
	t.Helper()
	sig, err := chatrecall.GenUserSig(chatrecalltest.DefaultSDKAppID, chatrecalltest.DefaultSecretKey, "administrator", time.Hour)
	require.NoError(t, err)
	q := url.Values{"sdkappid": {strconv.Itoa(chatrecalltest.DefaultSDKAppID)}, "identifier": {"administrator"},
		"usersig": {sig}, "random": {"12345"}, "contenttype": {"json"}}
	q.Del(drop)
	req, err := http.NewRequest(method, srv.URL+path+"?"+q.Encode(), strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, decodeJSON(resp, &out))
	return out
}

func TestRequestStrictness(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	const group = "/v4/group_open_http_svc/group_msg_recall"
	const revoke = "/v4/timpush/revoke"
	ok := `{"GroupId":"g","MsgSeqList":[{"MsgSeq":1}]}`
	tests := []struct {
		name, method, path, drop, body string
		code                           float64
	}{
		{"GET", "GET", group, "", ok, 60002},
		{"no random", "POST", group, "random", ok, 60002},
		{"no contenttype", "POST", group, "contenttype", ok, 60002},
		{"no sdkappid", "POST", group, "sdkappid", ok, 60012},
		{"no usersig", "POST", group, "usersig", ok, 70002},
		{"empty body", "POST", group, "", "", 60003},
		{"invalid JSON", "POST", group, "", "{", 60003},
		{"invalid JSON on timpush", "POST", revoke, "", "{", 90001},
		{"unknown path", "POST", "/v4/nope/nope", "", ok, 60009},
		{"more than 10 seqs", "POST", group, "", `{"GroupId":"g","MsgSeqList":[{"MsgSeq":1},{"MsgSeq":2},{"MsgSeq":3},{"MsgSeq":4},{"MsgSeq":5},{"MsgSeq":6},{"MsgSeq":7},{"MsgSeq":8},{"MsgSeq":9},{"MsgSeq":10},{"MsgSeq":11}]}`, 10004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rawChat(t, srv, tt.method, tt.path, tt.drop, tt.body)
			assert.Equal(t, tt.code, out["ErrorCode"], "%v", out)
			assert.Equal(t, "FAIL", out["ActionStatus"])
		})
	}
}

func TestGroupRules(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 1, 2, 3)
	srv.AddGroup(chatrecalltest.Group{ID: "live", Type: "AVChatRoom", NoRecall: true})
	srv.AddGroupMessages("live", 1)
	c := client(t, srv.Config())

	res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 9}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err)
	assert.Equal(t, chatrecall.CodeGroupMsgNotFound, apiCode(t, res.Items[1].Err), "never existed")

	res, _ = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.Equal(t, chatrecall.CodeGroupMsgNotFound, apiCode(t, res.Items[0].Err), "already recalled")

	res, _ = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "nope", MsgSeqs: []uint64{1, 2}})
	for _, it := range res.Items {
		assert.Equal(t, chatrecall.CodeGroupNotFound, apiCode(t, it.Err))
	}
	res, _ = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "live", MsgSeqs: []uint64{1}})
	assert.Equal(t, chatrecall.CodeGroupTypeNoRecall, apiCode(t, res.Items[0].Err))
	assert.ErrorIs(t, res.Items[0].Err, chatrecall.ErrNotRecallable)
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("live", 1))
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("g", 2))
	assert.Equal(t, chatrecalltest.MessageMissing, srv.GroupMessage("g", 9))
}

func TestOfficialRules(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddOfficialMessages("@TOA#_a", "k1", "k2")
	c := client(t, srv.Config())
	res, err := c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_a", MsgKeys: []string{"k1", "zz"}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err)
	assert.Equal(t, chatrecall.CodeOfficialMsgNotFound, apiCode(t, res.Items[1].Err))
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.OfficialMessage("@TOA#_a", "k1"))
	res, _ = c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_a", MsgKeys: []string{"k1"}})
	assert.Equal(t, chatrecall.CodeOfficialMsgNotFound, apiCode(t, res.Items[0].Err), "already recalled")
	res, _ = c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_x", MsgKeys: []string{"k1"}})
	assert.Equal(t, chatrecall.CodeOfficialAccountNotFound, apiCode(t, res.Items[0].Err))
}

func TestC2CRules(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("alice", "bob", "1_2_3")
	c := client(t, srv.Config())
	require.NoError(t, errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"})))
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage("1_2_3"))
	err := errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"}))
	assert.Equal(t, chatrecall.CodeC2CAlreadyRecalled, apiCode(t, err))
	assert.ErrorIs(t, err, chatrecall.ErrAlreadyRecalled)
	err = errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "9_9_9"}))
	assert.Equal(t, chatrecall.CodeC2CMsgNotFound, apiCode(t, err))
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)
}

func TestPushTaskRules(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Now())
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	kept := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	bare := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: false})
	old := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true, PushedAt: clock.Now().Add(-25 * time.Hour)})
	c := client(t, srv.Config(), chatrecall.WithClock(clock))

	err := errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "nope"}))
	assert.Equal(t, chatrecall.CodePushTaskNotFound, apiCode(t, err))
	clock.Advance(time.Second)

	require.NoError(t, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: kept})))
	st, _ := srv.PushTaskState(kept)
	assert.True(t, st.Revoked)
	clock.Advance(time.Second)

	err = errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: kept}))
	assert.ErrorIs(t, err, chatrecall.ErrAlreadyRecalled)
	clock.Advance(time.Second)

	err = errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: old}))
	assert.ErrorIs(t, err, chatrecall.ErrRecallWindowExpired)
	clock.Advance(time.Second)

	err = errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: bare}))
	assert.ErrorIs(t, err, chatrecall.ErrOfflinePushInfoRequired)
	assert.Contains(t, err.Error(), "must carry OfflinePushInfo")
	clock.Advance(time.Second)

	require.NoError(t, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: bare, OfflinePushInfo: &chatrecall.OfflinePushInfo{Title: "Sorry", Desc: "Sent by mistake"}})))
	st, _ = srv.PushTaskState(bare)
	assert.True(t, st.Revoked)
	assert.JSONEq(t, `{"PushFlag":0,"Title":"Sorry","Desc":"Sent by mistake"}`, string(st.OfflinePushInfo))
}

func TestRateLimitsAreEnforced(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	a := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	b := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	// The client's own limiter is off, to show the server's.
	c := client(t, srv.Config(), chatrecall.WithClock(clock),
		chatrecall.WithoutRateLimits())
	require.NoError(t, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: a})))
	err := errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: b}))
	assert.Equal(t, chatrecall.CodePushRevokeTooFrequent, apiCode(t, err))
	assert.ErrorIs(t, err, chatrecall.ErrRateLimited)
	clock.Advance(time.Second)
	require.NoError(t, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: b})))

	srv.AddGroupMessages("g")
	var limited int
	for i := 0; i < 201; i++ {
		_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{uint64(i + 1)}})
		var apiErr *chatrecall.APIError
		if errors.As(err, &apiErr) && apiErr.Code == chatrecall.CodeRESTFrequencyExceeded {
			limited++
		}
	}
	assert.Equal(t, 1, limited, "the 201st call in one second")
	assert.Equal(t, 2, srv.RateLimited())
}

func TestFaults(t *testing.T) {
	tests := []struct {
		fault       chatrecalltest.Fault
		applied     bool
		wantCode    chatrecall.Code
		wantUnknown bool
	}{
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}, false, -1, true},
		// 91000 is the service's "internal error, retry": it may come after
		// the service acted, so a client cannot call it failed.
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 91000}, false, 91000, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 20022}, false, 20022, false},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}, false, -1, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}, true, 0, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: time.Second}, true, 0, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 91000}, true, 91000, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}, true, -1, true},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultRedirect}, false, -1, false},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTPStatus, Status: 429, RetryAfter: "1"}, false, -1, false},
		{chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTPStatus, Status: 404}, false, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Name(), func(t *testing.T) {
			srv := chatrecalltest.NewServer()
			defer srv.Close()
			srv.AddC2CMessage("a", "b", "k")
			srv.FailNext(chatrecall.EndpointC2CRecall, 1, tt.fault)
			c := client(t, srv.Config(), chatrecall.WithTimeout(100*time.Millisecond))
			err := errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, chatrecall.ErrOutcomeUnknown), "%v", err)
			srv.Close() // waits for the delayed handler
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.applied, reqs[0].Applied)
			assert.Equal(t, tt.wantCode, reqs[0].Code)
			assert.Equal(t, tt.fault.Name(), reqs[0].Fault)
			want := chatrecalltest.MessagePresent
			if tt.applied {
				want = chatrecalltest.MessageRecalled
			}
			assert.Equal(t, want, srv.C2CMessage("k"))
		})
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	run := func() []string {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		defer srv.Close()
		srv.FailRandomly(chatrecall.EndpointC2CRecall, 42,
			chatrecalltest.Chance{P: 0.3, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 91000}},
			chatrecalltest.Chance{P: 0.2, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}})
		c := client(t, srv.Config())
		for i := 0; i < 50; i++ {
			_ = errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: strconv.Itoa(i)}))
		}
		var faults []string
		for _, r := range srv.Requests() {
			faults = append(faults, r.Fault)
		}
		return faults
	}
	a, b := run(), run()
	assert.Equal(t, a, b, "the same seed gives the same faults")
	n := 0
	for _, f := range a {
		if f != "" {
			n++
		}
	}
	assert.InDelta(t, 25, n, 12, "about half of 50")
}

func TestTPNSRules(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Now())
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	c := client(t, srv.Config(), chatrecall.WithClock(clock))

	live := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted, CollapseID: 77})
	require.NoError(t, errOf(c.StopTPNSPush(ctx, live)))
	st, _ := srv.TPNSTaskState(live)
	assert.Equal(t, chatrecalltest.TPNSStatusStopped, st.Status)
	assert.Equal(t, chatrecall.CodeTPNSParamInvalid, apiCode(t, errOf(c.StopTPNSPush(ctx, live))), "no longer in delivery")

	ios := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Platform: "ios"})
	assert.Equal(t, chatrecall.CodeTPNSParamInvalid, apiCode(t, errOf(c.StopTPNSPush(ctx, ios))), "no terminate on iOS")

	done := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "tag", Status: chatrecalltest.TPNSStatusFinished})
	require.NoError(t, errOf(c.RevokeTPNSPush(ctx, done)))
	st, _ = srv.TPNSTaskState(done)
	assert.Equal(t, chatrecalltest.TPNSStatusRevoked, st.Status)

	later := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: clock.Now().Add(time.Hour)})
	require.NoError(t, errOf(c.CancelTPNSScheduledPush(ctx, later)))
	st, _ = srv.TPNSTaskState(later)
	assert.Equal(t, chatrecalltest.TPNSStatusCanceled, st.Status)
	assert.Equal(t, chatrecall.CodeTPNSParamInvalid, apiCode(t, errOf(c.CancelTPNSScheduledPush(ctx, done))), "not scheduled")

	err := errOf(c.StopTPNSPush(ctx, "999999"))
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)

	rec, err := c.GetTPNSPushRecord(ctx, live)
	require.NoError(t, err)
	assert.Equal(t, int64(77), rec.CollapseID)
	assert.Equal(t, "all", rec.PushType)

	// Override: the old task is collapsed by the new push.
	orig := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 88, Title: "Wrong"})
	res, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: orig,
		Push: chatrecall.TPNSPush{AudienceType: "all", Title: "Right", Content: "Corrected"}})
	require.NoError(t, err)
	require.Len(t, res.PushIDs, 1)
	st, _ = srv.TPNSTaskState(orig)
	assert.Equal(t, chatrecalltest.TPNSStatusCollapsed, st.Status)
	nw, _ := srv.TPNSTaskState(res.PushIDs[0])
	assert.Equal(t, int64(88), nw.CollapseID)
	assert.Equal(t, "Right", nw.Title)

	// Token pushes have no collapse ID: no push is sent.
	tok := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "token_list"})
	before := len(srv.RequestsTo(chatrecall.EndpointTPNSPush))
	_, err = c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: tok, Push: chatrecall.TPNSPush{AudienceType: "token_list", TokenList: []string{"t"}, Content: "x"}})
	assert.ErrorIs(t, err, chatrecall.ErrOverrideNotSupported)
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointTPNSPush), before)
}

func TestTPNSRevokeUnavailable(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithTPNSRevokeUnavailable())
	defer srv.Close()
	id := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all"})
	c := client(t, srv.Config())
	err := errOf(c.RevokeTPNSPush(ctx, id))
	assert.Equal(t, chatrecall.CodeTPNSParamInvalid, apiCode(t, err))
	assert.Contains(t, err.Error(), "not available")
}

func TestTPNSAuthStrictness(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Now())
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	id := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all"})
	tests := []struct {
		name  string
		tpns  chatrecall.TPNSConfig
		clock *chatrecalltest.Clock
		code  chatrecall.Code
	}{
		{"signature", chatrecall.TPNSConfig{AccessID: chatrecalltest.DefaultTPNSAccessID, SecretKey: chatrecalltest.DefaultTPNSSecretKey}, clock, 0},
		{"basic", chatrecall.TPNSConfig{AccessID: chatrecalltest.DefaultTPNSAccessID, SecretKey: chatrecalltest.DefaultTPNSSecretKey, Auth: chatrecall.TPNSAuthBasic}, clock, 0},
		{"wrong secret", chatrecall.TPNSConfig{AccessID: chatrecalltest.DefaultTPNSAccessID, SecretKey: "nope"}, clock, chatrecall.CodeTPNSAuthFailed},
		{"wrong secret basic", chatrecall.TPNSConfig{AccessID: chatrecalltest.DefaultTPNSAccessID, SecretKey: "nope", Auth: chatrecall.TPNSAuthBasic}, clock, chatrecall.CodeTPNSAuthFailed},
		{"wrong access id", chatrecall.TPNSConfig{AccessID: "1599999999", SecretKey: chatrecalltest.DefaultTPNSSecretKey}, clock, chatrecall.CodeTPNSWrongAccessPoint},
		{"stale timestamp", chatrecall.TPNSConfig{AccessID: chatrecalltest.DefaultTPNSAccessID, SecretKey: chatrecalltest.DefaultTPNSSecretKey},
			chatrecalltest.NewClock(clock.Now().Add(-time.Hour)), chatrecall.CodeTPNSAuthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.tpns
			cfg.BaseURL = srv.URL
			c := client(t, chatrecall.Config{TPNS: &cfg}, chatrecall.WithClock(tt.clock))
			_, err := c.GetTPNSPushRecord(ctx, id)
			if tt.code == 0 {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.code, apiCode(t, err))
			assert.ErrorIs(t, err, chatrecall.ErrAuth)
		})
	}
}

func decodeJSON(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

// errOf keeps the error of a single-item call.
func errOf(_ *chatrecall.Result, err error) error { return err }

// TestHistoryLag: a recall takes effect at once (the ground truth says so,
// and a second recall hears "gone"), but history shows it only once the lag
// has passed on the server's clock.
func TestHistoryLag(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithHistoryLag(1500*time.Millisecond), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	at := clock.Now().Add(-time.Hour)
	srv.FillGroup("@TGS#lag", chatrecalltest.Fill{Messages: 3, Senders: 1, From: at, To: at.Add(3 * time.Minute)})
	c2c := srv.FillC2C("a", "b", chatrecalltest.Fill{Messages: 2, From: at, To: at.Add(2 * time.Minute)})
	c := client(t, srv.Config(), chatrecall.WithClock(clock))
	_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#lag", MsgSeqs: []uint64{2}})
	require.NoError(t, err)
	_, err = c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: c2c[0].Sender, To: c2c[0].To, MsgKey: c2c[0].Key})
	require.NoError(t, err)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#lag", 2), "the recall took effect")

	shown := func() (chatrecall.MessageState, chatrecall.MessageState) {
		p, err := c.GroupHistoryPage(ctx, chatrecall.GroupHistoryPageRequest{GroupID: "@TGS#lag", Before: 2, Count: 1})
		require.NoError(t, err)
		require.Len(t, p.Messages, 1)
		q, err := c.C2CHistoryPage(ctx, chatrecall.C2CHistoryPageRequest{Account: "a", Peer: "b", MinTime: at, MaxTime: at})
		require.NoError(t, err)
		require.Len(t, q.Messages, 1)
		return p.Messages[0].State, q.Messages[0].State
	}
	g, o := shown()
	assert.Equal(t, chatrecall.MessageNormal, g, "still shown as present")
	assert.Equal(t, chatrecall.MessageNormal, o)
	clock.Advance(1499 * time.Millisecond)
	g, o = shown()
	assert.Equal(t, chatrecall.MessageNormal, g)
	assert.Equal(t, chatrecall.MessageNormal, o)
	clock.Advance(time.Millisecond)
	g, o = shown()
	assert.Equal(t, chatrecall.MessageRecalled, g, "shown once the lag has passed")
	assert.Equal(t, chatrecall.MessageRecalled, o)

	_, err = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#lag", MsgSeqs: []uint64{2}})
	assert.ErrorIs(t, err, chatrecall.ErrGone, "recalled at once, whatever history shows")
}

// TestLatency: every answer waits the latency; a client that gives up
// first leaves nothing applied or recorded.
func TestLatency(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithLatency(time.Hour))
	defer srv.Close()
	srv.AddGroupMessages("@TGS#far", 1)
	c := client(t, srv.Config(), chatrecall.WithTimeout(20*time.Millisecond), chatrecall.WithClock(chatrecall.SystemClock()))
	_, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#far", MsgSeqs: []uint64{1}})
	require.Error(t, err)
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("@TGS#far", 1))
	assert.Empty(t, srv.Requests(), "the request waited, and was dropped when the client left")

	near := chatrecalltest.NewServer(chatrecalltest.WithLatency(time.Millisecond))
	defer near.Close()
	near.AddGroupMessages("@TGS#near", 1)
	c = client(t, near.Config())
	_, err = c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#near", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	assert.Equal(t, chatrecalltest.MessageRecalled, near.GroupMessage("@TGS#near", 1))
}

// TestResetWhileARequestIsInFlight: Reset during a request drops its
// record; the request still completes, and Close returns.
func TestResetWhileARequestIsInFlight(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	srv.AddGroupMessages("g", 1)
	// The answer is held back half a second after the request is recorded:
	// the Reset below falls in it (were it later, the test would only not
	// exercise the race; it cannot fail for it).
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 500 * time.Millisecond})
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits(), chatrecall.WithRetry(chatrecall.NoRetry()))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		done <- err
	}()
	for len(srv.Requests()) == 0 {
		runtime.Gosched() // until the request is in flight; no assertion on time
	}
	srv.Reset()
	require.NoError(t, <-done)
	assert.Empty(t, srv.Requests(), "the request in flight at Reset is not recorded")
	srv.Close() // returns: no lock left held
}

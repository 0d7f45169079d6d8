package chatrecall_test

import (
	"context"
	"fmt"
	"math"
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

// TestFaultMatrix recalls 5,000 group messages while the fake injects
// every fault class with a fixed seed, and checks every outcome against the
// fake's ground truth: none wrong (a definite answer the truth contradicts)
// and none guessed (a definite answer no answer the client saw supports).
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("several seconds of traffic")
	}
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	const n = 5000
	seqs := make([]uint64, n)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#storm", seqs...)
	timeout := 300 * time.Millisecond
	injectAll(srv, chatrecall.EndpointGroupRecall, 20261121, timeout)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithTimeout(timeout),
		chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil)), chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 4, Budget: -1}))
	require.NoError(t, err)

	start := time.Now()
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#storm", MsgSeqs: seqs})
	elapsed := time.Since(start)
	srv.Close() // let delayed handlers finish before reading the ground truth
	require.NotNil(t, res)
	require.Len(t, res.Items, n, "every seq has exactly one outcome")

	tally := newTruthTally(srv, chatrecall.EndpointGroupRecall)
	for i, it := range res.Items {
		require.Equal(t, seqs[i], it.MsgSeq)
		tally.add(t, strconv.FormatUint(it.MsgSeq, 10), it.Err, it.ConfirmedByRetry,
			srv.GroupMessage("@TGS#storm", it.MsgSeq) == chatrecalltest.MessageRecalled)
	}
	recalled, confirmed, failed, unknown, wrong, guessed := tally.done, tally.confirmed, tally.failed, tally.unknown, tally.wrong, tally.guessed
	var pe *chatrecall.PartialError
	if failed+unknown > 0 {
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, failed+unknown, pe.NotDone)
		assert.Equal(t, failed, pe.Failed, "Failed is the word Summary uses: not unknown, not 'not sent'")
		assert.Equal(t, unknown, pe.Unknown)
	}
	reqs := len(srv.RequestsTo(chatrecall.EndpointGroupRecall))
	faults := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Fault != "" {
			faults[r.Fault]++
		}
	}
	base := n / 10
	t.Logf("fault matrix: %d items: %d recalled (%d confirmed by retry), %d failed, %d unknown; %d wrong, %d guessed; %d requests for %d chunks (%.3f per chunk); faults %v; %s",
		n, recalled, confirmed, failed, unknown, wrong, guessed, reqs, base, float64(reqs)/float64(base), faults, elapsed.Round(time.Millisecond))
	assert.Zero(t, wrong, "wrong outcomes")
	assert.Zero(t, guessed, "guessed outcomes")
	assert.Equal(t, n, recalled+failed+unknown)
	assert.Greater(t, recalled, n*9/10, "retries recover most items")
	assert.Zero(t, srv.RateLimited(), "the client stays under the limit")
}

// TestLimitsHoldUnderLoad sends 2,000 seqs (200 requests) through a fake
// that enforces 200/s: none is refused.
func TestLimitsHoldUnderLoad(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, 2000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#load", seqs...)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil)), chatrecall.WithConcurrency(8))
	require.NoError(t, err)
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#load", MsgSeqs: seqs})
	require.NoError(t, err)
	assert.Equal(t, 2000, res.Summary().Recalled)
	assert.Zero(t, srv.RateLimited())
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointGroupRecall), 200)
}

// TestSecondRevokeInASecondWaits: the documented 1/s limit makes the client
// wait, not fail. The client and the fake share a manual clock, so the wait
// takes no real time.
func TestSecondRevokeInASecondWaits(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	a := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	b := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock))
	require.NoError(t, err)
	require.NoError(t, errOf(client.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: a})))
	before := clock.Now()
	require.NoError(t, errOf(client.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: b})))
	assert.GreaterOrEqual(t, clock.Now().Sub(before), time.Second, "it waited for the next second")
	assert.Zero(t, srv.RateLimited())
	for _, id := range []string{a, b} {
		st, _ := srv.PushTaskState(id)
		assert.True(t, st.Revoked)
	}
}

// TestLostResponsesAreConfirmedByRetry: a request applied whose answer was
// lost; the retry hears "already gone" and the SDK reports success.
func TestLostResponsesAreConfirmedByRetry(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Now())
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	srv.AddGroupMessages("g", 1, 2)
	srv.AddOfficialMessages("@TOA#_a", "k")
	srv.AddC2CMessage("a", "b", "k")
	task := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	for _, ep := range []string{chatrecall.EndpointGroupRecall, chatrecall.EndpointOfficialRecall, chatrecall.EndpointC2CRecall, chatrecall.EndpointPushRevoke} {
		srv.FailNext(ep, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	}
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock))
	require.NoError(t, err)
	ctx := context.Background()

	g, err := client.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2}})
	require.NoError(t, err)
	assert.True(t, g.Items[0].ConfirmedByRetry && g.Items[1].ConfirmedByRetry)
	o, err := client.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_a", MsgKeys: []string{"k"}})
	require.NoError(t, err)
	assert.True(t, o.Items[0].ConfirmedByRetry)
	assert.NoError(t, errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"})), "20023 after a lost answer is success")
	assert.NoError(t, errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: task})), "90050 after a lost answer is success")

	// Without the lost answer first, "already recalled" is an error.
	err = errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))
	assert.ErrorIs(t, err, chatrecall.ErrAlreadyRecalled)
}

// TestUnknownWhenAnswersNeverCome: every attempt dropped after sending.
func TestUnknownWhenAnswersNeverCome(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Now())
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock))
	defer srv.Close()
	srv.AddGroupMessages("g", 1)
	srv.FailNext(chatrecall.EndpointGroupRecall, 3, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock))
	require.NoError(t, err)
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.ErrorIs(t, err, chatrecall.ErrOutcomeUnknown)
	assert.ErrorIs(t, res.Items[0].Err, chatrecall.ErrOutcomeUnknown)
	var pe *chatrecall.PartialError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Unknown)
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointGroupRecall), 3)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("g", 1), "it was in fact recalled: unknown, not failed")
}

// TestBadInputAcrossAllMethods: each bad input is refused with its field
// named and nothing sent.
func TestBadInputAcrossAllMethods(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	client, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	ctx := context.Background()
	group := func(r chatrecall.GroupRecall) error { _, err := client.RecallGroupMessages(ctx, r); return err }
	official := func(r chatrecall.OfficialAccountRecall) error {
		_, err := client.RecallOfficialAccountMessages(ctx, r)
		return err
	}
	override := func(o chatrecall.TPNSOverride) error { _, err := client.OverrideTPNSPush(ctx, o); return err }
	push := func(f func(*chatrecall.TPNSPush)) chatrecall.TPNSOverride {
		p := chatrecall.TPNSPush{AudienceType: "all", Content: "x"}
		f(&p)
		return chatrecall.TPNSOverride{PushID: "1", Push: p}
	}
	long := strings.Repeat("r", 101)
	bad := "ab\xffcd"
	var nilCtx context.Context
	tests := []struct {
		name, field string
		err         error
	}{
		{"group: no group", "GroupID", group(chatrecall.GroupRecall{MsgSeqs: []uint64{1}})},
		{"group: no seqs", "MsgSeqs", group(chatrecall.GroupRecall{GroupID: "g"})},
		{"group: empty seqs", "MsgSeqs", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{}})},
		{"group: zero seq", "MsgSeqs[0]", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{0}})},
		{"group: zero seq later", "MsgSeqs[11]", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0}})},
		{"group: duplicate", "MsgSeqs[1]", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{5, 5}})},
		{"group: duplicate across chunks", "MsgSeqs[10]", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1}})},
		{"group: long reason", "Reason", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}, Reason: long})},
		{"official: no account", "Account", official(chatrecall.OfficialAccountRecall{MsgKeys: []string{"k"}})},
		{"official: no keys", "MsgKeys", official(chatrecall.OfficialAccountRecall{Account: "a"})},
		{"official: empty key", "MsgKeys[0]", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{""}})},
		{"official: duplicate key", "MsgKeys[1]", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{"k", "k"}})},
		{"official: 102-byte reason", "Reason", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{"k"}, Reason: strings.Repeat("撤", 34)})},
		{"push: no task", "TaskID", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{}))},
		{"push: bad flag", "OfflinePushInfo.PushFlag", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{PushFlag: 7}}))},
		{"push: ext not JSON", "OfflinePushInfo.Ext", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{Ext: "not json"}}))},
		{"c2c: no from", "From", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{To: "b", MsgKey: "k"}))},
		{"c2c: no to", "To", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", MsgKey: "k"}))},
		{"c2c: no key", "MsgKey", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b"}))},
		{"tpns stop: no id", "pushID", errOf(client.StopTPNSPush(ctx, ""))},
		{"tpns revoke: no id", "pushID", errOf(client.RevokeTPNSPush(ctx, ""))},
		{"tpns cancel: no id", "pushID", errOf(client.CancelTPNSScheduledPush(ctx, ""))},
		{"tpns record: no id", "pushID", func() error { _, err := client.GetTPNSPushRecord(ctx, ""); return err }()},
		{"override: no push id", "PushID", override(chatrecall.TPNSOverride{Push: chatrecall.TPNSPush{AudienceType: "all", Content: "x"}})},
		{"override: bad audience", "Push.AudienceType", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "friends" }))},
		{"override: no content", "Push.Content", override(push(func(p *chatrecall.TPNSPush) { p.Content = "" }))},
		{"override: tokens missing", "Push.TokenList", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "token" }))},
		{"override: accounts missing", "Push.AccountList", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "account_list" }))},
		{"override: tag rules missing", "Push.TagRules", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "tag" }))},
		{"override: tag rules not JSON", "Push.TagRules", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "tag"; p.TagRules = []byte("{") }))},
		{"override: upload id missing", "Push.UploadID", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "package_token_push" }))},
		{"override: bad message type", "Push.MessageType", override(push(func(p *chatrecall.TPNSPush) { p.MessageType = "shout" }))},
		{"override: bad environment", "Push.Environment", override(push(func(p *chatrecall.TPNSPush) { p.Environment = "prod" }))},
		{"override: bad platform", "Push.Platform", override(push(func(p *chatrecall.TPNSPush) { p.Platform = "web" }))},
		{"override: negative expiry", "Push.ExpireTime", override(push(func(p *chatrecall.TPNSPush) { p.ExpireTime = -1 }))},
		{"override: reserved extra", `Push.Extra["force_collapse"]`, override(push(func(p *chatrecall.TPNSPush) { p.Extra = map[string]any{"force_collapse": true} }))},
		// Bytes JSON would alter on the wire, and control characters.
		{"group: bad UTF-8 group", "GroupID", group(chatrecall.GroupRecall{GroupID: bad, MsgSeqs: []uint64{1}})},
		{"group: NUL in group", "GroupID", group(chatrecall.GroupRecall{GroupID: "g\x00", MsgSeqs: []uint64{1}})},
		{"group: newline in topic", "TopicID", group(chatrecall.GroupRecall{GroupID: "g", TopicID: "t\n", MsgSeqs: []uint64{1}})},
		{"group: bad UTF-8 reason", "Reason", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}, Reason: bad})},
		{"group: tab in reason", "Reason", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}, Reason: "a\tb"})},
		{"group: seq over 32 bits", "MsgSeqs[1]", group(chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 1 << 32}})},
		{"official: bad UTF-8 account", "Account", official(chatrecall.OfficialAccountRecall{Account: bad, MsgKeys: []string{"k"}})},
		{"official: control in key", "MsgKeys[1]", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{"k", "k\r"}})},
		{"official: bad UTF-8 key", "MsgKeys[0]", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{bad}})},
		{"official: DEL in reason", "Reason", official(chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{"k"}, Reason: "x\x7f"})},
		{"c2c: bad UTF-8 from", "From", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: bad, To: "b", MsgKey: "k"}))},
		{"c2c: NUL in to", "To", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "\x00", MsgKey: "k"}))},
		{"c2c: newline in key", "MsgKey", errOf(client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "1_2_3\n"}))},
		{"push: bad UTF-8 task", "TaskID", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: bad}))},
		{"push: control in title", "OfflinePushInfo.Title", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{Title: "\x1b[31m"}}))},
		{"push: bad UTF-8 desc", "OfflinePushInfo.Desc", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{Desc: bad}}))},
		{"push: bad UTF-8 ext", "OfflinePushInfo.Ext", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{Ext: `"` + bad + `"`}}))},
		{"push: control in android sound", "OfflinePushInfo.AndroidInfo.Sound", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{AndroidInfo: &chatrecall.AndroidInfo{Sound: "a\x00"}}}))},
		{"push: bad UTF-8 apns title", "OfflinePushInfo.ApnsInfo.Title", errOf(client.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: "t", OfflinePushInfo: &chatrecall.OfflinePushInfo{ApnsInfo: &chatrecall.ApnsInfo{Title: bad}}}))},
		{"tpns stop: bad UTF-8 id", "pushID", errOf(client.StopTPNSPush(ctx, bad))},
		{"tpns revoke: newline id", "pushID", errOf(client.RevokeTPNSPush(ctx, "1\n"))},
		{"tpns cancel: NUL id", "pushID", errOf(client.CancelTPNSScheduledPush(ctx, "\x00"))},
		{"tpns record: bad UTF-8 id", "pushID", func() error { _, err := client.GetTPNSPushRecord(ctx, bad); return err }()},
		{"override: bad UTF-8 push id", "PushID", override(chatrecall.TPNSOverride{PushID: bad, Push: chatrecall.TPNSPush{AudienceType: "all", Content: "x"}})},
		{"override: control in content", "Push.Content", override(push(func(p *chatrecall.TPNSPush) { p.Content = "a\x00" }))},
		{"override: bad UTF-8 title", "Push.Title", override(push(func(p *chatrecall.TPNSPush) { p.Title = bad }))},
		{"override: bad UTF-8 token", "Push.TokenList[0]", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "token"; p.TokenList = []string{bad} }))},
		{"override: duplicate account", "Push.AccountList[1]", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "account_list"; p.AccountList = []string{"u", "u"} }))},
		{"override: NaN in android", `Push.Android["x"]`, override(push(func(p *chatrecall.TPNSPush) { p.Android = map[string]any{"x": math.NaN()} }))},
		{"override: func in extra", `Push.Extra["cb"]`, override(push(func(p *chatrecall.TPNSPush) { p.Extra = map[string]any{"cb": func() {}} }))},
		{"override: channel in ios", `Push.IOS["aps"]["c"]`, override(push(func(p *chatrecall.TPNSPush) { p.IOS = map[string]any{"aps": map[string]any{"c": make(chan int)}} }))},
		{"override: bad UTF-8 extra key", "Push.Extra[" + strconv.Quote(bad[2:]) + "] (key)", override(push(func(p *chatrecall.TPNSPush) { p.Extra = map[string]any{bad[2:]: 1} }))},
		{"override: bad UTF-8 tag rules", "Push.TagRules", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "tag"; p.TagRules = []byte(`["` + bad + `"]`) }))},
		{"override: negative upload id", "Push.UploadID", override(push(func(p *chatrecall.TPNSPush) { p.AudienceType = "package_account_push"; p.UploadID = -5 }))},
		// (An iOS part without an environment is no longer refused up front:
		// the original task's record may give it; TestTPNSOverride shows the
		// push is still never sent without one.)
		{"override: unknown environment", "Push.Environment", override(push(func(p *chatrecall.TPNSPush) { p.Platform = "ios"; p.Environment = "staging" }))},
		// A nil context, for every method.
		{"group: nil ctx", "ctx", func() error {
			_, err := client.RecallGroupMessages(nilCtx, chatrecall.GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
			return err
		}()},
		{"official: nil ctx", "ctx", func() error {
			_, err := client.RecallOfficialAccountMessages(nilCtx, chatrecall.OfficialAccountRecall{Account: "a", MsgKeys: []string{"k"}})
			return err
		}()},
		{"c2c: nil ctx", "ctx", errOf(client.RecallC2CMessage(nilCtx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"}))},
		{"push: nil ctx", "ctx", errOf(client.RevokeChatPush(nilCtx, chatrecall.ChatPushRevoke{TaskID: "t"}))},
		{"tpns stop: nil ctx", "ctx", errOf(client.StopTPNSPush(nilCtx, "1"))},
		{"tpns revoke: nil ctx", "ctx", errOf(client.RevokeTPNSPush(nilCtx, "1"))},
		{"tpns cancel: nil ctx", "ctx", errOf(client.CancelTPNSScheduledPush(nilCtx, "1"))},
		{"tpns record: nil ctx", "ctx", func() error { _, err := client.GetTPNSPushRecord(nilCtx, "1"); return err }()},
		{"override: nil ctx", "ctx", func() error {
			_, err := client.OverrideTPNSPush(nilCtx, push(func(*chatrecall.TPNSPush) {}))
			return err
		}()},
	}
	require.GreaterOrEqual(t, len(tests), 80)
	for _, tt := range tests {
		var ve *chatrecall.ValidationError
		if assert.ErrorAs(t, tt.err, &ve, tt.name) {
			assert.Equal(t, tt.field, ve.Field, tt.name)
			assert.Contains(t, tt.err.Error(), tt.field, tt.name)
			assert.ErrorIs(t, tt.err, chatrecall.ErrInvalidRequest, tt.name)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func ExampleWithAttemptHook() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("a", "b", "k")
	srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: 91000})

	hook := func(_ context.Context, a chatrecall.AttemptInfo) {
		fmt.Printf("%s attempt %d: HTTP %d, code %d\n", a.Endpoint, a.Attempt, a.StatusCode, a.Code)
	}
	client, _ := chatrecall.NewClient(srv.Config(), chatrecall.WithAttemptHook(hook),
		chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	fmt.Println(errOf(client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"})))
	// Output:
	// admin_msgwithdraw attempt 1: HTTP 200, code 91000
	// admin_msgwithdraw attempt 2: HTTP 200, code 0
	// <nil>
}

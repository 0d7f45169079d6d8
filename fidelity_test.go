package chatrecall_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// tpnsPost sends body to the fake's TPNS path as a TPNS SDK would, signed.
func tpnsPost(t *testing.T, srv *chatrecalltest.Server, path, body string) map[string]any {
	t.Helper()
	cfg := srv.Config().TPNS
	ts := time.Now().Unix()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("AccessId", cfg.AccessID)
	req.Header.Set("TimeStamp", strconv.FormatInt(ts, 10))
	req.Header.Set("Sign", tpnsauth.Sign(cfg.SecretKey, cfg.AccessID, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// TestFakeCollapseIDZeroIsUnset: Tencent's TPNS SDKs send "collapse_id":0
// on every push. It means "not set": an account push with it collapses
// nothing, and an all-user push still gets a collapse ID assigned.
func TestFakeCollapseIDZeroIsUnset(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	other := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all"}) // no collapse ID
	acct := tpnsPost(t, srv, "/v3/push/app", `{"audience_type":"account","account_list":["u1"],"message_type":"notify","message":{"title":"t","content":"c"},"collapse_id":0}`)
	require.EqualValues(t, 0, acct["ret_code"])
	st, _ := srv.TPNSTaskState(other)
	assert.Equal(t, chatrecalltest.TPNSStatusStarted, st.Status, "an account push with collapse_id 0 collapses nothing")
	accountTask, _ := srv.TPNSTaskState(acct["push_id"].(string))
	assert.Zero(t, accountTask.CollapseID, "account pushes get none")

	for _, audience := range []string{`"all"`, `"tag","tag_rules":[{"tag_items":[]}]`} {
		all := tpnsPost(t, srv, "/v3/push/app", `{"audience_type":`+audience+`,"message_type":"notify","message":{"title":"t","content":"c"},"collapse_id":0}`)
		task, _ := srv.TPNSTaskState(all["push_id"].(string))
		assert.NotZero(t, task.CollapseID, "%s pushes get a collapse ID", audience)
	}
}

// TestFakeRecordForms: get_push_record answers a numeric push ID as a
// number, as the documented sample does, and accepts the time-range form.
func TestFakeRecordForms(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "133703", PushType: "all", CollapseID: 2})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "abc", PushType: "tag"})
	one := tpnsPost(t, srv, "/v3/statistics/get_push_record", `{"pushId":"133703"}`)
	rec := one["pushRecordData"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(133703), rec["pushId"], "a JSON number")
	rng := tpnsPost(t, srv, "/v3/statistics/get_push_record", `{"startDate":"2026-11-01","endDate":"2026-11-22","msgType":"notify","pushType":"all","offset":0,"limit":1}`)
	assert.EqualValues(t, 2, rng["count"])
	assert.Len(t, rng["pushRecordData"], 1)

	c := fakeClient(t, srv)
	got, err := c.GetTPNSPushRecord(context.Background(), "133703")
	require.NoError(t, err)
	assert.Equal(t, "133703", got.PushID)
}

// TestOverrideKeepsTheOriginalAudience: an override of a tag push sent to
// "all" is refused before any push is sent; with no audience given, the
// record's is used.
func TestOverrideKeepsTheOriginalAudience(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	id := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "tag", CollapseID: 42})
	c := fakeClient(t, srv)
	_, err := c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: id,
		Push: chatrecall.TPNSPush{AudienceType: "all", Content: "fixed"}})
	var ve *chatrecall.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Push.AudienceType", ve.Field)
	assert.Contains(t, ve.Problem, `"all"`)
	assert.Contains(t, ve.Problem, `"tag"`)
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointTPNSPush), "no push was sent")

	// A tag push's record does not carry its rules: the caller gives them.
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: id, Push: chatrecall.TPNSPush{Content: "fixed"}})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Push.TagRules", ve.Field)
	// The record cannot say whether the rules are the original's: broader
	// ones would reach users it never did. The caller must vouch.
	vip := json.RawMessage(`[{"tag_items":[{"tags":["vip"]}]}]`)
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: id, Push: chatrecall.TPNSPush{Content: "fixed", TagRules: vip}})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Push.TagRules", ve.Field)
	assert.Contains(t, ve.Problem, "SameTargets")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointTPNSPush), "no push was sent")
	res, err := c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: id, SameTargets: true,
		Push: chatrecall.TPNSPush{Content: "fixed", TagRules: vip}})
	require.NoError(t, err)
	assert.Equal(t, int64(42), res.CollapseID)
	reqs := srv.RequestsTo(chatrecall.EndpointTPNSPush)
	require.Len(t, reqs, 1)
	assert.Equal(t, "tag", reqs[0].JSON["audience_type"])

	// A package push: its record's upload ID is the only one accepted, and
	// the one sent when none is given.
	pkg := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "package_account_push", CollapseID: 43, UploadID: 7})
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: pkg, Push: chatrecall.TPNSPush{Content: "fixed", UploadID: 8}})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Push.UploadID", ve.Field)
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: pkg, Push: chatrecall.TPNSPush{Content: "fixed"}})
	require.NoError(t, err)
	reqs = srv.RequestsTo(chatrecall.EndpointTPNSPush)
	assert.Equal(t, float64(7), reqs[len(reqs)-1].JSON["upload_id"])
	noUpload := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "package_account_push", CollapseID: 44})
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: noUpload, Push: chatrecall.TPNSPush{Content: "fixed", UploadID: 9}})
	require.ErrorAs(t, err, &ve, "nothing to compare with: refused unless vouched for")
	_, err = c.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{PushID: noUpload, SameTargets: true, Push: chatrecall.TPNSPush{Content: "fixed", UploadID: 9}})
	require.NoError(t, err)
}

// TestSeparateFakesDoNotShareLimits: two fakes, one push revoke each, at
// once: neither waits for the other's 1/s limit (each fake still enforces
// its own).
func TestSeparateFakesDoNotShareLimits(t *testing.T) {
	var reqs []chatrecall.LimitRequest
	record := chatrecall.LimiterFunc(func(_ context.Context, r chatrecall.LimitRequest) error {
		reqs = append(reqs, r)
		return nil
	})
	for i := 0; i < 2; i++ {
		srv := chatrecalltest.NewServer()
		id := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
		c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithLimiter(record))
		require.NoError(t, err)
		_, err = c.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: id})
		require.NoError(t, err)
		srv.Close()
	}
	require.Len(t, reqs, 2)
	assert.NotEqual(t, reqs[0].Key, reqs[1].Key)
}

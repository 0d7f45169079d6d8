package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verdict builds a ResultNotify body (it carries no CallbackCommand).
func verdict(id, scene, from string, contactType int, to, msgID string, blocked int) string {
	item := map[string]any{"ContactType": contactType}
	if contactType == 1 {
		item["To_Account"] = to
	} else {
		item["ToGroupId"] = to
	}
	b, _ := json.Marshal(map[string]any{"Scene": scene, "SdkAppId": chatrecalltest.DefaultSDKAppID, "From_Account": from, "ContactItem": item,
		"ContentType": "Text", "TextContent": []string{"buy now"}, "MsgID": msgID, "CtxcbResult": blocked, "CtxcbRequestId": id,
		"CtxcbSuggestion": "Block", "CtxcbLabel": "Ad"})
	return string(b)
}

// TestVerdictsRecallOnlyWhatTheyMay: each rule of the bridge, against the
// fake's ground truth: only blocked, delivered messages of allowed
// conversations whose sender is confirmed are recalled, each once; every
// other verdict says why not.
func TestVerdictsRecallOnlyWhatTheyMay(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	at := time.Now().Add(-time.Minute)
	spam := srv.SendGroupMessage("@TGS#town", "spammer", at)
	other := srv.SendGroupMessage("@TGS#town", "alice", at)
	vip := srv.SendGroupMessage("@TGS#vip", "spammer", at)
	dm := srv.SendC2CMessage("spammer", "bob", at)
	passed := srv.SendC2CMessage("spammer", "carol", at)
	gone := srv.SendC2CMessage("spammer", "dave", at)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	_, err = client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "spammer", To: "dave", MsgKey: gone})
	require.NoError(t, err)
	srv.Reset()

	var mu sync.Mutex
	outcomes := map[string][]webhook.VerdictOutcome{}
	v, err := webhook.NewVerdictRecaller(client, webhook.VerdictOptions{
		Allow: func(c chatrecall.Conversation) bool { return c.GroupID != "@TGS#vip" },
		Outcome: func(o webhook.VerdictOutcome) {
			mu.Lock()
			outcomes[o.RequestID] = append(outcomes[o.RequestID], o)
			mu.Unlock()
		},
	})
	require.NoError(t, err)
	h := newHandler(t, nil)
	h.OnResultNotify(v.Handle)
	seqStr := func(s uint64) string { return strconv.FormatUint(s, 10) }
	for _, body := range []string{
		verdict("c2c", "C2C", "spammer", 1, "bob", dm, 1),
		verdict("c2c", "C2C", "spammer", 1, "bob", dm, 1), // delivered twice
		verdict("passed", "C2C", "spammer", 1, "carol", passed, 0),
		verdict("undelivered", "Group", "spammer", 2, "@TGS#town", "", 1),
		verdict("group", "Group", "spammer", 2, "@TGS#town", seqStr(spam), 1),
		verdict("wrong-sender", "Group", "spammer", 2, "@TGS#town", seqStr(other), 1),
		verdict("topic", "Group", "spammer", 2, "@TGS#town@TOPIC#news", "1", 1),
		verdict("vip", "Group", "spammer", 2, "@TGS#vip", seqStr(vip), 1),
		verdict("gone", "C2C", "spammer", 1, "dave", gone, 1),
		verdict("profile", "UserInfo", "spammer", 1, "bob", "x", 1),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callback(webhook.CommandContentResultNotify, body, nil))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	}
	h.Wait()
	v.Wait()

	want := map[string][]string{"c2c": {webhook.VerdictRecalled, webhook.VerdictSkipped}, "passed": {webhook.VerdictSkipped},
		"undelivered": {webhook.VerdictSkipped}, "group": {webhook.VerdictRecalled}, "wrong-sender": {webhook.VerdictSkipped},
		"topic": {webhook.VerdictSkipped}, "vip": {webhook.VerdictSkipped}, "gone": {webhook.VerdictGone}, "profile": {webhook.VerdictSkipped}}
	got := map[string][]string{}
	for id, os := range outcomes {
		for _, o := range os {
			got[id] = append(got[id], o.Result)
			if o.Result == webhook.VerdictSkipped {
				assert.NotEmpty(t, o.Why, id)
			}
		}
		sort.Strings(got[id])
	}
	assert.Equal(t, want, got, "one outcome per verdict delivered; the repeat is skipped")
	assert.Contains(t, outcomes["wrong-sender"][0].Why, `sent by "alice"`)
	assert.Contains(t, outcomes["topic"][0].Why, "topic")
	assert.Equal(t, map[string]int64{webhook.VerdictRecalled: 2, webhook.VerdictSkipped: 7, webhook.VerdictGone: 1}, v.Counts(), "the repeat is skipped too")

	// Ground truth: exactly the two allowed, confirmed, blocked messages.
	var applied []string
	for _, r := range srv.Requests() {
		applied = append(applied, r.AppliedItems...)
	}
	sort.Strings(applied)
	wantApplied := []string{dm, seqStr(spam)}
	sort.Strings(wantApplied)
	assert.Equal(t, wantApplied, applied)
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("@TGS#town", other))
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("@TGS#vip", vip))
	assert.Equal(t, chatrecalltest.MessagePresent, srv.C2CMessage(passed))
}

func TestVerdictRecallerNeedsAllow(t *testing.T) {
	_, err := webhook.NewVerdictRecaller(nil, webhook.VerdictOptions{Allow: func(chatrecall.Conversation) bool { return true }})
	assert.Error(t, err)
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	client, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	_, err = webhook.NewVerdictRecaller(client, webhook.VerdictOptions{})
	assert.ErrorContains(t, err, "Allow is required")
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/chatrecall/chatrecall"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func noEnv(string) string { return "" }

// TestQuickstartRuns keeps the README's first command from rotting.
func TestQuickstartRuns(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, noEnv, &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	s := out.String()
	for _, call := range []string{"RecallGroupMessages", "RecallOfficialAccountMessages", "RevokeChatPush", "RecallC2CMessage",
		"StopTPNSPush", "RevokeTPNSPush", "CancelTPNSScheduledPush", "TPNSPushRecord", "OverrideTPNSPush"} {
		assert.Contains(t, s, call)
	}
	assert.Equal(t, 12, strings.Count(s, "RecallGroupMessages "), "an over-10 recall: 12 items")
	assert.Contains(t, s, "seq 112  ")
	assert.Regexp(t, `seq 111 +not done, as seeded: group_msg_recall: code 10030 .* +gone`, s)
	assert.Contains(t, s, "19 done, 2 not done as seeded (they never existed), 0 failed")
	assert.Empty(t, errOut.String())
}

// TestQuickstartFailsWhenSomethingFails: a failure it did not seed makes
// it exit 1 (a quickstart that exits 0 over failures teaches to ignore them).
func TestQuickstartFailsWhenSomethingFails(t *testing.T) {
	var out bytes.Buffer
	tb := newTable(&out, map[string]bool{"g seq 2": true})
	tb.row("RecallGroupMessages", "g seq 1", nil)
	tb.row("RecallGroupMessages", "g seq 2", &chatrecall.APIError{Endpoint: chatrecall.EndpointGroupRecall, Code: chatrecall.CodeGroupMsgNotFound})
	tb.flush()
	assert.Equal(t, 0, tb.bad, out.String())
	tb.row("RecallGroupMessages", "g seq 3", &chatrecall.APIError{Endpoint: chatrecall.EndpointGroupRecall, Code: chatrecall.CodeGroupMsgNotFound})
	tb.row("RecallGroupMessages", "g seq 2", &chatrecall.APIError{Endpoint: chatrecall.EndpointGroupRecall, Code: chatrecall.CodeGroupNotFound})
	assert.Equal(t, 2, tb.bad, "not seeded to fail, or failed another way")
}

func TestQuickstartPartialCredentials(t *testing.T) {
	env := map[string]string{"CHATRECALL_SDKAPPID": "1400000000"}
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Equal(t, "chatrecall: set CHATRECALL_SECRET_KEY and CHATRECALL_REGION (Chat needs CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION)\n", errOut.String())
	assert.Empty(t, out.String())
}

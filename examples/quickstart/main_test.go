package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
	assert.Regexp(t, `seq 111 +FAILED: group_msg_recall: code 10030 .* +gone`, s)
	assert.Contains(t, s, "19 done, 2 not done")
	assert.Empty(t, errOut.String())
}

func TestQuickstartPartialCredentials(t *testing.T) {
	env := map[string]string{"CHATRECALL_SDKAPPID": "1400000000"}
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Equal(t, "chatrecall: set CHATRECALL_SECRET_KEY and CHATRECALL_REGION (Chat needs CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION)\n", errOut.String())
	assert.Empty(t, out.String())
}

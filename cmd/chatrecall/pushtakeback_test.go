package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// TestPushTakeback: a pending task is deleted and read back; a dispatched
// one revoked with the replacement, its reach reported; each step a JSON
// line on stdout and in the journal.
func TestPushTakeback(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	now := time.Now()
	pending := srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale", SchedAt: now.Add(time.Hour)})
	sent := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "Tag", Title: "Digest", SchedAt: now.Add(-time.Hour), Users: []string{"u1"}, Reach: 9})
	vars := fakeVars(srv)
	journal := filepath.Join(t.TempDir(), "push.journal")

	r := runCLI(t, vars, "", "--base-url", srv.URL, "--json", "push", "takeback", "--keyword", "Flash", "--since", "2h", "--title", "Correction", "--desc", "Sorry")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `{"detail":"read back: deleted; nothing went out","outcome":"done","step":"delete"}`)
	assert.Contains(t, r.stdout, `{"summary":{"deleted":true,"revoked":false,"sched_task_id":1,"status":"deleted","title":"Flash sale"}}`,
		"the outcome as fields, not only prose")
	state, _ := srv.SchedTaskState(pending)
	assert.Equal(t, "deleted", state)

	// A revoke changes what every user it reached sees: without a
	// terminal it needs --yes.
	r = runCLI(t, vars, "", "--base-url", srv.URL, "push", "takeback", "--sched-task", "2", "--title", "Correction", "--desc", "Sorry")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "confirm on a terminal, or give --yes")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointPushRevoke))

	r = runCLI(t, vars, "", "--base-url", srv.URL, "--yes", "push", "takeback", "--sched-task", "2", "--title", "Correction", "--desc", "Sorry",
		"--check-user", "u1", "--journal", journal)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^revoke +done +delivery to users not yet reached stopped`, r.stdout)
	assert.Regexp(t, `(?m)^statistics +done +9 targeted`, r.stdout)
	_, pushID := srv.SchedTaskState(sent)
	st, _ := srv.PushTaskState(pushID)
	assert.True(t, st.Revoked)
	b, err := os.ReadFile(journal)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	assert.Len(t, lines, 4, "read, revoke, statistics, trace")
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), l)
	}
}

// TestPushTakebackBadInputSendsNothing: refused with exit 2, naming the
// flag that fixes it, before any request.
func TestPushTakebackBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	vars := fakeVars(srv)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--title", "t"}, "--task give exactly one"},
		{[]string{"--task", "a", "--sched-task", "3", "--title", "t"}, "--task give exactly one"},
		{[]string{"--task", "batch_667015d4_1", "--title", "t"}, "single send"},
		{[]string{"--task", "wbat@1_x", "--title", "t"}, "single send"},
		{[]string{"--task", "a\x01", "--title", "t"}, "--task"},
		{[]string{"--task", "a"}, "--title or --desc is required"},
		{[]string{"--task", "a", "--title", "t", "--no-overwrite"}, "--title/--desc is set with NoOverwrite"},
		{[]string{"--keyword", "sale", "--title", "t"}, "--since is required with Keyword"},
		{[]string{"--keyword", "sale", "--since", "1h", "--until", "2020-01-01T00:00:00Z", "--title", "t"}, "--until"},
		{[]string{"--task", "a", "--title", "t", "--check-user", "a,b,c,d"}, "--check-user has 4 users"},
		{[]string{"--task", "a", "--title", "t", "--ext", "{"}, "--ext is not a JSON document"},
		{[]string{"--sched-task", "-2", "--title", "t"}, "--sched-task"},
	} {
		r := runCLI(t, vars, "", append([]string{"--base-url", srv.URL, "push", "takeback"}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, "%q: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%q", tc.args)
	}
	assert.Empty(t, srv.Requests())
	_ = chatrecall.EndpointPushRevoke
}

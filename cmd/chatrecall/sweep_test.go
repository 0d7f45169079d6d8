package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/redislimit/redistest"
	"github.com/chatrecall/chatrecall/webhook"
)

// TestSweepWorkflow runs the incident workflow against --demo: a dry run
// writes a plan and sends nothing; the plan is recalled with a journal and
// verified; verifying it again finds every message recalled.
func TestSweepWorkflow(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "spam.plan")
	r := runCLI(t, nil, "", "--demo", "sweep", "group", "--group", "@TGS#spam", "--sender", "user03,user04", "--since", "6h", "--dry-run", "--plan-out", plan)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "nothing was sent")
	body, err := os.ReadFile(plan)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		var it map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &it))
		assert.Equal(t, "@TGS#spam", it["group"])
		assert.Contains(t, []any{"user03", "user04"}, it["sender"])
	}

	// The demo fake is new in each run, seeded alike: the plan holds.
	journal := filepath.Join(dir, "spam.journal")
	r = runCLI(t, nil, "", "--demo", "sweep", "group", "--plan", plan, "--journal", journal)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, len(lines), strings.Count(r.stdout, "recalled"), r.stdout)
	assert.Contains(t, r.stderr, "verified: "+strconv.Itoa(len(lines))+" recalled, 0 still there")
	_, err = os.Stat(journal)
	require.NoError(t, err)

	// A fresh demo has them unrecalled: verify says so, and exits 1.
	r = runCLI(t, nil, "", "--demo", "sweep", "verify", "--plan", plan)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "0 recalled, "+strconv.Itoa(len(lines))+" still there")
}

// TestSweepUsage: bad flags are refused before anything is read or sent.
func TestSweepUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "group", "--group", "g", "--sender", "u"}, "--since is required"},
		{[]string{"sweep", "group", "--group", "g", "--since", "2h"}, "--sender is required"},
		{[]string{"sweep", "group", "--group", "g", "--sender", "u", "--since", "yesterday"}, "--since \"yesterday\""},
		{[]string{"sweep", "group", "--group", "g", "--sender", "u", "--since", "2h", "--plan-out", "x"}, "--plan-out writes the plan of a --dry-run"},
		{[]string{"sweep", "group", "--plan", "x", "--group", "g"}, "--plan takes the conversation"},
		{[]string{"sweep", "verify"}, "--plan is required"},
	} {
		r := runCLI(t, nil, "", append([]string{"--demo"}, tc.args...)...)
		assert.Equal(t, 2, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
}

// TestSweepC2CJournal: a one-to-one sweep streams: its journal records each
// message with its direction before it is sent, each outcome is printed as
// it is final, and c2c --resume of a finished journal sends nothing.
func TestSweepC2CJournal(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "mallory.journal")
	r := runCLI(t, nil, "", "--demo", "--json", "sweep", "c2c", "--account", "alice", "--peer", "mallory", "--sender", "mallory", "--since", "24h", "--journal", journal)
	require.Equal(t, 0, r.code, r.stderr)
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.NotEmpty(t, rows)
	for _, l := range rows {
		var rw row
		require.NoError(t, json.Unmarshal([]byte(l), &rw), l)
		assert.Equal(t, "mallory->alice", rw.Target)
		assert.Equal(t, "recalled", rw.Outcome)
	}
	assert.Contains(t, r.stderr, "verified: "+strconv.Itoa(len(rows))+" read back gone, 0 taken back by delete-by-sender, 0 answered recalled but still shown by history, 0 still there, 0 not found in history")

	st, err := readJournal(journal)
	require.NoError(t, err)
	assert.Equal(t, journalHeader{Journal: journalVersion, Command: "c2c", Target: "alice", Peer: "mallory", Streamed: true}, st.header, "planned as it went")
	require.Len(t, st.items, len(rows))
	require.Len(t, st.from, len(rows))
	for i := range st.items {
		assert.Equal(t, "mallory", st.from[i])
		assert.Equal(t, "alice", st.to[i])
		assert.True(t, st.sent[st.items[i]], "sent before its outcome")
		assert.Equal(t, "recalled", st.outcome[st.items[i]].Outcome)
	}
	raw, err := os.ReadFile(journal)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	assert.Contains(t, lines[0], `"journal":"`+journalVersion+`"`)
	for _, l := range lines[1:] {
		assert.NotContains(t, l, `"journal"`, "only the first line is the header")
		assert.NotContains(t, l, `"items"`, "only the first line is the header")
	}

	r = runCLI(t, nil, "", "--demo", "c2c", "--resume", journal)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, strconv.Itoa(len(rows))+" done, 0 failed, 0 unknown, 0 not sent ("+strconv.Itoa(len(rows))+" settled by the earlier run)")

	r = runCLI(t, nil, "", "--demo", "c2c", "--resume", journal, "--key", "k")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--resume takes the messages from the journal")
	r = runCLI(t, nil, "", "--demo", "group", "--resume", journal)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "resume it with chatrecall c2c --resume")
}

// TestSweepWithoutHistory: a live-stream group keeps no history. That is
// the service's answer, not a usage error: exit 1, pointing to the ledger.
func TestSweepWithoutHistory(t *testing.T) {
	r := runCLI(t, nil, "", "--demo", "sweep", "group", "--group", "@TGS#live", "--sender", "u", "--since", "1h")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "10044")
	assert.Contains(t, r.stderr, "webhook")
}

// TestSweepDeleteBySender: the opt-in fast path from the terminal. The demo
// group's sender posted among the last 1,000 messages and before; every
// message ends gone, the silent ones are said to be silent.
func TestSweepDeleteBySender(t *testing.T) {
	r := runCLI(t, nil, "", "--demo", "sweep", "group", "--group", "@TGS#spam", "--sender", "user05", "--since", "48h", "--delete-by-sender")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "taken back silently")
	assert.Contains(t, r.stderr, "sender user05: delete_group_msg_by_sender (silent: members get no recall notice): every visible message of the sender among the group's last 1,000 is in the plan")
	assert.Regexp(t, `verified: [1-9][0-9]* read back gone, [1-9][0-9]* taken back by delete-by-sender, 0 answered recalled but still shown by history, 0 still there, 0 not found in history`, r.stderr)

	// A window that leaves some of the sender's recent messages out: the
	// fast path would take them too, so it is not used.
	r = runCLI(t, nil, "", "--demo", "sweep", "group", "--group", "@TGS#spam", "--sender", "user06", "--since", "48h", "--until", "2h", "--delete-by-sender")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "taken back silently")
	assert.Regexp(t, `sender user06: recalled one by one: [1-9][0-9]* visible message\(s\) of the sender among the group's last 1,000 are not in the plan`, r.stderr)

	r = runCLI(t, nil, "", "--demo", "sweep", "group", "--group", "@TGS#spam", "--sender", "user05", "--since", "48h", "--delete-by-sender", "--no-verify")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "without --no-verify")
}

// TestSweepLedger: a live-stream group keeps no history; the webhook
// receivers recorded its messages in a Redis ledger (a real redis-server
// here). chatrecall sweep ledger plans from it (the sender's messages in
// the window, not the recalled one, not anyone else's), recalls them with a
// journal, and, with no after-recall callbacks arriving in the demo,
// reports them recalled but unverified, never "not recalled".
func TestSweepLedger(t *testing.T) {
	r := redistest.Start(t)
	ledger := redisledger.New(r.Client(t))
	ctx := context.Background()
	at := time.Now().Add(-10 * time.Minute)
	for _, m := range []webhook.SentMessage{
		{Seq: 2, Sender: "spammer"}, {Seq: 4, Sender: "spammer"}, {Seq: 6, Sender: "spammer"}, {Seq: 1, Sender: "alice"}, {Seq: 3, Sender: "spammer"},
	} {
		m.Kind, m.Conversation, m.Time = webhook.KindGroup, "@TGS#stream", at.Add(time.Duration(m.Seq)*time.Second)
		require.NoError(t, ledger.Record(ctx, m))
	}
	require.NoError(t, ledger.MarkRecalled(ctx, webhook.KindGroup, "@TGS#stream", "3"))
	journal := filepath.Join(t.TempDir(), "live.journal")
	res := runCLI(t, nil, "", "--demo", "--json", "sweep", "ledger", "--redis", "redis://"+r.Addr+"/0", "--group", "@TGS#stream",
		"--sender", "spammer", "--since", "1h", "--settle", "10ms", "--journal", journal)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stderr, "the ledger lists 3 messages")
	var items []string
	for _, l := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var rw row
		require.NoError(t, json.Unmarshal([]byte(l), &rw), l)
		assert.Equal(t, "recalled", rw.Outcome)
		assert.Equal(t, "read back: missing", rw.Detail, "no after-recall callback: unverified, not failed")
		items = append(items, rw.Item)
	}
	sort.Strings(items)
	assert.Equal(t, []string{"2", "4", "6"}, items)
	st, err := readJournal(journal)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"2", "4", "6"}, st.items)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--group", "@TGS#stream", "--sender", "u", "--since", "1h"}, "--redis is required"},
		{[]string{"--redis", "http://x", "--group", "@TGS#stream", "--sender", "u", "--since", "1h"}, "--redis"},
		{[]string{"--redis", "redis://" + r.Addr, "--sender", "u", "--since", "1h"}, "GroupID"},
		{[]string{"--redis", "redis://" + r.Addr, "--group", "g", "--since", "1h"}, "--sender is required"},
		{[]string{"--redis", "redis://" + r.Addr, "--group", "g", "--sender", "u"}, "--since is required"},
	} {
		res := runCLI(t, nil, "", append([]string{"--demo", "sweep", "ledger"}, tc.args...)...)
		assert.Equal(t, exitUsage, res.code, tc.args)
		assert.Contains(t, res.stderr, tc.want, tc.args)
	}
}

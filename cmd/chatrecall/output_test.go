package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// runTerm runs the command in-process as on a terminal: stdout width
// columns wide (colored when color), stdin and stderr a person's.
func runTerm(t *testing.T, vars map[string]string, stdin string, width int, color bool, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out, stderr: &errOut,
		width: width, color: color, ask: true,
		exit: func(int) { t.Fatal("exit called") },
	})
	return result{out.String(), errOut.String(), code}
}

// TestOutputFormats: -o table|json|jsonl, --json as -o jsonl, and what
// is refused before anything runs.
func TestOutputFormats(t *testing.T) {
	args := []string{"--demo", "group", "--group", "@TGS#demo", "--seq", "1,2,5000"}
	jsonl := runCLI(t, nil, "", append([]string{"-o", "jsonl"}, args...)...)
	alias := runCLI(t, nil, "", append([]string{"--json"}, args...)...)
	assert.Equal(t, exitFailed, jsonl.code)
	assert.Equal(t, alias.stdout, jsonl.stdout, "--json is -o jsonl")
	assert.Len(t, strings.Split(strings.TrimSpace(jsonl.stdout), "\n"), 3)

	doc := runCLI(t, nil, "", append([]string{"-o", "json"}, args...)...)
	assert.Equal(t, exitFailed, doc.code)
	var d struct {
		Items   []row          `json:"items"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(doc.stdout), &d), doc.stdout)
	assert.Len(t, d.Items, 3)
	assert.Equal(t, "gone", d.Items[2].Category)
	assert.Equal(t, "code 10030: message does not exist or was already recalled", d.Items[2].Cause)
	assert.Equal(t, map[string]int{"done": 2, "failed": 1, "unknown": 0, "not_sent": 0, "settled_earlier": 0}, d.Summary)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "yaml"}, `chatrecall: -o "yaml": give table, json (one document) or jsonl (one object per line)`},
		{[]string{"--json", "-o", "table"}, "chatrecall: --json is -o jsonl: give one of them (-o table was given too)"},
		{[]string{"-q", "-v"}, "chatrecall: -q and --verbose ask for less and more output: give one of them"},
	} {
		r := runCLI(t, nil, "", append(tc.args, args...)...)
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, tc.want+"\n", r.stderr)
		assert.Empty(t, r.stdout)
	}
}

// TestQuietAndVerbose: -q prints only what needs attention; --verbose (-v)
// logs each attempt to stderr, with no secret in it.
func TestQuietAndVerbose(t *testing.T) {
	args := []string{"--demo", "group", "--group", "@TGS#demo", "--seq", "1,2,5000"}
	q := runCLI(t, nil, "", append([]string{"-q"}, args...)...)
	assert.Equal(t, exitFailed, q.code)
	assert.NotContains(t, q.stdout, "recalled  -")
	assert.Contains(t, q.stdout, "5000  failed")
	assert.Contains(t, q.stdout, "2 done, 1 failed, 0 unknown, 0 not sent")

	v := runCLI(t, nil, "", append([]string{"-v"}, args...)...)
	assert.Equal(t, exitFailed, v.code)
	assert.Regexp(t, `chatrecall: \d\d:\d\d:\d\d\.\d{3} group_msg_recall attempt 1: 3 item\(s\) to 127\.0\.0\.1:\d+: HTTP 200 in \d+ms`, v.stderr)
	assert.NotContains(t, v.stderr, chatrecalltest.DefaultSecretKey)
	assert.NotContains(t, v.stderr, "usersig=")
	assert.Equal(t, runCLI(t, nil, "", args...).stdout, v.stdout, "the log goes to stderr only")

	ver := runCLI(t, nil, "", "--version")
	assert.Equal(t, "chatrecall version "+chatrecall.Version+"\n", ver.stdout)
}

// TestTableOnATerminal: columns are as wide as the command's values; on a
// terminal long values are cut to the line and outcomes are colored, and
// the cause comes first.
func TestTableOnATerminal(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	long := "@TGS#" + strings.Repeat("g", 60)
	srv.AddGroupMessages(long, 1)
	args := []string{"--base-url", srv.URL, "group", "--group", long, "--seq", "1,2"}

	file := runCLI(t, fakeVars(srv), "", args...)
	lines := strings.Split(strings.TrimSpace(file.stdout), "\n")
	require.Len(t, lines, 4, file.stdout)
	col := strings.Index(lines[0], "OUTCOME")
	assert.Equal(t, col, strings.Index(lines[1], "recalled"), "aligned: %q", lines[1])
	assert.Equal(t, col, strings.Index(lines[2], "failed"), "aligned: %q", lines[2])
	assert.Contains(t, lines[2], long, "to a file nothing is cut")
	assert.Contains(t, lines[2], "failed    gone: code 10030")

	srv.Reset()
	srv.AddGroupMessages(long, 3)
	term := runTerm(t, fakeVars(srv), "", 80, true, "--base-url", srv.URL, "group", "--group", long, "--seq", "3,4")
	for _, l := range strings.Split(strings.TrimSpace(term.stdout), "\n") {
		plain := strings.NewReplacer("\033[32m", "", "\033[31m", "", "\033[0m", "").Replace(l)
		assert.LessOrEqual(t, len([]rune(plain)), 80, "%q", plain)
	}
	assert.Contains(t, term.stdout, "…")
	assert.Contains(t, term.stdout, "\033[32mrecalled\033[0m")
	assert.Contains(t, term.stdout, "\033[31mfailed\033[0m")
}

// TestBroadcastsAreConfirmed: a command that changes what every user of a
// push sees asks on a terminal, and without one is refused unless --yes.
func TestBroadcastsAreConfirmed(t *testing.T) {
	for _, args := range [][]string{
		{"tpns", "stop", "--push", "1001"},
		{"tpns", "revoke", "--push", "1002"},
		{"tpns", "cancel", "--push", "1003"},
		{"tpns", "override", "--push", "1004", "--desc", "Sorry", "--force-collapse"},
		{"push-revoke", "--task", "demo-task", "--title", "Sorry", "--desc", "Ignore it"},
	} {
		name := strings.Join(args[:2], " ")
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, nil, "", append([]string{"--demo"}, args...)...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, "confirm on a terminal, or give --yes (nothing was sent)")
			assert.Empty(t, r.stdout)

			r = runTerm(t, nil, "n\n", 0, false, append([]string{"--demo"}, args...)...)
			assert.Equal(t, exitFailed, r.code)
			assert.Contains(t, r.stderr, ". Go on? [y/N]")
			assert.Contains(t, r.stderr, "not confirmed: nothing was sent")

			r = runTerm(t, nil, "y\n", 0, false, append([]string{"--demo"}, args...)...)
			assert.Equal(t, exitOK, r.code, r.stderr)

			r = runCLI(t, nil, "", append([]string{"--demo", "--dry-run"}, args...)...)
			assert.Equal(t, exitOK, r.code, "a dry run sends nothing and asks nothing: %s", r.stderr)
		})
	}
}

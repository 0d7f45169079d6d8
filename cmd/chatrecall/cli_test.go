package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type result struct {
	stdout, stderr string
	code           int
}

func runCLI(t *testing.T, ctx context.Context, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
	})
	return result{out.String(), errOut.String(), code}
}

// volatile parts of dry-run output: ports, randoms, timestamps.
var volatile = regexp.MustCompile(`127\.0\.0\.1:\d+|random=\d+|Timestamp: \d+`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = volatile.ReplaceAllStringFunc(got, func(s string) string {
		switch {
		case strings.HasPrefix(s, "127"):
			return "127.0.0.1:PORT"
		case strings.HasPrefix(s, "random"):
			return "random=RANDOM"
		}
		return "Timestamp: TIME"
	})
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/chatrecall -update to create it")
	assert.Equal(t, string(want), got)
}

const demoLine = "chatrecall: --demo: using an in-process fake service; nothing leaves this machine\n"

func TestSubcommandsAgainstTheDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"group", []string{"group", "--group", "@TGS#demo", "--seq", "1,2,5000"}, exitFailed},
		{"group-range-topic-reason", []string{"group", "--group", "@TGS#demo", "--seq", "10-12", "--reason", "spam"}, exitOK},
		{"group-forbidden", []string{"group", "--group", "@TGS#live", "--seq", "1"}, exitFailed},
		{"official", []string{"official", "--account", "@TOA#_demo", "--keys", "k1,k2,zz"}, exitFailed},
		{"c2c", []string{"c2c", "--from", "alice", "--to", "bob", "--key", "1_1_1"}, exitOK},
		{"push-revoke-bare", []string{"push-revoke", "--task", "demo-task-bare"}, exitFailed},
		{"push-revoke-overwrite", []string{"push-revoke", "--task", "demo-task-bare", "--title", "Sorry", "--desc", "Sent by mistake", "--ext", `{"k":"v"}`}, exitOK},
		{"tpns-stop", []string{"tpns", "stop", "--push", "1001"}, exitOK},
		{"tpns-revoke", []string{"tpns", "revoke", "--push", "1002"}, exitOK},
		{"tpns-cancel", []string{"tpns", "cancel", "--push", "1003"}, exitOK},
		{"tpns-record", []string{"tpns", "record", "--push", "1004"}, exitOK},
		{"tpns-override", []string{"tpns", "override", "--push", "1004", "--title", "5% off", "--content", "Sorry", "--force-collapse"}, exitOK},
		{"tpns-override-unsupported", []string{"tpns", "override", "--push", "1005", "--title", "x", "--content", "y"}, exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, context.Background(), nil, "", append([]string{"--demo"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Equal(t, demoLine, r.stderr)
			golden(t, tt.name+".table", r.stdout)

			j := runCLI(t, context.Background(), nil, "", append([]string{"--demo", "--json"}, tt.args...)...)
			assert.Equal(t, tt.code, j.code)
			golden(t, tt.name+".jsonl", j.stdout)
			for _, line := range strings.Split(strings.TrimSpace(j.stdout), "\n") {
				assert.True(t, json.Valid([]byte(line)), line)
			}
		})
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 1, 2, 3)
	vars := map[string]string{
		chatrecall.EnvSDKAppID: strconv.Itoa(chatrecalltest.DefaultSDKAppID), chatrecall.EnvSecretKey: chatrecalltest.DefaultSecretKey,
		chatrecall.EnvRegion: "singapore", chatrecall.EnvTPNSAccessID: chatrecalltest.DefaultTPNSAccessID,
		chatrecall.EnvTPNSSecretKey: chatrecalltest.DefaultTPNSSecretKey, chatrecall.EnvTPNSRegion: "guangzhou",
	}
	r := runCLI(t, context.Background(), vars, "", "--dry-run", "--base-url", srv.URL, "group", "--group", "g", "--seq", "1-12", "--reason", "spam")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "dry-run-group", r.stdout)
	assert.NotContains(t, r.stdout, chatrecalltest.DefaultSecretKey)

	r = runCLI(t, context.Background(), vars, "", "--dry-run", "--tpns-base-url", srv.URL, "tpns", "stop", "--push", "42")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "dry-run-tpns-stop", r.stdout)

	r = runCLI(t, context.Background(), vars, "", "--dry-run", "--json", "--base-url", srv.URL, "c2c", "--from", "a", "--to", "b", "--key", "k")
	assert.Equal(t, exitOK, r.code)
	golden(t, "dry-run-c2c.jsonl", r.stdout)

	assert.Empty(t, srv.Requests(), "a dry run sends nothing")
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("g", 1))

	// Invalid input is refused in a dry run too.
	r = runCLI(t, context.Background(), vars, "", "--dry-run", "--base-url", srv.URL, "group", "--group", "g", "--seq", "1,1")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "chatrecall: RecallGroupMessages: MsgSeqs[1]: duplicate of MsgSeqs[0] (1)\n", r.stderr)
}

func TestCredentialsFromEnvironment(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 7)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(chatrecalltest.DefaultSecretKey+"\n"), 0o600))
	vars := map[string]string{chatrecall.EnvSDKAppID: strconv.Itoa(chatrecalltest.DefaultSDKAppID), chatrecall.EnvRegion: "ap-singapore"}
	r := runCLI(t, context.Background(), vars, "", "--base-url", srv.URL, "--secret-key-file", keyFile, "group", "--group", "g", "--seq", "7")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("g", 7))
	assert.NotContains(t, r.stdout+r.stderr, chatrecalltest.DefaultSecretKey, "secrets are never echoed")

	// A wrong key: the service refuses, and the key is still not echoed.
	vars[chatrecall.EnvSecretKey] = "wrong-secret-value"
	r = runCLI(t, context.Background(), vars, "", "--base-url", srv.URL, "c2c", "--from", "a", "--to", "b", "--key", "k")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "authentication failed")
	assert.NotContains(t, r.stdout+r.stderr, "wrong-secret-value")
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no subcommand", nil, nil, "chatrecall: no subcommand; use group, official, c2c, push-revoke or tpns (chatrecall -h for help)"},
		{"unknown subcommand", nil, []string{"delete"}, `chatrecall: unknown subcommand "delete"; use group, official, c2c, push-revoke or tpns (chatrecall -h for help)`},
		{"bad flag", nil, []string{"--demo", "group", "--bogus"}, "chatrecall: group: flag provided but not defined: -bogus (chatrecall -h for help)"},
		{"extra argument", nil, []string{"--demo", "c2c", "--from", "a", "--to", "b", "--key", "k", "extra"}, `chatrecall: c2c: unexpected argument "extra"`},
		{"no group", nil, []string{"--demo", "group", "--seq", "1"}, "chatrecall: group: --group is required"},
		{"no seqs", nil, []string{"--demo", "group", "--group", "g"}, "chatrecall: group: --seq or --seqs-from is required"},
		{"both seq sources", nil, []string{"--demo", "group", "--group", "g", "--seq", "1", "--seqs-from", "x"}, "chatrecall: group: give --seq or --seqs-from, not both"},
		{"bad seq", nil, []string{"--demo", "group", "--group", "g", "--seq", "1,x"}, `chatrecall: group: "x" is not a sequence number`},
		{"tpns without op", nil, []string{"tpns"}, "chatrecall: tpns: no operation; use stop, revoke, cancel, record or override"},
		{"missing chat credentials", nil, []string{"group", "--group", "g", "--seq", "1"},
			"chatrecall: missing credentials: set CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION (or the matching flags; --demo needs none)"},
		{"partial chat credentials", map[string]string{chatrecall.EnvSDKAppID: "1400000000", chatrecall.EnvSecretKey: "s3cr3t"}, []string{"c2c", "--from", "a", "--to", "b", "--key", "k"},
			"chatrecall: set CHATRECALL_REGION (Chat needs CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION)"},
		{"missing tpns credentials", map[string]string{chatrecall.EnvSDKAppID: "1400000000"}, []string{"tpns", "stop", "--push", "1"},
			"chatrecall: missing TPNS credentials: set CHATRECALL_TPNS_ACCESS_ID, CHATRECALL_TPNS_SECRET_KEY, CHATRECALL_TPNS_REGION (or the matching flags; --demo needs none)"},
		{"bad region", map[string]string{chatrecall.EnvSDKAppID: "1", chatrecall.EnvSecretKey: "s3cr3t", chatrecall.EnvRegion: "mars"}, []string{"c2c", "--from", "a", "--to", "b", "--key", "k"},
			"chatrecall: CHATRECALL_REGION: unknown region \"mars\"; use one of china, frankfurt, jakarta, mumbai, riyadh, seoul, silicon-valley, singapore, tokyo"},
		{"invalid input", nil, []string{"--demo", "c2c", "--from", "a", "--to", "b"}, "chatrecall: RecallC2CMessage: MsgKey: is required (the message key, such as 31906_833502_1572869830), got an empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, context.Background(), tt.vars, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			stderr := strings.TrimPrefix(r.stderr, demoLine)
			assert.Equal(t, tt.want+"\n", stderr, "exactly one line")
			assert.NotContains(t, r.stderr, "s3cr3t")
		})
	}
	h := runCLI(t, context.Background(), nil, "", "-h")
	assert.Equal(t, exitOK, h.code)
	assert.Contains(t, h.stdout, "Usage:")
}

func TestBulkFromFileEverySeqOnce(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintln(&b, i)
	}
	file := filepath.Join(dir, "seqs.txt")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))

	for _, source := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"--seqs-from", file}, ""},
		{[]string{"--seqs-from", "-"}, b.String()},
	} {
		args := append([]string{"--demo", "--json", "group", "--group", "@TGS#demo"}, source.args...)
		r := runCLI(t, context.Background(), nil, source.stdin, args...)
		assert.Equal(t, exitOK, r.code, r.stderr)
		seen := map[string]int{}
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		for sc.Scan() {
			var rw row
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rw))
			assert.Equal(t, "recalled", rw.Outcome)
			seen[rw.Item]++
		}
		assert.Len(t, seen, 1000)
		for i := 1; i <= 1000; i++ {
			assert.Equal(t, 1, seen[strconv.Itoa(i)], "seq %d", i)
		}
	}
}

func TestInterruptReportsWhatWasNotDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C before anything was sent
	r := runCLI(t, ctx, nil, "", "--demo", "--json", "group", "--group", "@TGS#demo", "--seq", "1-450")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "chatrecall: interrupted: 0 done, 0 failed, 0 unknown, 450 not sent")
	assert.Equal(t, 450, strings.Count(r.stdout, `"outcome":"not_sent"`))
}

func TestExitCodes(t *testing.T) {
	rep := &reporter{}
	assert.Equal(t, exitOK, rep.exitCode())
	rep.add(row{Outcome: "recalled"}, nil)
	assert.Equal(t, exitOK, rep.exitCode())
	rep.add(row{}, &chatrecall.APIError{Endpoint: chatrecall.EndpointGroupRecall, Code: 10030})
	assert.Equal(t, exitFailed, rep.exitCode())
	rep.add(row{}, fmt.Errorf("x: %w", chatrecall.ErrOutcomeUnknown))
	assert.Equal(t, exitUnknown, rep.exitCode(), "an unknown outcome wins")
	assert.Equal(t, "unknown", rep.rows[2].Outcome)
}

// TestTerminalSession runs the binary under tmux: stderr is a terminal, so
// the progress bar is drawn, and the table on stdout stays intact.
func TestTerminalSession(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not found; install it (Debian: apt-get install tmux); .ci/run does")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "chatrecall")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	var b strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintln(&b, i)
	}
	seqs := filepath.Join(dir, "seqs.txt")
	require.NoError(t, os.WriteFile(seqs, []byte(b.String()), 0o644))

	session := fmt.Sprintf("chatrecall-test-%d", os.Getpid())
	script := fmt.Sprintf("%s --demo group --group @TGS#demo --seqs-from %s; echo EXIT=$?; sleep 60", bin, seqs)
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", session}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", "sh", "-c", script)
	defer exec.Command("tmux", "-L", session, "kill-server").Run()
	tmux("set-option", "-t", session, "history-limit", "5000")

	var screen string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		screen = tmux("capture-pane", "-p", "-t", session, "-S", "-5000")
		if strings.Contains(screen, "EXIT=") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Contains(t, screen, "EXIT=0", screen)
	assert.Contains(t, screen, "[##############################] 1000/1000  ok 1000  failed 0", "the bar, finished, on stderr")
	assert.Regexp(t, `(?m)^ENDPOINT +TARGET +ITEM +OUTCOME +CATEGORY +DETAIL$`, screen)
	assert.Regexp(t, `(?m)^group_msg_recall +@TGS#demo +1000 +recalled +- +-$`, screen)
	assert.Contains(t, screen, "1000 done, 0 failed, 0 unknown, 0 not sent")
}

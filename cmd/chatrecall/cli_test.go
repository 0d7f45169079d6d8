package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
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
	"github.com/chatrecall/chatrecall/sweep"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) {
	flag.Parse()
	built := make(chan struct{})
	if run := flag.Lookup("test.run"); !testing.Short() && (run == nil || run.Value.String() == "") {
		// The whole package runs: the binary its process tests start is
		// built beside the in-process tests instead of before the first of
		// them.
		go func() {
			defer close(built)
			binOnce.Do(buildBinary)
		}()
	} else {
		close(built)
	}
	code := m.Run()
	<-built
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs the command in-process.
func runCLI(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		exit:   func(int) { t.Fatal("exit called") },
	})
	return result{out.String(), errOut.String(), code}
}

// volatile parts of output: ports, randoms, timestamps.
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

// demoLine is what --demo says in-process, where the test's environment
// has no cache directory (so each run's demo starts fresh).
const demoLine = "chatrecall: --demo: using an in-process fake service; nothing leaves this machine\n" +
	"chatrecall: --demo: no cache directory: this run's demo starts fresh and is not kept (--demo-state FILE keeps it)\n"

func TestSubcommandsAgainstTheDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"group", []string{"group", "--group", "@TGS#demo", "--seq", "1,2,5000"}, exitFailed},
		{"group-range-topic-reason", []string{"group", "--group", "@TGS#demo", "--seq", "10-12", "--reason", "spam"}, exitOK},
		{"group-forbidden", []string{"group", "--group", "@TGS#live", "--seq", "1"}, exitFailed},
		{"official", []string{"official", "--official", "@TOA#_demo", "--key", "k1,k2,zz"}, exitFailed},
		{"c2c", []string{"c2c", "--from", "alice", "--to", "bob", "--key", "1_1_1"}, exitOK},
		{"push-revoke-bare", []string{"--yes", "push-revoke", "--task", "demo-task-bare"}, exitFailed},
		{"push-revoke-overwrite", []string{"--yes", "push-revoke", "--task", "demo-task-bare", "--title", "Sorry", "--desc", "Sent by mistake", "--ext", `{"k":"v"}`}, exitOK},
		{"tpns-stop", []string{"--yes", "tpns", "stop", "--push", "1001"}, exitOK},
		{"tpns-revoke", []string{"--yes", "tpns", "revoke", "--push", "1002"}, exitOK},
		{"tpns-cancel", []string{"--yes", "tpns", "cancel", "--push", "1003"}, exitOK},
		{"tpns-record", []string{"tpns", "record", "--push", "1004"}, exitOK},
		{"tpns-override", []string{"--yes", "tpns", "override", "--push", "1004", "--title", "5% off", "--desc", "Sorry", "--force-collapse"}, exitOK},
		{"tpns-override-unsupported", []string{"--yes", "tpns", "override", "--push", "1005", "--title", "x", "--desc", "y"}, exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, "", append([]string{"--demo"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Equal(t, demoLine, r.stderr)
			golden(t, tt.name+".table", r.stdout)

			j := runCLI(t, nil, "", append([]string{"--demo", "--json"}, tt.args...)...)
			assert.Equal(t, tt.code, j.code)
			golden(t, tt.name+".jsonl", j.stdout)
			for _, line := range strings.Split(strings.TrimSpace(j.stdout), "\n") {
				assert.True(t, json.Valid([]byte(line)), line)
			}
			assert.Regexp(t, `chatrecall: \d+ done, \d+ failed, \d+ unknown, \d+ not sent\n$`, j.stderr, "the summary goes to stderr with --json")
		})
	}
}

// TestHelp: every command has its own help with its flags, examples and
// the exit codes; --version; shell completion.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{}, {"group"}, {"official"}, {"c2c"}, {"push-revoke"}, {"tpns"}, {"tpns", "stop"},
		{"tpns", "revoke"}, {"tpns", "cancel"}, {"tpns", "record"}, {"tpns", "override"}} {
		name := "help-" + strings.Join(append([]string{"root"}, args...), "-")
		r := runCLI(t, nil, "", append(args, "--help")...)
		assert.Equal(t, exitOK, r.code)
		assert.Contains(t, r.stdout, "Exit codes:")
		golden(t, name, r.stdout)
		h := runCLI(t, nil, "", append([]string{"help"}, args...)...)
		assert.Equal(t, r.stdout, h.stdout, "help CMD is CMD --help")
	}
	v := runCLI(t, nil, "", "--version")
	assert.Equal(t, "chatrecall version "+chatrecall.Version+"\n", v.stdout)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		c := runCLI(t, nil, "", "completion", shell)
		assert.Equal(t, exitOK, c.code, shell)
		assert.Contains(t, c.stdout, "chatrecall", shell)
	}
}

func fakeVars(srv *chatrecalltest.Server) map[string]string {
	return map[string]string{
		chatrecall.EnvSDKAppID: strconv.Itoa(chatrecalltest.DefaultSDKAppID), chatrecall.EnvSecretKey: chatrecalltest.DefaultSecretKey,
		chatrecall.EnvRegion: "singapore", chatrecall.EnvTPNSAccessID: chatrecalltest.DefaultTPNSAccessID,
		chatrecall.EnvTPNSSecretKey: chatrecalltest.DefaultTPNSSecretKey, chatrecall.EnvTPNSRegion: "guangzhou",
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 1, 2, 3)
	vars := fakeVars(srv)
	r := runCLI(t, vars, "", "--dry-run", "--base-url", srv.URL, "group", "--group", "g", "--seq", "1-12", "--reason", "spam")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "dry-run-group", r.stdout)
	assert.NotContains(t, r.stdout, chatrecalltest.DefaultSecretKey)

	r = runCLI(t, vars, "", "--dry-run", "--tpns-base-url", srv.URL, "tpns", "stop", "--push", "42")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "dry-run-tpns-stop", r.stdout)

	r = runCLI(t, vars, "", "--dry-run", "--json", "--base-url", srv.URL, "c2c", "--from", "a", "--to", "b", "--key", "k")
	assert.Equal(t, exitOK, r.code)
	golden(t, "dry-run-c2c.jsonl", r.stdout)

	// Operations that reach many people say whom.
	r = runCLI(t, vars, "", "--dry-run", "--base-url", srv.URL, "push-revoke", "--task", "t1")
	assert.Contains(t, r.stdout, "note: this revokes push task t1 for every account and device it reached; no --title/--desc")
	r = runCLI(t, vars, "", "--dry-run", "--tpns-base-url", srv.URL, "tpns", "override", "--push", "9", "--content", "x", "--audience", "all")
	assert.Contains(t, r.stdout, "note: the override goes to EVERY user of the app (audience all)")
	r = runCLI(t, vars, "", "--dry-run", "--tpns-base-url", srv.URL, "tpns", "override", "--push", "9", "--content", "x")
	assert.Contains(t, r.stdout, "note: the override reaches the audience of push 9, read from its record when run")

	assert.Empty(t, srv.Requests(), "a dry run sends nothing")
	assert.Equal(t, chatrecalltest.MessagePresent, srv.GroupMessage("g", 1))
}

// TestEverythingIsCheckedBeforeAnythingIsSent: the two transcripts of the
// issue, and a file with a bad line past the first batch.
func TestEverythingIsCheckedBeforeAnythingIsSent(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, 400)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#big", seqs...)
	dir := t.TempDir()
	file := filepath.Join(dir, "seqs.txt")
	var b strings.Builder
	for i := 1; i <= 350; i++ {
		if i == 301 {
			b.WriteString("30x\n")
			continue
		}
		fmt.Fprintln(&b, i)
	}
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))
	keys := filepath.Join(dir, "keys.txt")
	require.NoError(t, os.WriteFile(keys, []byte("k1\nk2 k3\nk2\n"), 0o644))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"group", "--group", "@TGS#big", "--seq", "1-300,0"}, "chatrecall: group: --seq item 2 (0): sequence numbers start at 1, got 0; nothing was sent"},
		{[]string{"group", "--group", "@TGS#big", "--seq", "1-250,5"}, "chatrecall: group: --seq item 2 (5): 5 repeats --seq item 1 (1-250): give each message once; nothing was sent"},
		{[]string{"group", "--group", "@TGS#big", "--seq", "1,4294967296"}, "chatrecall: group: --seq item 2 (4294967296): 4294967296 is over 4294967295, the largest sequence number; nothing was sent"},
		{[]string{"group", "--group", "@TGS#big", "--items-file", file}, "chatrecall: group: " + file + " line 301 (30x): \"30x\" is not a sequence number; nothing was sent"},
		{[]string{"group", "--group", "@TGS#big\n", "--seq", "1"}, "chatrecall: RecallGroupMessages: GroupID: contains the control character U+000A at byte 8; IDs, keys and texts may not (fix: --group)"},
		{[]string{"official", "--official", "@TOA#_a", "--items-file", keys}, "chatrecall: official: " + keys + " line 3: \"k2\" repeats " + keys + " line 2: give each message once; nothing was sent"},
	}
	for _, tt := range tests {
		r := runCLI(t, fakeVars(srv), "", append([]string{"--base-url", srv.URL}, tt.args...)...)
		assert.Equal(t, exitUsage, r.code, tt.args)
		assert.Equal(t, tt.want+"\n", r.stderr)
		assert.Empty(t, r.stdout)
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func TestCredentialsFromEnvironment(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("g", 7)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(chatrecalltest.DefaultSecretKey+"\n"), 0o600))
	vars := map[string]string{chatrecall.EnvSDKAppID: strconv.Itoa(chatrecalltest.DefaultSDKAppID), chatrecall.EnvRegion: "ap-singapore"}
	r := runCLI(t, vars, "", "--base-url", srv.URL, "--secret-key-file", keyFile, "group", "--group", "g", "--seq", "7")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("g", 7))
	assert.NotContains(t, r.stdout+r.stderr, chatrecalltest.DefaultSecretKey, "secrets are never echoed")

	// A wrong key: the service refuses, and the key is still not echoed.
	vars[chatrecall.EnvSecretKey] = "wrong-secret-value"
	r = runCLI(t, vars, "", "--base-url", srv.URL, "c2c", "--from", "a", "--to", "b", "--key", "k")
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
		{"unknown subcommand", nil, []string{"delete"}, `chatrecall: unknown command "delete" for "chatrecall" (chatrecall --help for help)`},
		{"bad flag", nil, []string{"--demo", "group", "--bogus"}, "chatrecall: unknown flag: --bogus (chatrecall --help for help)"},
		{"extra argument", nil, []string{"--demo", "c2c", "--from", "a", "--to", "b", "--key", "k", "extra"}, `chatrecall: unknown command "extra" for "chatrecall c2c" (chatrecall --help for help)`},
		{"no group", nil, []string{"--demo", "group", "--seq", "1"}, "chatrecall: group: --group is required"},
		{"no seqs", nil, []string{"--demo", "group", "--group", "g"}, "chatrecall: group: --seq or --items-file is required"},
		{"both sources", nil, []string{"--demo", "group", "--group", "g", "--seq", "1", "--items-file", "x"}, "chatrecall: group: give --seq or --items-file, not both"},
		{"resume with items", nil, []string{"group", "--resume", "j", "--seq", "1"}, "chatrecall: group: --resume takes the target, the items and the reason from the journal; give it alone"},
		{"journal in a dry run", nil, []string{"--dry-run", "group", "--group", "g", "--seq", "1", "--journal", "j"}, "chatrecall: group: --dry-run sends nothing, so there is nothing to journal"},
		{"tpns without op", nil, []string{"tpns"}, "chatrecall: tpns: give an operation: stop, revoke, cancel, record or override"},
		{"missing chat credentials", nil, []string{"group", "--group", "g", "--seq", "1"},
			"chatrecall: missing credentials: set CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION (or the matching flags; --demo needs none)"},
		{"partial chat credentials", map[string]string{chatrecall.EnvSDKAppID: "1400000000", chatrecall.EnvSecretKey: "s3cr3t"}, []string{"c2c", "--from", "a", "--to", "b", "--key", "k"},
			"chatrecall: set CHATRECALL_REGION (Chat needs CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY, CHATRECALL_REGION)"},
		{"missing tpns credentials", map[string]string{chatrecall.EnvSDKAppID: "1400000000"}, []string{"tpns", "stop", "--push", "1"},
			"chatrecall: missing TPNS credentials: set CHATRECALL_TPNS_ACCESS_ID, CHATRECALL_TPNS_SECRET_KEY, CHATRECALL_TPNS_REGION (or the matching flags; --demo needs none)"},
		{"bad region", map[string]string{chatrecall.EnvSDKAppID: "1", chatrecall.EnvSecretKey: "s3cr3t", chatrecall.EnvRegion: "mars"}, []string{"c2c", "--from", "a", "--to", "b", "--key", "k"},
			"chatrecall: CHATRECALL_REGION: unknown region \"mars\"; use one of china, frankfurt, jakarta, mumbai, riyadh, seoul, silicon-valley, singapore, tokyo"},
		{"invalid input", nil, []string{"--demo", "c2c", "--from", "a", "--to", "b"}, "chatrecall: RecallC2CMessage: MsgKey: is required (the message key, such as 31906_833502_1572869830), got an empty string (fix: --key)"},
		// The safe override: a tag push is never corrected for every user.
		{"override of a tag push to all", nil, []string{"--demo", "--yes", "tpns", "override", "--push", "1006", "--desc", "fixed", "--audience", "all"},
			`chatrecall: OverrideTPNSPush: Push.AudienceType: is "all" but push 1006 went to audience "tag"; an override must target the original's audience (fix: --audience)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.vars, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			stderr := strings.TrimPrefix(r.stderr, demoLine)
			assert.Equal(t, tt.want+"\n", stderr, "exactly one line")
			assert.NotContains(t, r.stderr, "s3cr3t")
		})
	}
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
		{[]string{"--items-file", file}, ""},
		{[]string{"--items-file", "-"}, b.String()},
	} {
		args := append([]string{"--demo", "--json", "group", "--group", "@TGS#demo"}, source.args...)
		r := runCLI(t, nil, source.stdin, args...)
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

func TestExitCodes(t *testing.T) {
	var c counts
	assert.Equal(t, exitOK, c.exitCode())
	c.add("recalled")
	c.add("done")
	assert.Equal(t, exitOK, c.exitCode())
	c.add("not_sent")
	assert.Equal(t, exitFailed, c.exitCode())
	c.add("failed")
	assert.Equal(t, exitFailed, c.exitCode())
	c.add("unknown")
	assert.Equal(t, exitUnknown, c.exitCode(), "an unknown outcome wins")
	assert.Equal(t, "2 done, 1 failed, 1 unknown, 1 not sent", c.String())
}

// TestResumeOfficial: a journal recording k1 recalled, and k2 and k3 sent
// with no outcome (k2 was applied before the crash, k3 was not). The resume
// sends k2 and k3 only; k2's "gone" confirms it.
func TestResumeOfficial(t *testing.T) {
	for _, tc := range []struct {
		name, rowLine, earlier string
		rows                   int
	}{
		// k1's row was shown and the run's count says it was printed: not again.
		{"printed", `{"row":{"endpoint":"official_account_msg_recall","target":"@TOA#_a","item":"k1","outcome":"recalled"},"shown":true}` + "\n" + `{"printed":1}`,
			" (1 settled by the earlier run)", 2},
		// No count says it was printed (killed between the row and the
		// print, or a journal from before the count): printed now, marked.
		{"not printed", `{"row":{"endpoint":"official_account_msg_recall","target":"@TOA#_a","item":"k1","outcome":"recalled"}}`, "", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
			defer srv.Close()
			srv.AddOfficialMessages("@TOA#_a", "k1", "k2", "k3")
			c, err := chatrecall.NewClient(srv.Config())
			require.NoError(t, err)
			_, err = c.RecallOfficialAccountMessages(t.Context(), chatrecall.OfficialAccountRecall{Account: "@TOA#_a", MsgKeys: []string{"k1", "k2"}})
			require.NoError(t, err)
			srv.Reset()
			path := filepath.Join(t.TempDir(), "j")
			journalText := `{"journal":"chatrecall/1","command":"official","target":"@TOA#_a","reason":"spam","items":3}
{"plan":["k1","k2","k3"]}
{"sent":["k1","k2","k3"]}
` + tc.rowLine + "\n"
			require.NoError(t, os.WriteFile(path, []byte(journalText), 0o600))
			r := runCLI(t, fakeVars(srv), "", "--json", "--base-url", srv.URL, "official", "--resume", path)
			assert.Equal(t, exitOK, r.code, r.stderr)
			var rows []row
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				var rw row
				require.NoError(t, json.Unmarshal([]byte(line), &rw))
				rows = append(rows, rw)
			}
			require.Len(t, rows, tc.rows)
			if tc.rows == 3 {
				assert.Equal(t, row{Endpoint: chatrecall.EndpointOfficialRecall, Target: "@TOA#_a", Item: "k1", Outcome: "recalled", Detail: "from the earlier run"}, rows[0])
				rows = rows[1:]
			}
			assert.Equal(t, row{Endpoint: chatrecall.EndpointOfficialRecall, Target: "@TOA#_a", Item: "k2", Outcome: "recalled", Confirmed: true}, rows[0])
			assert.Equal(t, "k3", rows[1].Item)
			assert.Contains(t, r.stderr, "3 done, 0 failed, 0 unknown, 0 not sent"+tc.earlier+"\n")
			reqs := srv.RequestsTo(chatrecall.EndpointOfficialRecall)
			require.Len(t, reqs, 1)
			assert.JSONEq(t, `{"Official_Account":"@TOA#_a","MsgKeyList":["k2","k3"],"Reason":"spam"}`, string(reqs[0].Body))
			assert.Equal(t, "recalled", journalOutcomes(t, path)["k3"])
		})
	}
}

// TestWrongKeyStopsTheRun: a failure every request would repeat (here a
// wrong key) stops a bulk run after the request that met it, across the
// SDK calls of a long run too: the rest is reported not sent, with the
// cause, and never sent.
func TestWrongKeyStopsTheRun(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	now := time.Now()
	sent := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 30, From: now.Add(-time.Hour), To: now})
	plan := filepath.Join(t.TempDir(), "c2c.plan")
	var b strings.Builder
	for _, m := range sent {
		line, err := json.Marshal(sweep.Item{Conversation: chatrecall.Conversation{Account: "alice", Peer: "mallory"}, Sender: m.Sender, To: m.To, MsgKey: m.Key, Time: m.Time.Unix()})
		require.NoError(t, err)
		b.Write(append(line, '\n'))
	}
	require.NoError(t, os.WriteFile(plan, []byte(b.String()), 0o600))
	vars := map[string]string{chatrecall.EnvSDKAppID: strconv.Itoa(chatrecalltest.DefaultSDKAppID), chatrecall.EnvSecretKey: "wrong-secret-value", chatrecall.EnvRegion: "singapore"}

	for _, tc := range []struct {
		name     string
		args     []string
		items    int
		requests int // at most: the first request of each concurrent worker
	}{
		{"group", []string{"group", "--group", "g", "--seq", "1-10000"}, 10000, chatrecall.DefaultConcurrency},
		{"c2c sweep", []string{"sweep", "c2c", "--plan", plan, "--no-verify"}, 30, chatrecall.DefaultConcurrency},
	} {
		before := len(srv.Requests())
		r := runCLI(t, vars, "", append([]string{"--base-url", srv.URL, "--json"}, tc.args...)...)
		assert.Equal(t, exitFailed, r.code, tc.name)
		sentNow := len(srv.Requests()) - before
		assert.Positive(t, sentNow, tc.name)
		assert.LessOrEqual(t, sentNow, tc.requests, tc.name)
		var c counts
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var rw row
			require.NoError(t, json.Unmarshal([]byte(l), &rw), l)
			c.add(rw.Outcome)
			if rw.Outcome == "not_sent" {
				assert.Contains(t, rw.Error, "signed with another key", tc.name)
			}
		}
		assert.Equal(t, tc.items, c.failed+c.notSent, "%s: every item is reported once: %s", tc.name, c)
		assert.Positive(t, c.notSent, tc.name)
		assert.NotContains(t, r.stdout+r.stderr, "wrong-secret-value")
	}
}

// TestOldFlagNames: a renamed flag still works, and says its new name on
// stderr (stdout stays the output).
func TestOldFlagNames(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"official", "--account", "@TOA#_demo", "--key", "k1"}, "--account is now --official"},
		{[]string{"--yes", "tpns", "override", "--push", "1004", "--content", "Sorry", "--force-collapse"}, "--content is now --desc"},
	} {
		r := runCLI(t, nil, "", append([]string{"--demo"}, tc.args...)...)
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, tc.want)
		assert.NotContains(t, r.stdout, "is now")
	}
}

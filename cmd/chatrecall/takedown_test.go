package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/takedown"
)

// rowKey names a printed row's message: its conversation and ID.
func rowKey(rw row) string { return rw.Target + "#" + rw.Item }

// sentKey names a message as the fake's request for it and the row name it.
func sentKey(s chatrecalltest.Sent) string {
	if s.Group != "" {
		return fmt.Sprintf("%s#%d", s.Group, s.Seq)
	}
	return s.Sender + "->" + s.To + "#" + s.Key
}

// readRows decodes every JSON Lines row of r.
func readRows(r io.Reader, max int) []row { return scanRows(bufio.NewScanner(r), max) }

// scanRows decodes up to max rows (all, if max < 0). To read on later,
// call it again with the same scanner: a new one would miss the lines
// this one read ahead.
func scanRows(sc *bufio.Scanner, max int) []row {
	var out []row
	for (max < 0 || len(out) < max) && sc.Scan() {
		var rw row
		if json.Unmarshal(sc.Bytes(), &rw) == nil && rw.Item != "" {
			out = append(out, rw)
		}
	}
	return out
}

// TestTakedownCrashAndResume: a takedown of 10 groups and 60 one-to-one
// peers with a journal, killed with SIGKILL after a seeded number of
// printed outcomes (or before any), then finished with --resume. Every
// message of the account ends recalled and nobody else's is touched; the
// resumed run sends nothing the journal had a definite outcome for; the
// killed run's output and the resumed run's output together hold every
// message's outcome (none lost), and the resumed run's report holds each
// exactly once.
func TestTakedownCrashAndResume(t *testing.T) {
	binary(t)
	rng := rand.New(rand.NewPCG(2026, 1202))
	var resent, reprinted int
	for trial := 0; trial < 10; trial++ {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		now := time.Now()
		tr := srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 10, GroupMessages: 60, Own: 6,
			Peers: 60, PeerMessages: 2, PeerReplies: 1, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute), Seed: uint64(trial)})
		own := map[string]bool{}
		for _, s := range tr.Sent {
			if s.Sender == "mallory" {
				own[sentKey(s)] = true
			}
		}
		dir := t.TempDir()
		jpath, report := filepath.Join(dir, "td.journal"), filepath.Join(dir, "td.report")

		killAfter := rng.IntN(len(own) + 20) // printed outcomes before the kill (some runs end first)
		first := command(t, srv, "--json", "takedown", "--account", "mallory", "--since", "3h", "--journal", jpath, "--conversations", "4")
		stdout, err := first.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, first.Start())
		sc := bufio.NewScanner(stdout)
		printed := scanRows(sc, killAfter)
		_ = first.Process.Signal(syscall.SIGKILL)
		printed = append(printed, scanRows(sc, -1)...) // what was on its way when it died
		_ = first.Wait()
		atKill := len(srv.Requests())

		st, err := readTakedown("--resume", jpath)
		if err != nil {
			assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall), "trial %d: nothing is recalled before the journal has its header", trial)
			assert.Empty(t, srv.RequestsTo(chatrecall.EndpointC2CRecall), "trial %d", trial)
			srv.Close()
			continue
		}
		resume := command(t, srv, "--json", "takedown", "--resume", jpath, "--report", report)
		var errb strings.Builder
		resume.Stderr = &errb
		out, err := resume.Output()
		require.Equal(t, exitOK, resume.ProcessState.ExitCode(), "trial %d: %v", trial, err)
		again := readRows(strings.NewReader(string(out)), -1)
		for _, rw := range again {
			if strings.HasPrefix(rw.Detail, "from the earlier run") {
				reprinted++
			}
		}

		for _, s := range tr.Sent {
			want := chatrecalltest.MessagePresent
			if s.Sender == "mallory" {
				want = chatrecalltest.MessageRecalled
			}
			require.Equal(t, want, func() chatrecalltest.MessageState {
				if s.Group != "" {
					return srv.GroupMessage(s.Group, s.Seq)
				}
				return srv.C2CMessage(s.Key)
			}(), "trial %d: %+v; the resume said: %s", trial, s, errb.String())
		}
		// Nothing with a definite outcome in the journal was sent again.
		for _, r := range srv.Requests()[atKill:] {
			var keys []string
			switch r.Endpoint {
			case chatrecall.EndpointGroupRecall:
				list, _ := r.JSON["MsgSeqList"].([]any)
				for _, e := range list {
					keys = append(keys, fmt.Sprintf("%s/#%v", r.JSON["GroupId"], e.(map[string]any)["MsgSeq"]))
				}
			case chatrecall.EndpointC2CRecall:
				keys = append(keys, fmt.Sprintf("%s->%s#%s", r.JSON["From_Account"], r.JSON["To_Account"], r.JSON["MsgKey"]))
			}
			for _, k := range keys {
				resent++
				if rw, ok := st.outcome[k]; ok && definite(rw.Outcome) {
					t.Errorf("trial %d: %s had a definite outcome (%s) and was sent again", trial, k, rw.Outcome)
				}
			}
		}
		// Both runs' output together: every message, none lost.
		seen := map[string]bool{}
		for _, rw := range append(printed, again...) {
			seen[rowKey(rw)] = true
		}
		for k := range own {
			assert.True(t, seen[k], "trial %d: %s is in neither run's output", trial, k)
		}
		// The resumed run's report: every message exactly once, recalled.
		f, err := os.Open(report)
		require.NoError(t, err)
		inReport := map[string]int{}
		for _, rw := range readRows(f, -1) {
			inReport[rowKey(rw)]++
			assert.Equal(t, "recalled", rw.Outcome, "trial %d: %s", trial, rowKey(rw))
		}
		f.Close()
		assert.Len(t, inReport, len(own), "trial %d: the report lists every message", trial)
		for k, n := range inReport {
			assert.True(t, own[k], "trial %d: %s is not the account's", trial, k)
			assert.Equal(t, 1, n, "trial %d: %s is in the report %d times", trial, k, n)
		}
		srv.Close()
	}
	t.Logf("takedown crash test: 10 takedowns killed with SIGKILL and resumed: the resumes sent %d messages, none with a definite outcome; %d rows the killed runs had recorded were printed by the resumes",
		resent, reprinted)
}

// TestTakedownBadInputSendsNothing: every bad command line is refused with
// exit 2, naming the flag that fixes it, before any request.
func TestTakedownBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	vars := fakeVars(srv)
	dir := t.TempDir()
	notPlan := filepath.Join(dir, "not.plan")
	require.NoError(t, os.WriteFile(notPlan, []byte(`{"journal":"chatrecall/1","command":"group"}`+"\n"), 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"takedown", "--since", "3h"}, "--account is required"},
		{[]string{"takedown", "--account", "mallory"}, "--since is required"},
		{[]string{"takedown", "--account", "mal\x01lory", "--since", "3h"}, "--account"},
		{[]string{"takedown", "--account", "mallory", "--since", "1h", "--until", "2h"}, "not after --since"},
		{[]string{"takedown", "--account", "mallory", "--since", "1h", "--until", "1h"}, "not after --since"},
		{[]string{"takedown", "--account", "mallory", "--since", "yesterday"}, "--since"},
		{[]string{"takedown", "--account", "mallory", "--since", "3h", "--plan-out", "x.plan"}, "--plan-out needs --dry-run"},
		{[]string{"takedown", "--account", "mallory", "--since", "3h", "--contact-cap", "0"}, "--contact-cap"},
		{[]string{"takedown", "--account", "mallory", "--since", "3h", "--reason", strings.Repeat("x", 101)}, "--reason"},
		{[]string{"takedown", "--plan", notPlan, "--account", "mallory"}, "leave out --account"},
		{[]string{"takedown", "--plan", notPlan}, "not a takedown plan or journal"},
		{[]string{"takedown", "--plan", filepath.Join(dir, "missing")}, "cannot read"},
		{[]string{"takedown", "--resume", notPlan, "--journal", "j"}, "give it alone"},
		{[]string{"--dry-run", "takedown", "--account", "mallory", "--since", "3h", "--journal", "j"}, "--dry-run sends nothing"},
	} {
		r := runCLI(t, vars, "", append([]string{"--base-url", srv.URL}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, "%q: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%q", tc.args)
	}
	assert.Empty(t, srv.Requests())
}

// TestTakedownDryRunThenPlan: the dry run sends only discovery and history
// reads, writes a plan whose header estimates the apply, and applying the
// plan takes back exactly the account's messages, with a report and its
// Markdown summary.
func TestTakedownDryRunThenPlan(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	now := time.Now()
	tr := srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 3, GroupMessages: 40, Own: 4,
		Peers: 5, PeerMessages: 2, PeerReplies: 1, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)})
	vars := fakeVars(srv)
	dir := t.TempDir()
	plan, report := filepath.Join(dir, "m.plan"), filepath.Join(dir, "m.report")
	r := runCLI(t, vars, "", "--base-url", srv.URL, "--dry-run", "takedown", "--account", "mallory", "--since", "3h", "--plan-out", plan)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "8 conversations found (3 groups, 5 one-to-one); not known to be all")
	assert.Contains(t, r.stderr, "plan: 22 messages of mallory in 8 conversations")
	assert.Contains(t, r.stderr, "applying it takes about")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall))
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointC2CRecall))
	st, err := readTakedown("--plan", plan)
	require.NoError(t, err)
	assert.Equal(t, 22, st.header.Messages)
	assert.NotNil(t, st.header.Estimate)
	assert.Len(t, st.plans, 8)

	r = runCLI(t, vars, "", "--base-url", srv.URL, "--json", "takedown", "--plan", plan, "--report", report)
	require.Equal(t, exitOK, r.code, r.stderr)
	rows := readRows(strings.NewReader(r.stdout), -1)
	assert.Len(t, rows, 22)
	for _, s := range tr.Sent {
		want := chatrecalltest.MessagePresent
		if s.Sender == "mallory" {
			want = chatrecalltest.MessageRecalled
		}
		if s.Group != "" {
			assert.Equal(t, want, srv.GroupMessage(s.Group, s.Seq))
		} else {
			assert.Equal(t, want, srv.C2CMessage(s.Key))
		}
	}
	md, err := os.ReadFile(report + ".md")
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Takedown of `mallory`")
	assert.Contains(t, string(md), "- Messages: 22 recalled, 0 failed, 0 outcome unknown, 0 not sent")
	lines, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Contains(t, string(lines), `"conversation":"@TGS#fp0000"`, "a summary line per conversation")
	assert.Contains(t, string(lines), `"total":{"failed":0,"not_sent":0,"recalled":22,"unknown":0}`)
}

// TestTornPlanIsNotPlanned: a conversation whose plan lines were cut short
// by a crash is planned again on resume, not taken as empty.
func TestTornPlanIsNotPlanned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	two := 2
	var b strings.Builder
	enc := jsonLines(&b)
	require.NoError(t, enc(tdLine{Journal: takedownVersion, Header: &tdHeader{Account: "mallory", Since: time.Now()}}))
	require.NoError(t, enc(tdLine{Conversation: &takedown.Target{Conversation: chatrecall.Conversation{GroupID: "g"}, Sender: "mallory"}, Planned: &two}))
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	st, err := readTakedown("--resume", path)
	require.NoError(t, err)
	assert.Empty(t, st.plans)
	assert.False(t, st.planned["g"])
}

// TestTakedownAsksOnATerminal: a large takedown asks before sending on a
// terminal; "n" sends nothing; --yes does not ask.
func TestTakedownAsksOnATerminal(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	now := time.Now()
	srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 2, GroupMessages: 10, Own: 1,
		Peers: 30, PeerMessages: 1, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)})
	vars := fakeVars(srv)
	ask := func(stdin string, args ...string) (int, string) {
		var out, errOut strings.Builder
		code := run(append([]string{"--base-url", srv.URL, "takedown", "--account", "mallory", "--since", "3h"}, args...), env{
			getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, ask: true,
			exit: func(int) { t.Fatal("exit called") },
		})
		return code, errOut.String()
	}
	code, stderr := ask("n\n")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "in 32 conversations? [y/N]")
	assert.Contains(t, stderr, "not confirmed; nothing was sent")
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupRecall))
	assert.Empty(t, srv.RequestsTo(chatrecall.EndpointGroupHistory), "not even the history is read")

	code, stderr = ask("", "--yes")
	assert.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "[y/N]")
	assert.Len(t, srv.RequestsTo(chatrecall.EndpointC2CRecall), 30)
}

// TestTakedownStopThenResume: SIGINT stops the takedown cleanly (no new
// request, those in flight finish, the journal intact, exit 130), and
// --resume finishes it: every message of the account recalled, and a
// definite outcome printed once across the two runs.
func TestTakedownStopThenResume(t *testing.T) {
	binary(t)
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithLatency(20*time.Millisecond), chatrecalltest.WithContactCap(500))
	defer srv.Close()
	now := time.Now()
	tr := srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 20, GroupMessages: 100, Own: 10,
		Peers: 100, PeerMessages: 1, PeerReplies: 1, From: now.Add(-2 * time.Hour), To: now.Add(-time.Minute)})
	jpath := filepath.Join(t.TempDir(), "j")
	cmd := command(t, srv, "--json", "takedown", "--account", "mallory", "--since", "3h", "--journal", jpath, "--conversations", "2", "--contact-cap", "500")
	sc, stderr := start(t, cmd)
	rows := scanRows(sc, 20)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	rows = append(rows, scanRows(sc, -1)...)
	_ = cmd.Wait()
	assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "stopped by interrupt")
	for _, rw := range rows {
		assert.NotEqual(t, "unknown", rw.Outcome, "requests in flight finish")
	}
	resume := command(t, srv, "--json", "takedown", "--resume", jpath)
	var rerr strings.Builder
	resume.Stderr = &rerr
	out, err := resume.Output()
	require.Equal(t, exitOK, resume.ProcessState.ExitCode(), "%v: %s", err, rerr.String())
	seen := map[string]int{}
	for _, rw := range append(rows, readRows(strings.NewReader(string(out)), -1)...) {
		if definite(rw.Outcome) {
			seen[rowKey(rw)]++
		}
	}
	for _, s := range tr.Sent {
		if s.Sender != "mallory" {
			continue
		}
		k := sentKey(s)
		assert.Equal(t, 1, seen[k], "%s: printed once across the two runs", k)
		if s.Group != "" {
			assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage(s.Group, s.Seq))
		} else {
			assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(s.Key))
		}
	}
}

// TestEditedPlanIsRefused: a plan edited to take back another sender's
// message, or one outside the window, is refused before anything is sent.
func TestEditedPlanIsRefused(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	now := time.Now()
	srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 1, GroupMessages: 20, Own: 2, From: now.Add(-time.Hour), To: now.Add(-time.Minute)})
	vars := fakeVars(srv)
	dir := t.TempDir()
	plan := filepath.Join(dir, "m.plan")
	r := runCLI(t, vars, "", "--base-url", srv.URL, "--dry-run", "takedown", "--account", "mallory", "--since", "2h", "--plan-out", plan)
	require.Equal(t, exitOK, r.code, r.stderr)
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	for name, edit := range map[string]func(string) string{
		"another sender": func(s string) string {
			return strings.Replace(s, `"sender":"mallory","seq"`, `"sender":"alice","seq"`, 1)
		},
		"before the window": func(s string) string { return regexp.MustCompile(`"time":\d+`).ReplaceAllString(s, `"time":1000`) },
		"after the window": func(s string) string {
			return regexp.MustCompile(`"time":\d+`).ReplaceAllString(s, `"time":4000000000`)
		},
	} {
		edited := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".plan")
		require.NoError(t, os.WriteFile(edited, []byte(edit(string(b))), 0o600))
		mark := len(srv.Requests())
		r := runCLI(t, vars, "", "--base-url", srv.URL, "takedown", "--plan", edited)
		assert.Equal(t, exitUsage, r.code, "%s: %s", name, r.stderr)
		assert.Contains(t, r.stderr, "nothing was sent", name)
		assert.Len(t, srv.Requests(), mark, name)
	}
}

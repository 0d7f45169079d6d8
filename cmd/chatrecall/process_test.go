package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds the command once per test process.
func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binOnce.Do(buildBinary)
	require.NoError(t, binErr)
	return binPath
}

// buildBinary builds the command, once: TestMain starts it while the
// in-process tests run, so a cold build overlaps them.
func buildBinary() {
	binDir, binErr = os.MkdirTemp("", "chatrecall-bin")
	if binErr != nil {
		return
	}
	binPath = filepath.Join(binDir, "chatrecall")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		binErr = fmt.Errorf("%v: %s", err, out)
	}
}

// start starts cmd and returns a scanner of its standard output (read all
// of it through this one scanner: another would miss what it read ahead)
// and what it writes to standard error.
func start(t testing.TB, cmd *exec.Cmd) (*bufio.Scanner, *strings.Builder) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	return bufio.NewScanner(stdout), stderr
}

// command prepares the binary against srv (Chat credentials in the
// environment, as an engineer would have them).
func command(t testing.TB, srv *chatrecalltest.Server, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), append([]string{"--base-url", srv.URL}, args...)...)
	cmd.Env = append(os.Environ(),
		chatrecall.EnvSDKAppID+"="+strconv.Itoa(chatrecalltest.DefaultSDKAppID),
		chatrecall.EnvSecretKey+"="+chatrecalltest.DefaultSecretKey,
		chatrecall.EnvRegion+"=singapore")
	return cmd
}

func seqFile(t *testing.T, dir string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintln(&b, i)
	}
	path := filepath.Join(dir, "seqs.txt")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// journalOutcomes reads the last outcome of every item in a journal.
func journalOutcomes(t *testing.T, path string) map[string]string {
	st, err := readJournal(path)
	require.NoError(t, err)
	out := map[string]string{}
	for item, rw := range st.outcome {
		out[item] = rw.Outcome
	}
	return out
}

// sentSeqs lists the sequence numbers of requests reqs.
func sentSeqs(reqs []chatrecalltest.Request) []string {
	var out []string
	for _, r := range reqs {
		list, _ := r.JSON["MsgSeqList"].([]any)
		for _, e := range list {
			out = append(out, fmt.Sprint(e.(map[string]any)["MsgSeq"]))
		}
	}
	return out
}

// TestCrashAndResume: 5,000 seqs, the run killed with SIGKILL at 20 seeded
// instants, each followed by --resume. Every seq ends with exactly one
// definite outcome that matches the fake's ground truth, and no seq with a
// definite outcome is sent again.
func TestCrashAndResume(t *testing.T) {
	binary(t)
	const n = 5000
	rng := rand.New(rand.NewPCG(2026, 1122))
	var totalRequests, resent, confirmed, midRun, reprinted int
	for trial := 0; trial < 20; trial++ {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		seqs := make([]uint64, n)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		srv.AddGroupMessages("@TGS#crash", seqs...)
		dir := t.TempDir()
		file, jpath := seqFile(t, dir, n), filepath.Join(dir, "run.journal")

		first := command(t, srv, "--json", "group", "--group", "@TGS#crash", "--items-file", file, "--journal", jpath, "--rate-limit", "1000")
		stdout, err := first.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, first.Start())
		printed := make(chan []row, 1)
		go func() {
			var rows []row
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				var rw row
				if json.Unmarshal(sc.Bytes(), &rw) == nil {
					rows = append(rows, rw)
				}
			}
			printed <- rows
		}()
		time.Sleep(time.Duration(rng.Int64N(int64(500 * time.Millisecond)))) // the instant of the kill: the run takes about 0.5 s
		_ = first.Process.Signal(syscall.SIGKILL)
		rowsBefore := <-printed
		_ = first.Wait()
		atKill := len(srv.Requests())
		if atKill < n/10 {
			midRun++
		}

		if _, err := os.Stat(jpath); err != nil || func() bool { _, err := readJournal(jpath); return err != nil }() {
			// Killed before the plan was on disk: nothing was sent.
			assert.Zero(t, atKill, "trial %d: nothing is sent before the plan is recorded", trial)
			srv.Close()
			continue
		}
		before := journalOutcomes(t, jpath)
		for _, rw := range rowsBefore {
			if definite(rw.Outcome) {
				assert.Equal(t, rw.Outcome, before[rw.Item], "trial %d: what was printed was recorded first (seq %s)", trial, rw.Item)
			}
		}

		resume := command(t, srv, "--json", "group", "--resume", jpath, "--rate-limit", "2000")
		out, err := resume.Output()
		code := resume.ProcessState.ExitCode()
		require.Equal(t, exitOK, code, "trial %d: %v %s", trial, err, out)

		after := journalOutcomes(t, jpath)
		require.Len(t, after, n, "trial %d: every seq has an outcome", trial)
		for i := 1; i <= n; i++ {
			item := strconv.Itoa(i)
			require.Equal(t, "recalled", after[item], "trial %d seq %d", trial, i)
			require.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#crash", uint64(i)))
		}
		for _, s := range sentSeqs(srv.Requests()[atKill:]) {
			if definite(before[s]) {
				t.Errorf("trial %d: seq %s had a definite outcome and was sent again", trial, s)
			}
			resent++
		}
		seen := map[string]bool{}
		for _, rw := range rowsBefore {
			if definite(rw.Outcome) {
				seen[rw.Item] = true
			}
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var rw row
			if json.Unmarshal([]byte(line), &rw) == nil {
				seen[rw.Item] = true
				if rw.Confirmed {
					confirmed++
				}
				if strings.HasPrefix(rw.Detail, "from the earlier run") {
					reprinted++
				}
			}
		}
		for i := 1; i <= n; i++ {
			require.True(t, seen[strconv.Itoa(i)], "trial %d: seq %d is in neither run's output", trial, i)
		}
		totalRequests += len(srv.Requests())
		srv.Close()
	}
	t.Logf("crash test: 20 runs of %d seqs killed with SIGKILL (%d of them before their last request) and resumed: %d requests in all (%.1f per run, 500 the minimum); the resumes sent %d seqs, none with a definite outcome; %d confirmed by retry after a lost answer; %d rows the killed runs recorded were printed by the resumes, and every seq is in one run's output or the other's",
		n, midRun, totalRequests, float64(totalRequests)/20, resent, confirmed, reprinted)
}

// TestStopSignals: SIGTERM or SIGHUP mid-run stops cleanly: no new request,
// those in flight finish (so no outcome becomes unknown by the stop), every
// item is reported once, and the summary is printed.
func TestStopSignals(t *testing.T) {
	binary(t) // builds it, or skips before any server starts
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		seqs := make([]uint64, 3000)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		srv.AddGroupMessages("@TGS#stop", seqs...)
		dir := t.TempDir()
		cmd := command(t, srv, "--json", "group", "--group", "@TGS#stop", "--items-file", seqFile(t, dir, 3000), "--journal", filepath.Join(dir, "j"))
		sc, stderr := start(t, cmd)
		var rows []row
		for sc.Scan() {
			var rw row
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rw))
			rows = append(rows, rw)
			if len(rows) == 50 {
				require.NoError(t, cmd.Process.Signal(sig))
			}
		}
		_ = cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		srv.Close()
		require.Len(t, rows, 3000, "%v: every item is reported once", sig)
		var c counts
		for _, rw := range rows {
			c.add(rw.Outcome)
			truth := srv.GroupMessage("@TGS#stop", mustUint(t, rw.Item))
			switch rw.Outcome {
			case "recalled":
				assert.Equal(t, chatrecalltest.MessageRecalled, truth)
			case "not_sent":
				assert.Equal(t, chatrecalltest.MessagePresent, truth)
			}
		}
		assert.Zero(t, c.unknown, "%v: requests in flight finished", sig)
		assert.Positive(t, c.notSent, "%v: the run stopped early", sig)
		assert.Equal(t, exitFailed, code, "%v", sig)
		assert.Contains(t, stderr.String(), fmt.Sprintf("stopped by %v: %s", sig, c.String()), "%v", sig)
	}
}

// TestSecondSignalExitsAtOnce: a second signal ends the process at once;
// the journal is intact and the run can be resumed.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	binary(t)
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	seqs := make([]uint64, 2000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#twice", seqs...)
	dir := t.TempDir()
	jpath := filepath.Join(dir, "j")
	cmd := command(t, srv, "--json", "group", "--group", "@TGS#twice", "--items-file", seqFile(t, dir, 2000), "--journal", jpath, "--rate-limit", "20")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// Signal once the run is under way (its first outcome printed), and
	// send the second signal when the first was handled: two sent at once
	// are one to the kernel.
	rows := bufio.NewScanner(stdout)
	require.True(t, rows.Scan(), "the run printed an outcome")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	sc := bufio.NewScanner(stderr)
	handled := false
	for !handled && sc.Scan() {
		handled = strings.Contains(sc.Text(), "stopping: no new requests")
	}
	require.True(t, handled, "the first signal was handled")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	_, _ = io.Copy(io.Discard, stderr)
	_ = cmd.Wait()
	assert.Equal(t, exitKilled, cmd.ProcessState.ExitCode())
	resume := command(t, srv, "--json", "group", "--resume", jpath, "--rate-limit", "2000")
	out, err := resume.Output()
	require.NoError(t, err, string(out))
	assert.Len(t, journalOutcomes(t, jpath), 2000)
}

func mustUint(t *testing.T, s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return v
}

// TestTornJournalLine: a journal whose last line was cut by a crash reads
// back without it.
func TestTornJournalLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	content := `{"journal":"chatrecall/1","command":"group","target":"g","items":2}
{"plan":["1","2"]}
{"sent":["1","2"]}
{"row":{"endpoint":"group_msg_recall","target":"g","item":"1","outcome":"recalled"}}
{"row":{"endpoint":"group_msg_re`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	st, err := readJournal(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, st.items)
	assert.Equal(t, "recalled", st.outcome["1"].Outcome)
	assert.True(t, st.sent["2"])
	_, has := st.outcome["2"]
	assert.False(t, has)

	// Resuming cuts the torn end before appending, so the journal stays
	// readable.
	jr, err := reopenJournal(path, st.validLen)
	require.NoError(t, err)
	rw := row{Endpoint: "group_msg_recall", Target: "g", Item: "2", Outcome: "recalled"}
	done := make(chan struct{})
	jr.writeThen(journalLine{Row: &rw}, func() { close(done) })
	<-done
	require.NoError(t, jr.close())
	st, err = readJournal(path)
	require.NoError(t, err)
	assert.Equal(t, "recalled", st.outcome["2"].Outcome)
	assert.Equal(t, "recalled", st.outcome["1"].Outcome)
}

// TestMemoryStaysFlat: 1,000,000 seqs from stdin, as a dry run and as a real
// run against the fake with the limits lifted, stay under 100 MB peak RSS.
// It runs in a CI step of its own, without -race (CHATRECALL_MEMORY_TEST=1,
// see .ci/run): under the race detector the test process, which holds the
// fake's million messages and every request, peaked at 4.6 GB and took
// minutes on a busy machine.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() || os.Getenv("CHATRECALL_MEMORY_TEST") == "" {
		t.Skip("a million items: set CHATRECALL_MEMORY_TEST=1 (.ci/run runs it in a step of its own, without -race)")
	}
	const n = 1_000_000
	var input strings.Builder
	for i := 1; i <= n; i++ {
		input.WriteString(strconv.Itoa(i))
		input.WriteByte('\n')
	}
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	seqs := make([]uint64, n)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#million", seqs...)
	for _, mode := range []string{"dry-run", "real"} {
		args := []string{"--json", "group", "--group", "@TGS#million", "--items-file", "-", "--rate-limit", "1000000"}
		if mode == "dry-run" {
			args = append([]string{"--dry-run"}, args...)
		}
		cmd := command(t, srv, args...)
		cmd.Stdin = strings.NewReader(input.String())
		cmd.Stdout = io.Discard
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		require.NoError(t, cmd.Start())
		// The child's own high-water mark: rusage's maxrss would include
		// this (large) test process's RSS at the child's exec.
		var peak int64
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for waiting := true; waiting; {
			select {
			case err := <-done:
				require.NoError(t, err, stderr.String())
				waiting = false
			case <-time.After(20 * time.Millisecond):
				peak = max(peak, vmHWM(cmd.Process.Pid))
			}
		}
		t.Logf("%s of %d seqs: peak RSS (VmHWM) %.1f MB in %s", mode, n, float64(peak)/1024, time.Since(start).Round(time.Millisecond))
		assert.Positive(t, peak)
		assert.Less(t, peak, int64(100*1024), "%s: peak RSS under 100 MB", mode)
	}
	assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#million", n))
}

// TestTerminalSession runs the binary under tmux: stderr is a terminal, so
// the progress bar is drawn (by the progress-bar library), and the rows on
// stdout stay intact.
func TestTerminalSession(t *testing.T) {
	bin := binary(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux not found, and CI must run this test: .ci/run installs it")
		}
		t.Skip("tmux not found; install it (Debian: apt-get install tmux); .ci/run does")
	}
	dir := t.TempDir()
	seqs := seqFile(t, dir, 1000)
	session := fmt.Sprintf("chatrecall-test-%d", os.Getpid())
	script := fmt.Sprintf("%s --demo --demo-state %s group --group @TGS#demo --items-file %s; echo EXIT=$?; sleep 60", bin, filepath.Join(dir, "demo-state"), seqs)
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
		time.Sleep(100 * time.Millisecond) // polling a terminal: no assertion on time
	}
	require.Contains(t, screen, "EXIT=0", screen)
	assert.Regexp(t, `1000 done  0 failed  0 unknown  0 not sent +100% \[#{30}\] \(1000/1000`, screen, "the bar, finished, on stderr")
	assert.Regexp(t, `(?m)^ENDPOINT +TARGET +ITEM +OUTCOME +DETAIL *$`, screen)
	assert.Regexp(t, `(?m)^group_msg_recall  @TGS#demo  1000  recalled  - *$`, screen, "aligned to the values' width")
	assert.Contains(t, screen, "1000 done, 0 failed, 0 unknown, 0 not sent")
}

// vmHWM reads a process's peak resident set size in KiB (0 once it exited).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// TestC2CSweepCrashAndResume: a one-to-one sweep of 600 messages with a
// journal, killed with SIGKILL after a seeded number of printed outcomes
// (or before any), then finished with c2c --resume. Every message ends
// recalled in the fake, the journal agrees, and no message with a definite
// outcome is sent again.
func TestC2CSweepCrashAndResume(t *testing.T) {
	binary(t)
	const n = 600
	rng := rand.New(rand.NewPCG(2026, 1123))
	var resent, confirmed int
	for trial := 0; trial < 8; trial++ {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		now := time.Now()
		sent := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: n, From: now.Add(-time.Hour), To: now, Seed: uint64(trial)})
		dir := t.TempDir()
		planPath, jpath := filepath.Join(dir, "c2c.plan"), filepath.Join(dir, "c2c.journal")
		plan := make([]sweep.Item, n)
		for i, m := range sent {
			plan[i] = sweep.Item{Conversation: chatrecall.Conversation{Account: "alice", Peer: "mallory"},
				Sender: m.Sender, To: m.To, MsgKey: m.Key, Time: m.Time.Unix()}
		}
		f, err := os.Create(planPath)
		require.NoError(t, err)
		require.NoError(t, writePlan(f, plan))
		require.NoError(t, f.Close())

		killAfter := rng.IntN(n) // printed outcomes before the kill
		first := command(t, srv, "--json", "sweep", "c2c", "--plan", planPath, "--journal", jpath, "--rate-limit", "1000", "--no-verify")
		stdout, err := first.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, first.Start())
		var rowsBefore []row
		sc := bufio.NewScanner(stdout)
		for len(rowsBefore) < killAfter && sc.Scan() {
			var rw row
			if json.Unmarshal(sc.Bytes(), &rw) == nil {
				rowsBefore = append(rowsBefore, rw)
			}
		}
		_ = first.Process.Signal(syscall.SIGKILL)
		for sc.Scan() { // what was printed (or read ahead) before it died
			var rw row
			if json.Unmarshal(sc.Bytes(), &rw) == nil {
				rowsBefore = append(rowsBefore, rw)
			}
		}
		_ = first.Wait()
		atKill := len(srv.Requests())

		if _, err := readJournal(jpath); err != nil {
			assert.Zero(t, atKill, "trial %d: nothing is sent before the plan is recorded", trial)
			srv.Close()
			continue
		}
		before := journalOutcomes(t, jpath)
		for _, rw := range rowsBefore {
			assert.Equal(t, rw.Outcome, before[rw.Item], "trial %d: what was printed was recorded first (%s)", trial, rw.Item)
		}

		resume := command(t, srv, "--json", "c2c", "--resume", jpath, "--rate-limit", "2000")
		out, err := resume.Output()
		require.Equal(t, exitOK, resume.ProcessState.ExitCode(), "trial %d: %v %s", trial, err, out)

		after := journalOutcomes(t, jpath)
		require.Len(t, after, n, "trial %d: every message has an outcome", trial)
		for _, m := range sent {
			require.Equal(t, "recalled", after[m.Key], "trial %d %s", trial, m.Key)
			require.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(m.Key), "trial %d %s", trial, m.Key)
		}
		for _, r := range srv.Requests()[atKill:] {
			key, _ := r.JSON["MsgKey"].(string)
			if definite(before[key]) {
				t.Errorf("trial %d: %s had a definite outcome and was sent again", trial, key)
			}
			resent++
		}
		seen := map[string]bool{}
		for _, rw := range rowsBefore {
			if definite(rw.Outcome) {
				seen[rw.Item] = true
			}
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var rw row
			if json.Unmarshal([]byte(line), &rw) == nil {
				seen[rw.Item] = true
				if rw.Confirmed {
					confirmed++
				}
			}
		}
		for _, m := range sent {
			require.True(t, seen[m.Key], "trial %d: %s is in neither run's output", trial, m.Key)
		}
		srv.Close()
	}
	t.Logf("c2c crash test: 8 sweeps of %d messages killed with SIGKILL and resumed: the resumes sent %d messages, none with a definite outcome; %d confirmed by retry after the kill",
		n, resent, confirmed)
}

// writePlan writes a plan file: one sweep.Item per line.
func writePlan(w io.Writer, plan []sweep.Item) error {
	enc := json.NewEncoder(w)
	for _, it := range plan {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

// TestInterruptPrintsOneLineForTheRest: Ctrl-C (SIGINT) stops a run: the
// requests in flight finish, the table gets no row per item not sent but
// one line for all of them, the bar and the summary say the same, and the
// exit code is 130; --json still gets every item.
func TestInterruptPrintsOneLineForTheRest(t *testing.T) {
	binary(t)
	for _, asJSON := range []bool{false, true} {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits(), chatrecalltest.WithLatency(20*time.Millisecond))
		seqs := make([]uint64, 3000)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		srv.AddGroupMessages("@TGS#int", seqs...)
		dir := t.TempDir()
		args := []string{"group", "--group", "@TGS#int", "--items-file", seqFile(t, dir, 3000), "--journal", filepath.Join(dir, "j")}
		if asJSON {
			args = append([]string{"--json"}, args...)
		}
		cmd := command(t, srv, args...)
		sc, stderr := start(t, cmd)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if len(lines) == 50 {
				require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			}
		}
		_ = cmd.Wait()
		srv.Close()
		assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode(), "json %t: %s", asJSON, stderr.String())
		notSent := 0
		for _, l := range lines {
			if strings.Contains(l, "not_sent") {
				notSent++
			}
		}
		if asJSON {
			assert.Len(t, lines, 3000, "--json: every item")
			assert.Positive(t, notSent)
			continue
		}
		assert.Zero(t, notSent, "the table lists no item not sent")
		assert.Regexp(t, `chatrecall: \d+ items not sent \(stopped by interrupt\): they are not listed above; finish them with --resume JOURNAL`, stderr.String())
		assert.Regexp(t, `stopped by interrupt: \d+ done, 0 failed, 0 unknown, \d+ not sent`, lines[len(lines)-1])
	}
}

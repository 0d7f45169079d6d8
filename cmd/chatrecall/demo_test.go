package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoIsRehearsable: --demo keeps its fake between runs, so a sweep,
// its verify in a later run, and a takedown work as in an incident; demo
// reset starts over.
func TestDemoIsRehearsable(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "demo-state")
	plan := filepath.Join(dir, "spam.plan")
	demo := func(args ...string) result {
		return runCLI(t, nil, "", append([]string{"--demo", "--demo-state", state}, args...)...)
	}
	r := demo("--dry-run", "sweep", "group", "--group", demoSpamGroup, "--sender", "user03", "--since", "6h", "--plan-out", plan)
	require.Equal(t, exitOK, r.code, r.stderr)
	r = demo("sweep", "group", "--plan", plan, "--no-verify")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^(\d+) done, 0 failed`, r.stdout)

	r = demo("sweep", "verify", "--plan", plan)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout+r.stderr, " 0 still there")
	assert.Contains(t, r.stderr, "with the ")

	r = runCLI(t, nil, "", "--demo-state", state, "demo")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "kept in "+state)
	assert.Regexp(t, `\d+ changes made by earlier runs \(\d+ group_msg_recall\)`, r.stdout)
	assert.Contains(t, r.stdout, "chatrecall --demo takedown --account mallory --since ")

	r = runCLI(t, nil, "", "--demo-state", state, "demo", "reset")
	require.Equal(t, exitOK, r.code, r.stderr)
	_, err := os.Stat(state)
	assert.ErrorIs(t, err, os.ErrNotExist)
	r = demo("sweep", "verify", "--plan", plan)
	assert.Equal(t, exitFailed, r.code, "after a reset the messages are back")
	assert.NotContains(t, r.stdout+r.stderr, " 0 still there")
}

// TestDemoStateFile: what a state file holds and how each kind of file is
// taken: a last line cut by a kill is left out, a file that is not a demo
// state is refused before anything runs, and a day-old state is started
// again, with a note.
func TestDemoStateFile(t *testing.T) {
	header := func(epoch time.Time) string {
		b, _ := json.Marshal(demoHeader{Demo: demoFormat, Epoch: epoch})
		return string(b) + "\n"
	}
	recall := `{"at":"%s","endpoint":"group_msg_recall","body":{"GroupId":"@TGS#demo","MsgSeqList":[{"MsgSeq":7}]}}`
	now := time.Now().Truncate(time.Minute)
	stamp := now.Format(time.RFC3339Nano)
	tests := []struct {
		name, file string
		code       int
		stderr     string // a line stderr holds
		recalled   bool   // seq 7 reads as recalled
	}{
		{"replayed", header(now) + strings.ReplaceAll(recall, "%s", stamp) + "\n", exitFailed, "with the 1 changes earlier runs made", true},
		{"cut last line", header(now) + strings.ReplaceAll(recall, "%s", stamp)[:40], exitOK, "", false},
		{"not a state", "hello\n", exitUsage, "--demo-state: ", false},
		{"bad line", header(now) + "{}\n" + strings.ReplaceAll(recall, "%s", stamp) + "\n", exitUsage, "line 2 is not a change", false},
		{"a day old", header(now.Add(-25*time.Hour)) + strings.ReplaceAll(recall, "%s", stamp) + "\n", exitOK, "starting a new one", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state")
			require.NoError(t, os.WriteFile(state, []byte(tt.file), 0o644))
			// Recalling seq 7 again fails (10030) exactly when the state
			// recorded it.
			r := runCLI(t, nil, "", "--demo", "--demo-state", state, "group", "--group", "@TGS#demo", "--seq", "7")
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			if tt.code == exitUsage {
				assert.Empty(t, r.stdout)
				return
			}
			b, err := os.ReadFile(state)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if tt.recalled {
				assert.Len(t, lines, 2, "a failed recall changes nothing and is not kept")
			} else {
				assert.Len(t, lines, 2, "the header and this run's recall")
				assert.Contains(t, lines[1], `"MsgSeq":7`, "this run's recall is kept")
			}
			// The file is whole for the next run.
			r = runCLI(t, nil, "", "--demo", "--demo-state", state, "group", "--group", "@TGS#demo", "--seq", "7")
			assert.Equal(t, exitFailed, r.code, r.stderr)
			assert.Contains(t, r.stdout, "already recalled")
		})
	}
}

// TestDemoStateSurvivesAKill: the demo's state file holds every change the
// run printed, however the run ended, so --resume and sweep verify against
// --demo see what the killed run did.
func TestDemoStateSurvivesAKill(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	state, jpath := filepath.Join(dir, "state"), filepath.Join(dir, "j")
	cmd := exec.Command(bin, "--demo", "--demo-state", state, "--json", "group", "--group", "@TGS#demo",
		"--items-file", seqFile(t, dir, 2000), "--journal", jpath)
	rows, stderr := start(t, cmd)
	var printed []string
	for len(printed) < 300 && rows.Scan() {
		var rw row
		require.NoError(t, json.Unmarshal(rows.Bytes(), &rw), rows.Text())
		if rw.Outcome == "recalled" {
			printed = append(printed, rw.Item)
		}
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Len(t, printed, 300, stderr.String()) // read once the child is gone

	st := &demoState{}
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	_, err = st.decode(b)
	require.NoError(t, err)
	kept := map[string]bool{}
	for _, c := range st.changes {
		var body struct{ MsgSeqList []struct{ MsgSeq uint64 } }
		require.NoError(t, json.Unmarshal(c.Body, &body))
		for _, s := range body.MsgSeqList {
			kept[strconv.FormatUint(s.MsgSeq, 10)] = true
		}
	}
	for _, seq := range printed {
		assert.True(t, kept[seq], "seq %s was printed recalled and is not in the demo state", seq)
	}

	// The resumed run finishes against the same demo: nothing the killed
	// run recalled is recalled twice (10030 would fail it).
	out, err := exec.Command(bin, "--demo", "--demo-state", state, "--json", "group", "--resume", jpath).Output()
	require.NoError(t, err, string(out))
	assert.Len(t, journalOutcomes(t, jpath), 2000)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		assert.NotContains(t, line, `"failed"`)
	}
}

// TestDemoStateIsOneRunAtATime: while one --demo run holds the state, a
// second gets a demo of its own, not kept, and says so; the first run's
// changes are all the file holds.
func TestDemoStateIsOneRunAtATime(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	var errOut strings.Builder
	first := &app{o: options{demoState: state}, e: env{getenv: func(string) string { return "" }, stderr: &errOut}}
	held, err := first.openDemoState(time.Now())
	require.NoError(t, err)
	defer held.close()

	r := runCLI(t, nil, "", "--demo", "--demo-state", state, "group", "--group", "@TGS#demo", "--seq", "9")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "another --demo run is using "+state)
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), "\n"), "only the header: the second run kept nothing")
}

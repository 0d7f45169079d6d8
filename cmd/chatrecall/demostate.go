package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// This file keeps --demo's fake across runs: a state file whose first line
// fixes when the demo was seeded (its epoch: every seeded time is relative
// to it) and whose other lines are the requests that changed the fake, in
// order. A run seeds a fake at the epoch, replays the changes, and appends
// its own, each before its answer reaches the command, so a run killed at
// any moment leaves the file with everything it saw done.

// demoFormat names the state file's format (its first line).
const demoFormat = "chatrecall/demo/1"

// demoMaxAge is how long a demo state is kept: older, its seeded windows
// ("the last hours") are a day away from the ones the README shows, so a
// run starts a fresh one and says so.
const demoMaxAge = 24 * time.Hour

type demoHeader struct {
	Demo  string    `json:"demo"`
	Epoch time.Time `json:"epoch"`
}

type demoChange struct {
	At       time.Time       `json:"at"`
	Endpoint string          `json:"endpoint"`
	Body     json.RawMessage `json:"body"`
}

// demoState is a demo's seed time and the changes made to it.
type demoState struct {
	path    string // "" when the state is not kept
	epoch   time.Time
	changes []chatrecalltest.Request

	mu   sync.Mutex
	f    *os.File
	werr error // the first failed append
}

// userCacheDir is os.UserCacheDir, reading the command's environment.
func userCacheDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Caches")
		}
		return ""
	}
	if d := getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache")
	}
	return ""
}

// demoStatePath is --demo-state, or demo-state.jsonl in the user's cache
// directory; "" when there is none.
func (a *app) demoStatePath() string {
	if a.o.demoState != "" {
		return a.o.demoState
	}
	if d := userCacheDir(a.e.getenv); d != "" {
		return filepath.Join(d, "chatrecall", "demo-state.jsonl")
	}
	return ""
}

// openDemoState loads the state at path, or starts one seeded at now. A
// state older than demoMaxAge is started again, with a note on stderr. The
// file is locked while the run lasts: a second --demo run at the same time
// gets a demo of its own, not kept, and says so.
func (a *app) openDemoState(now time.Time) (*demoState, error) {
	path := a.demoStatePath()
	st := &demoState{path: path, epoch: now.Truncate(time.Minute)}
	if path == "" {
		return st, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, usagef("--demo-state: cannot create %s: %v", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, usagef("--demo-state: cannot open %s: %v", path, err)
	}
	if !lockFile(f) {
		f.Close()
		fmt.Fprintf(a.e.stderr, "chatrecall: --demo: another --demo run is using %s: this run's demo starts fresh and is not kept\n", path)
		return &demoState{epoch: st.epoch}, nil
	}
	b, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, usagef("--demo-state: cannot read %s: %v", path, err)
	}
	took := 0
	if len(b) > 0 {
		if took, err = st.decode(b); err != nil {
			f.Close()
			return nil, usagef("--demo-state: %s: %v (chatrecall demo reset starts a new one there, or give another --demo-state)", path, err)
		}
		if age := now.Sub(st.epoch); age > demoMaxAge {
			fmt.Fprintf(a.e.stderr, "chatrecall: --demo: the demo state in %s was seeded %s ago: starting a new one (its windows are relative to now)\n", path, age.Round(time.Minute))
			*st = demoState{path: path, epoch: now.Truncate(time.Minute)}
			took = 0
		}
	}
	st.f = f
	if took == 0 {
		return st, st.restart()
	}
	if took < len(b) {
		if err := f.Truncate(int64(took)); err != nil { // a cut last line: appends go after the last whole one
			f.Close()
			return nil, usagef("--demo-state: cannot write %s: %v", path, err)
		}
	}
	return st, nil
}

// restart empties the (locked) state file and writes its header.
func (st *demoState) restart() error {
	h, _ := json.Marshal(demoHeader{Demo: demoFormat, Epoch: st.epoch})
	err := st.f.Truncate(0)
	if err == nil {
		_, err = st.f.Write(append(h, '\n'))
	}
	if err != nil {
		st.f.Close()
		st.f = nil
		return usagef("--demo-state: cannot write %s: %v", st.path, err)
	}
	return nil
}

// decode reads a state file and returns how many of its bytes it took. A
// last line cut short (a run killed while writing it) is left out: its
// answer never reached the command.
func (st *demoState) decode(b []byte) (int, error) {
	var h demoHeader
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	if json.Unmarshal(first, &h) != nil || h.Demo != demoFormat || h.Epoch.IsZero() {
		return 0, fmt.Errorf("not a chatrecall demo state (its first line is not a %s header)", demoFormat)
	}
	st.epoch = h.Epoch
	took := len(first) + 1
	for line := 2; len(rest) > 0; line++ {
		text, after, complete := bytes.Cut(rest, []byte("\n"))
		var c demoChange
		if err := json.Unmarshal(text, &c); err != nil || c.Endpoint == "" {
			if !complete {
				break // the cut last line
			}
			return 0, fmt.Errorf("line %d is not a change", line)
		}
		if !complete {
			break // whole but unterminated: written again from the start
		}
		st.changes = append(st.changes, chatrecalltest.Request{Endpoint: c.Endpoint, Body: c.Body, At: c.At, Applied: true})
		took += len(text) + 1
		rest = after
	}
	return took, nil
}

// record appends one change, in one write. It runs in the fake before the
// request's answer is written.
func (st *demoState) record(r chatrecalltest.Request) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.f == nil || st.werr != nil {
		return
	}
	b, _ := json.Marshal(demoChange{At: r.At, Endpoint: r.Endpoint, Body: json.RawMessage(r.Body)})
	if _, err := st.f.Write(append(b, '\n')); err != nil {
		st.werr = err
	}
}

// close closes the file and reports a failed append.
func (st *demoState) close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.f == nil {
		return nil
	}
	err := st.f.Close()
	st.f = nil
	if st.werr != nil {
		return st.werr
	}
	return err
}

// reset removes the state file: the next --demo run seeds a new demo.
func (st *demoState) reset() error {
	_ = st.close()
	if st.path == "" {
		return nil
	}
	if err := os.Remove(st.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

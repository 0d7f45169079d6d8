package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// The journal is JSON Lines, appended and synced to disk:
//
//	{"journal":"chatrecall/1","command":"group","target":"@TGS#x","reason":"spam","items":5000}
//	{"plan":["1","2",...]}                          the items, in order (up to 1,000 a line)
//	{"plan":["k1",...],"from":["a",...],"to":["b",...]}  c2c: the keys, with each one's sender and receiver
//	{"sent":["1","2",...]}                          before each request: the items it carries
//	{"row":{"item":"1","outcome":"recalled",...},"shown":true}   each outcome, before it is printed
//	{"printed":640}                                 how many shown rows were printed so far
//
// A sweep read from history journals as it goes: its header says
// "streamed", and each item's "plan" line is written just before the
// "sent" line of the request that first carries it.
//
// A request is sent only after its "sent" line is on disk, and an outcome
// is printed only after its "row" line is: so whatever instant the process
// dies at, the journal knows every item that may have been applied, and
// everything printed. A torn last line (death mid-write) is ignored. A
// resumed run prints every definite outcome the journal holds that the
// earlier run may not have printed (a shown row past the last "printed"
// count, or a row never shown), marked as from the earlier run.
const journalVersion = "chatrecall/1"

// journalHeader is the first line of a journal. Its fields are omitted when
// empty, so the lines after it, which embed it, carry only their own.
type journalHeader struct {
	Journal string `json:"journal,omitempty"`
	Command string `json:"command,omitempty"`
	Target  string `json:"target,omitempty"`
	Topic   string `json:"topic,omitempty"`
	Peer    string `json:"peer,omitempty"` // c2c: the other party
	Reason  string `json:"reason,omitempty"`
	Items   int    `json:"items,omitempty"`
	// Streamed: the plan lines grow as a sweep plans (each before its
	// items are sent), so Items is not known up front.
	Streamed bool `json:"streamed,omitempty"`
}

type journalLine struct {
	journalHeader
	Plan []string `json:"plan,omitempty"`
	From []string `json:"from,omitempty"` // c2c: each plan item's sender
	To   []string `json:"to,omitempty"`   // c2c: and its receiver
	Sent []string `json:"sent,omitempty"`
	Row  *row     `json:"row,omitempty"`
	// Shown: the row is printed once it is on disk (a sweep's first
	// outcome of an item, before verification, is recorded, not shown).
	Shown bool `json:"shown,omitempty"`
	// Printed counts the shown rows printed so far.
	Printed int `json:"printed,omitempty"`
}

// journal appends lines with group commit: one writer goroutine writes
// everything queued, syncs once, then runs what waited for it.
type journal struct {
	f       *os.File
	mu      sync.Mutex
	queue   []journalEntry
	wake    chan struct{}
	stopped chan struct{}
	closing bool
	err     error
}

type journalEntry struct {
	line  []byte
	done  chan error // for writes that must be durable before going on
	after func()     // run once the line is durable (printing its row)
}

func createJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, usagef("--journal: %s exists; use --resume %s to finish that run, or another file", path, path)
	}
	if err != nil {
		return nil, usagef("--journal: cannot create %s: %v", path, err)
	}
	return startJournal(f), nil
}

// reopenJournal continues a journal after its last complete line: a line
// torn by a crash is cut off first, so the next line does not run into it.
func reopenJournal(path string, validLen int64) (*journal, error) {
	if err := os.Truncate(path, validLen); err != nil {
		return nil, usagef("--resume: cannot cut the torn end of %s: %v", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, usagef("--resume: cannot open %s for writing: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, usagef("--resume: %s: %v", path, err)
	}
	return startJournal(f), nil
}

func startJournal(f *os.File) *journal {
	j := &journal{f: f, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go j.loop()
	return j
}

func (j *journal) loop() {
	defer close(j.stopped)
	for {
		<-j.wake
		j.mu.Lock()
		batch := j.queue
		j.queue = nil
		closing := j.closing
		err := j.err
		j.mu.Unlock()
		if len(batch) > 0 && err == nil {
			var buf bytes.Buffer
			for _, e := range batch {
				buf.Write(e.line)
			}
			if _, err = j.f.Write(buf.Bytes()); err == nil {
				err = j.f.Sync()
			}
			if err != nil {
				j.mu.Lock()
				j.err = fmt.Errorf("journal: %w", err)
				err = j.err
				j.mu.Unlock()
			}
		}
		for _, e := range batch {
			if e.done != nil {
				e.done <- err
			}
			if e.after != nil && err == nil {
				e.after()
			}
		}
		if closing {
			j.mu.Lock()
			empty := len(j.queue) == 0
			j.mu.Unlock()
			if empty {
				return
			}
		}
	}
}

func (j *journal) enqueue(e journalEntry) {
	j.mu.Lock()
	if j.closing {
		j.mu.Unlock()
		if e.done != nil {
			e.done <- errors.New("journal: closed")
		}
		return
	}
	j.queue = append(j.queue, e)
	j.mu.Unlock()
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// writeSync appends v and returns once it is on disk.
func (j *journal) writeSync(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	j.enqueue(journalEntry{line: append(b, '\n'), done: done})
	return <-done
}

// writeSyncAll appends vs as consecutive lines (nothing else between them)
// and returns once they are on disk.
func (j *journal) writeSyncAll(vs []any) error {
	var buf bytes.Buffer
	for _, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(append(b, '\n'))
	}
	done := make(chan error, 1)
	j.enqueue(journalEntry{line: buf.Bytes(), done: done})
	return <-done
}

// writeThen appends v and runs after once it is on disk (never, if the
// journal fails: what is not recorded is not printed).
func (j *journal) writeThen(v any, after func()) {
	b, _ := json.Marshal(v)
	j.enqueue(journalEntry{line: append(b, '\n'), after: after})
}

// close waits for everything queued, then closes the file.
func (j *journal) close() error {
	j.mu.Lock()
	j.closing = true
	j.mu.Unlock()
	select {
	case j.wake <- struct{}{}:
	default:
	}
	<-j.stopped
	cerr := j.f.Close()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	return cerr
}

// journalState is what a journal says of a run.
type journalState struct {
	validLen int64 // bytes up to the end of the last complete line
	header   journalHeader
	items    []string
	from, to []string // c2c: each item's sender and receiver
	sent     map[string]bool
	outcome  map[string]row // the last row of each item
	// shownAt is, for each item whose last row was shown, that row's place
	// among the shown rows; printed is how many of those the run printed
	// (a resumed run prints the rest, and every last row never shown).
	shownAt map[string]int
	shown   int
	printed int
}

// printedBefore reports whether the earlier run printed item's last row.
func (st *journalState) printedBefore(item string) bool {
	at, ok := st.shownAt[item]
	return ok && at < st.printed
}

// readJournal reads a journal for --resume.
func readJournal(path string) (*journalState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--resume: cannot read %s", path)
	}
	defer f.Close()
	st := &journalState{sent: map[string]bool{}, outcome: map[string]row{}, shownAt: map[string]int{}}
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break // a line without its newline was torn by a crash: ignored
		}
		if err != nil {
			return nil, usagef("--resume: reading %s: %v", path, err)
		}
		var l journalLine
		if json.Unmarshal(line, &l) != nil {
			if _, peek := r.Peek(1); peek == io.EOF {
				break // the last line, torn
			}
			return nil, usagef("--resume: %s line %d is not a journal line", path, n)
		}
		st.validLen += int64(len(line))
		switch {
		case n == 1:
			if l.Journal != journalVersion {
				return nil, usagef("--resume: %s is not a chatrecall journal", path)
			}
			st.header = l.journalHeader
		case l.Plan != nil:
			st.items = append(st.items, l.Plan...)
			st.from = append(st.from, l.From...)
			st.to = append(st.to, l.To...)
		case l.Sent != nil:
			for _, it := range l.Sent {
				st.sent[it] = true
			}
		case l.Row != nil:
			st.outcome[l.Row.Item] = *l.Row
			delete(st.shownAt, l.Row.Item)
			if l.Shown {
				st.shownAt[l.Row.Item] = st.shown
				st.shown++
			}
		case l.Printed > 0:
			st.printed = l.Printed
		}
	}
	if st.header.Journal == "" {
		return nil, usagef("--resume: %s is empty", path)
	}
	if !st.header.Streamed && len(st.items) != st.header.Items {
		return nil, usagef("--resume: %s lists %d of its %d items: the run stopped before sending anything; start it again", path, len(st.items), st.header.Items)
	}
	return st, nil
}

// definite reports whether an outcome settles an item for good.
func definite(outcome string) bool {
	return outcome == "recalled" || outcome == "done" || outcome == "failed"
}

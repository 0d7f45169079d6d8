package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"

	"github.com/chatrecall/chatrecall"
)

// row is one item's outcome, as printed.
type row struct {
	Endpoint  string `json:"endpoint"`
	Target    string `json:"target,omitempty"`
	Item      string `json:"item"`
	Outcome   string `json:"outcome"` // recalled or done, failed, unknown, not_sent
	Confirmed bool   `json:"confirmed_by_retry,omitempty"`
	Category  string `json:"category,omitempty"`
	Code      int    `json:"code,omitempty"`
	Error     string `json:"error,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// newRow describes an item's outcome: done is the word for success
// ("recalled", or "done" for TPNS tasks).
func newRow(endpoint, target, item, done string, err error, confirmed bool) row {
	rw := row{Endpoint: endpoint, Target: target, Item: item, Outcome: done, Confirmed: confirmed && err == nil}
	if err == nil {
		return rw
	}
	rw.Error = strings.TrimPrefix(err.Error(), "chatrecall: ")
	var apiErr *chatrecall.APIError
	if errors.As(err, &apiErr) {
		rw.Code = int(apiErr.Code)
	}
	switch chatrecall.OutcomeOf(err) {
	case chatrecall.OutcomeUnknown:
		rw.Outcome = "unknown"
	case chatrecall.OutcomeNotSent:
		rw.Outcome = "not_sent"
	default:
		rw.Outcome = "failed"
	}
	if c := chatrecall.Category(err); c != nil {
		rw.Category = c.Error()
	}
	return rw
}

// counts of items by outcome.
type counts struct{ done, failed, unknown, notSent int }

func (c *counts) add(outcome string) {
	switch outcome {
	case "recalled", "done":
		c.done++
	case "unknown":
		c.unknown++
	case "not_sent":
		c.notSent++
	default:
		c.failed++
	}
}

func (c counts) String() string {
	return fmt.Sprintf("%d done, %d failed, %d unknown, %d not sent", c.done, c.failed, c.unknown, c.notSent)
}

func (c counts) exitCode() int {
	switch {
	case c.unknown > 0:
		return exitUnknown
	case c.failed+c.notSent > 0:
		return exitFailed
	}
	return exitOK
}

// reporter prints each row as soon as it is given: a table line, or one
// JSON object per line. Writes to a pipe or file are unbuffered, so what
// was printed before the process died is on the other side.
type reporter struct {
	mu      sync.Mutex
	json    bool
	out     io.Writer
	header  bool
	bar     *progressbar.ProgressBar
	total   counts // every item of the run (with those settled by an earlier run)
	earlier int    // items settled by an earlier run (--resume), in total
	shown   int    // journaled rows printed (the journal's "printed" count)
	// stopped, when set, says the run was stopped: a table then counts its
	// not-sent rows in one line instead of printing each (JSON Lines still
	// gets every item).
	stopped func() bool
	hidden  int
}

// shownFrom prints a row the journal recorded (Shown) and, every 64 rows,
// records how many it printed, so that a resumed run prints only the rest.
// It runs in the journal's writer, once the row is on disk.
func (r *reporter) shownFrom(jr *journal, rw row) {
	r.emit(rw)
	r.mu.Lock()
	r.shown++
	n := r.shown
	r.mu.Unlock()
	if n%64 == 0 {
		jr.writeThen(journalLine{Printed: n}, func() {})
	}
}

// closeShown records the final printed count, once every row before it is
// printed, then closes the journal.
func (r *reporter) closeShown(jr *journal) error {
	if err := jr.writeSync(journalLine{}); err == nil { // every row before it is printed now
		r.mu.Lock()
		n := r.shown
		r.mu.Unlock()
		_ = jr.writeSync(journalLine{Printed: n})
	}
	return jr.close()
}

func newReporter(a *app, items int) *reporter {
	r := &reporter{json: a.o.json, out: a.e.stdout, stopped: a.stop.stopped}
	if a.e.tty && !a.o.dryRun && items > 10 {
		r.bar = progressbar.NewOptions(items,
			progressbar.OptionSetWriter(a.e.stderr),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetTheme(progressbar.Theme{Saucer: "#", SaucerPadding: ".", BarStart: "[", BarEnd: "]"}),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.e.stderr) }),
		)
	}
	return r
}

const tableFormat = "%-18s  %-14s  %-6s  %-9s  %-16s  %s\n"

func (r *reporter) emit(rw row) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.add(rw.Outcome)
	if !r.json && rw.Outcome == "not_sent" && r.stopped != nil && r.stopped() {
		r.hidden++
		if r.bar != nil {
			r.describe()
			_ = r.bar.Add(1)
		}
		return
	}
	if r.bar != nil {
		_ = r.bar.Clear() // rows and the bar may share a terminal: the bar redraws below
	}
	if r.json {
		b, _ := json.Marshal(rw)
		_, _ = r.out.Write(append(b, '\n'))
	} else {
		if !r.header {
			r.header = true
			fmt.Fprintf(r.out, tableFormat, "ENDPOINT", "TARGET", "ITEM", "OUTCOME", "CATEGORY", "DETAIL")
		}
		detail := rw.Detail
		if rw.Error != "" {
			detail = rw.Error
		}
		outcome := rw.Outcome
		if rw.Confirmed {
			outcome += " (confirmed by retry)"
		}
		fmt.Fprintf(r.out, tableFormat, rw.Endpoint, dash(rw.Target), rw.Item, outcome, dash(rw.Category), dash(detail))
	}
	if r.bar != nil {
		r.describe()
		_ = r.bar.Add(1)
	}
}

// describe labels the bar in the summary's words.
func (r *reporter) describe() {
	t := r.total
	r.bar.Describe(fmt.Sprintf("%d done  %d failed  %d unknown  %d not sent", t.done, t.failed, t.unknown, t.notSent))
}

// settledEarlier counts items an earlier run settled, for the summary.
func (r *reporter) settledEarlier(outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.add(outcome)
	r.earlier++
	if r.bar != nil {
		_ = r.bar.Add(1)
	}
}

// finish prints the summary line: on stdout after a table, on stderr after
// JSON Lines (stdout stays pure JSON).
func (r *reporter) finish(stderr io.Writer, stopped string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil && !r.bar.IsFinished() {
		_ = r.bar.Exit()
		fmt.Fprintln(stderr)
	}
	if r.hidden > 0 {
		fmt.Fprintf(stderr, "chatrecall: %d items not sent (stopped by %s): they are not listed above; finish them with --resume JOURNAL\n", r.hidden, stopped)
	}
	s := r.total.String()
	if r.earlier > 0 {
		s += fmt.Sprintf(" (%d settled by the earlier run)", r.earlier)
	}
	if stopped != "" {
		s = "stopped by " + stopped + ": " + s
	}
	if r.json {
		fmt.Fprintln(stderr, "chatrecall: "+s)
	} else {
		fmt.Fprintln(r.out, s)
	}
	if stopped == "interrupt" {
		return exitInterrupted
	}
	return r.total.exitCode()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// confirmation describes how a success was known, when its answer was lost.
func confirmation(r *chatrecall.Result) string {
	switch {
	case r == nil:
		return ""
	case r.ConfirmedByRetry:
		return "confirmed by retry"
	case r.ConfirmedByRecord:
		return "confirmed by the task record"
	}
	return ""
}

// earlierDetail marks a row a resumed run prints for the run before it.
func earlierDetail(detail string) string {
	if detail == "" {
		return "from the earlier run"
	}
	return "from the earlier run; " + detail
}

package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
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
	// Cause is the short reason an item was not done (the service's code
	// and its meaning, the HTTP status, the network failure); Error is
	// the SDK's whole message.
	Cause string `json:"cause,omitempty"`
	// Hint names the flags that fix the failure, when some do.
	Hint   string `json:"hint,omitempty"`
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Push operations: the task's status, the new push's IDs and collapse
	// ID, the audience.
	Status     string   `json:"status,omitempty"`
	NewPushIDs []string `json:"new_push_ids,omitempty"`
	CollapseID int64    `json:"collapse_id,omitempty"`
	Audience   string   `json:"audience,omitempty"`
}

// newRow describes an item's outcome: done is the word for success
// ("recalled", or "done" for TPNS tasks).
func newRow(endpoint, target, item, done string, err error, confirmed bool) row {
	rw := row{Endpoint: endpoint, Target: target, Item: item, Outcome: done, Confirmed: confirmed && err == nil}
	if err == nil {
		return rw
	}
	rw.Error = strings.TrimPrefix(err.Error(), "chatrecall: ")
	rw.Cause = causeOf(err)
	rw.Hint = hintFor(endpoint, err)
	var apiErr *chatrecall.APIError
	if errors.As(err, &apiErr) {
		rw.Code = int(apiErr.Code)
	}
	if errors.Is(err, chatrecall.ErrOfflinePushInfoRequired) {
		// The SDK's words name its field; the command's are flags.
		rw.Cause = fmt.Sprintf("code %d: the push kept no roaming/unread copy to take back", rw.Code)
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

// causeOf is the first thing to know about why an item was not done: the
// service's code and its meaning, the HTTP status, the network failure.
func causeOf(err error) string {
	var (
		apiErr *chatrecall.APIError
		httpE  *chatrecall.HTTPError
		netE   *chatrecall.TransportError
		decE   *chatrecall.DecodeError
		valE   *chatrecall.ValidationError
	)
	switch {
	case errors.As(err, &apiErr):
		if d := apiErr.Description(); d != "" {
			return fmt.Sprintf("code %d: %s", apiErr.Code, d)
		}
		return fmt.Sprintf("code %d: %s", apiErr.Code, excerptOf(apiErr.Info))
	case errors.As(err, &httpE):
		return fmt.Sprintf("HTTP %d %s from the network path", httpE.StatusCode, http.StatusText(httpE.StatusCode))
	case errors.As(err, &netE) && netE.Timeout():
		return "no answer within --timeout"
	case errors.As(err, &netE):
		return "network: " + leaf(netE.Err)
	case errors.As(err, &decE):
		return "an answer that could not be read"
	case errors.As(err, &valE):
		return valE.Field + ": " + valE.Problem
	case errors.Is(err, errStopped):
		return errStopped.Error()
	}
	// The SDK's own refusal: its message without the prefixes (the row
	// names the endpoint) and without the category the row names too.
	s := strings.TrimPrefix(err.Error(), "chatrecall: ")
	if head, rest, ok := strings.Cut(s, ": "); ok && !strings.Contains(head, " ") {
		s = rest
	}
	if c := chatrecall.Category(err); c != nil {
		s = strings.TrimSuffix(s, ": "+c.Error())
	}
	return s
}

// leaf is the innermost error's text.
func leaf(err error) string {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				err = errs[len(errs)-1]
				continue
			}
		}
		return err.Error()
	}
}

func excerptOf(s string) string { return cut(s, 120) }

// hintFor names the flags that fix a failure, where some do.
func hintFor(endpoint string, err error) string {
	switch {
	case errors.Is(err, chatrecall.ErrOfflinePushInfoRequired):
		return "give --title and --desc: the revoke then overwrites the notification it showed"
	case errors.Is(err, chatrecall.ErrOutcomeUnknown):
		return "check it again; a run with --journal settles it with --resume"
	case errors.Is(err, chatrecall.ErrAuth) && strings.HasPrefix(endpoint, "tpns/"):
		return "check CHATRECALL_TPNS_SECRET_KEY (or --tpns-secret-key-file), --tpns-access-id and --tpns-region"
	case errors.Is(err, chatrecall.ErrUserSigExpired), errors.Is(err, chatrecall.ErrAuth):
		return "check CHATRECALL_SECRET_KEY (or --secret-key-file), --sdkappid and --region"
	case errors.Is(err, chatrecall.ErrPermission):
		return "--identifier must be an App admin"
	}
	return ""
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

// reporter prints each row as soon as it is given: a table line, or a
// JSON object (-o json, -o jsonl). Writes to a pipe or file are
// unbuffered, so what was printed before the process died is on the other
// side.
type reporter struct {
	mu      sync.Mutex
	json    *printer // nil for a table
	tab     *table
	quiet   bool // -q: only the items not done, and the summary
	bar     *progressbar.ProgressBar
	total   counts // every item of the run (with those settled by an earlier run)
	earlier int    // items settled by an earlier run (--resume), in total
	shown   int    // journaled rows printed (the journal's "printed" count)
	// stopped, when set, says the run was stopped: a table then counts its
	// not-sent rows in one line instead of printing each (JSON still gets
	// every item).
	stopped func() bool
	hidden  int
	out     *app
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
	r := &reporter{quiet: a.o.quiet, stopped: a.stop.stopped, out: a}
	if a.o.json {
		r.json = a.out()
	} else {
		r.tab = newTable(a.e.stdout, a.e.width, a.e.color)
	}
	if a.e.tty && !a.o.dryRun && !a.o.quiet && items > 10 {
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

// fit tells a table how wide the command's values can be.
func (r *reporter) fit(endpoint, target, item string) {
	if r.tab != nil {
		r.tab.fit(endpoint, target, item)
	}
}

func (r *reporter) emit(rw row) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.add(rw.Outcome)
	hide := r.quiet && (rw.Outcome == "recalled" || rw.Outcome == "done")
	if r.tab != nil && rw.Outcome == "not_sent" && r.stopped != nil && r.stopped() {
		r.hidden++
		hide = true
	}
	if r.bar != nil && !hide {
		_ = r.bar.Clear() // rows and the bar may share a terminal: the bar redraws below
	}
	switch {
	case hide:
	case r.json != nil:
		r.json.put(rw)
	default:
		r.tab.line(rw)
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
	if r.json != nil {
		r.json.summary = map[string]int{"done": r.total.done, "failed": r.total.failed, "unknown": r.total.unknown,
			"not_sent": r.total.notSent, "settled_earlier": r.earlier}
		fmt.Fprintln(stderr, "chatrecall: "+s)
	} else {
		fmt.Fprintln(r.out.e.stdout, s)
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

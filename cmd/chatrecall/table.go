package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table prints rows in aligned columns: ENDPOINT, TARGET, ITEM, OUTCOME and
// DETAIL, the cause first. Rows stream, so the columns are as wide as the
// command says its values can be (fit) before the first row. On a terminal
// a value too long for its column is cut with "…" and DETAIL to what the
// line has left; to a file or pipe nothing is cut.
type table struct {
	w      io.Writer
	widths [4]int
	term   int  // the terminal's width; 0 when stdout is not a terminal
	color  bool // color the outcome (a terminal, and NO_COLOR unset)
	header bool
}

var tableHeader = [5]string{"ENDPOINT", "TARGET", "ITEM", "OUTCOME", "DETAIL"}

func newTable(w io.Writer, term int, color bool) *table {
	t := &table{w: w, term: term, color: color}
	for i := range t.widths {
		t.widths[i] = len(tableHeader[i])
	}
	t.widths[3] = len("not_sent")
	return t
}

// itemCap bounds the ITEM and TARGET columns on a terminal.
const itemCap = 32

// fit widens the columns for values a command's rows can hold.
func (t *table) fit(endpoint, target, item string) {
	for i, v := range [3]string{endpoint, target, item} {
		n := utf8.RuneCountInString(v)
		if i > 0 && t.term > 0 {
			n = min(n, itemCap)
		}
		t.widths[i] = max(t.widths[i], n)
	}
}

// line prints one row (or the header, the first time).
func (t *table) line(rw row) {
	if !t.header {
		t.header = true
		t.shrink()
		t.write(tableHeader, false)
	}
	t.write([5]string{rw.Endpoint, dash(rw.Target), rw.Item, rw.Outcome, dash(rw.tableDetail())}, true)
}

func (t *table) write(cells [5]string, colored bool) {
	var b strings.Builder
	used := 0
	for i, c := range cells[:4] {
		if t.term > 0 && i > 0 {
			c = cut(c, t.widths[i])
		}
		n := utf8.RuneCountInString(c)
		pad := max(t.widths[i]-n, 0)
		if colored && i == 3 && t.color {
			c = paint(c)
		}
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", pad+2))
		used += n + pad + 2
	}
	detail := cells[4]
	if t.term > 0 {
		detail = cut(detail, max(t.term-used-1, minDetail))
	}
	b.WriteString(detail)
	b.WriteString("\n")
	_, _ = io.WriteString(t.w, b.String())
}

// minDetail is the room a terminal's line keeps for DETAIL: the target
// and item columns give way first.
const minDetail = 20

// shrink narrows the target and item columns on a terminal so DETAIL keeps
// minDetail characters.
func (t *table) shrink() {
	if t.term == 0 {
		return
	}
	over := t.widths[0] + t.widths[1] + t.widths[2] + t.widths[3] + 8 + minDetail + 1 - t.term
	for _, i := range []int{1, 2} {
		if over <= 0 {
			return
		}
		give := min(over, t.widths[i]-len(tableHeader[i]))
		t.widths[i] -= give
		over -= give
	}
}

// cut shortens s to n characters, the last one "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n || n < 2 {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// paint colors an outcome word (ANSI: green done, red failed, yellow
// unknown, magenta not sent).
func paint(outcome string) string {
	code := map[string]string{"recalled": "32", "done": "32", "failed": "31", "unknown": "33", "not_sent": "35"}[outcome]
	if code == "" {
		return outcome
	}
	return "\033[" + code + "m" + outcome + "\033[0m"
}

// tableDetail is the DETAIL cell: for an item not done, its category and
// cause first, then what else the row says.
func (rw row) tableDetail() string {
	if rw.Cause == "" && rw.Error == "" {
		if rw.Confirmed && rw.Detail == "" {
			return "confirmed by retry (the first answer was lost)"
		}
		return rw.Detail
	}
	cause := rw.Cause
	if cause == "" {
		cause = rw.Error
	}
	if rw.Category != "" {
		cause = rw.Category + ": " + cause
	}
	if rw.Hint != "" {
		cause += " (" + rw.Hint + ")"
	}
	if rw.Detail != "" {
		cause += "; " + rw.Detail
	}
	return cause
}

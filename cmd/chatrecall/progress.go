package main

import (
	"fmt"
	"io"
	"strings"
)

// progress draws a one-line bar on a terminal:
//
//	[##########..........]  500/1000  ok 498  failed 2
//
// It redraws in place with \r and leaves the final state on its own line.
type progress struct {
	w      io.Writer
	total  int
	done   int
	failed int
	width  int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, width: 30}
	p.draw()
	return p
}

func (p *progress) add(done, failed int) {
	p.done += done
	p.failed += failed
	p.draw()
}

func (p *progress) draw() {
	filled := 0
	if p.total > 0 {
		filled = p.width * p.done / p.total
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", p.width-filled)
	fmt.Fprintf(p.w, "\r[%s] %*d/%d  ok %d  failed %d", bar, len(fmt.Sprint(p.total)), p.done, p.total, p.done-p.failed, p.failed)
}

func (p *progress) finish() { fmt.Fprintln(p.w) }

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
)

// Output formats (-o).
const (
	outTable = "table"
	outJSON  = "json"  // one JSON document: {"items":[...],"summary":{...}}
	outJSONL = "jsonl" // one JSON object per line (--json)
)

// checkOutput settles -o against --json and the other output flags.
func (o *options) checkOutput() error {
	switch {
	case o.json && o.output != "" && o.output != outJSONL:
		return usagef("--json is -o jsonl: give one of them (-o %s was given too)", o.output)
	case o.json:
		o.output = outJSONL
	case o.output == "":
		o.output = outTable
	}
	switch o.output {
	case outTable, outJSON, outJSONL:
	default:
		return usagef("-o %q: give table, json (one document) or jsonl (one object per line)", o.output)
	}
	if o.quiet && o.verbose {
		return usagef("-q and --verbose ask for less and more output: give one of them")
	}
	o.json = o.output != outTable
	return nil
}

// printer writes a run's machine-readable output to stdout: JSON Lines, or
// one JSON document streamed as it grows (its items as they come, the
// summary when the run ends), so memory does not grow with the items.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	doc     bool
	n       int
	summary any
}

// put writes one object.
func (p *printer) put(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.doc:
		_, _ = p.w.Write(append(b, '\n'))
	case p.n == 0:
		_, _ = p.w.Write(append([]byte(`{"items":[`+"\n"), b...))
	default:
		_, _ = p.w.Write(append([]byte(",\n"), b...))
	}
	p.n++
}

// end closes the document (-o json) with the run's summary, if it wrote
// anything or has a summary.
func (p *printer) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.doc || (p.n == 0 && p.summary == nil) {
		return
	}
	head := "\n]"
	if p.n == 0 {
		head = `{"items":[]`
	}
	s, _ := json.Marshal(p.summary)
	if p.summary == nil {
		s = []byte("null")
	}
	_, _ = fmt.Fprintf(p.w, "%s,\"summary\":%s}\n", head, s)
}

// out returns the run's printer.
func (a *app) out() *printer {
	a.outOnce.Do(func() { a.js = &printer{w: a.e.stdout, doc: a.o.output == outJSON} })
	return a.js
}

// verboseHooks log every attempt and rate-limit wait to stderr (--verbose).
// The SDK has removed every secret from the errors they carry.
func (a *app) verboseHooks() chatrecall.Hooks {
	var mu sync.Mutex
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(a.e.stderr, "chatrecall: %s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	return chatrecall.Hooks{
		Attempt: func(_ context.Context, at chatrecall.AttemptInfo) {
			answer := "no answer"
			switch {
			case at.StatusCode != 0 && at.Code != 0:
				answer = fmt.Sprintf("HTTP %d, code %d", at.StatusCode, at.Code)
			case at.StatusCode != 0:
				answer = fmt.Sprintf("HTTP %d", at.StatusCode)
			}
			s := fmt.Sprintf("%s attempt %d: %d item(s) to %s: %s in %s", at.Endpoint, at.Attempt, at.Items, at.Host, answer, at.Duration.Round(time.Millisecond))
			if at.Err != nil {
				sent := "not sent"
				if at.Sent {
					sent = "may have reached the service"
				}
				s += fmt.Sprintf(" (%s): %s", sent, strings.TrimPrefix(at.Err.Error(), "chatrecall: "))
			}
			logf("%s", s)
		},
		LimiterWait: func(_ context.Context, w chatrecall.LimiterWait) {
			if w.Wait >= time.Millisecond {
				logf("%s: waited %s for its rate limit", w.Endpoint, w.Wait.Round(time.Millisecond))
			}
		},
	}
}

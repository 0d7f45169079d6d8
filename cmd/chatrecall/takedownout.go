package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/takedown"
)

// This file is what a takedown prints and records: a row per message (on
// standard output, in the journal before it is printed, in the report),
// a progress line on a terminal, and the summaries at the end.

func jsonLines(w io.Writer) func(any) error {
	return func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
}

// tdOut collects a takedown's outcomes.
type tdOut struct {
	a      *app
	jr     *journal
	rep    *reporter
	report *os.File
	path   string

	mu         sync.Mutex
	all        counts // every message, the earlier run's included
	printed    int    // rows printed, the earlier run's included
	convs      int    // conversations ended
	totalConvs int
	start      time.Time
	stopDraw   chan struct{}
	drawn      bool
}

func newTDOut(a *app, report string) *tdOut {
	rep := newReporter(a, 0)
	rep.fit(chatrecall.EndpointC2CRecall, "@TGS#2J4SZEAEL/topic", "31906_833502_1572869830")
	return &tdOut{a: a, rep: rep, path: report}
}

// begin opens the report and starts the progress line.
func (o *tdOut) begin(convs, _ int) {
	o.mu.Lock()
	o.totalConvs, o.start = convs, time.Now()
	o.mu.Unlock()
	if o.path != "" {
		f, err := os.Create(o.path)
		if err != nil {
			fmt.Fprintf(o.a.e.stderr, "chatrecall: --report: %v; the report is only printed\n", err)
		} else {
			o.report = f
		}
	}
	if o.a.e.tty && !o.a.o.dryRun {
		o.stopDraw = make(chan struct{})
		go func() {
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-o.stopDraw:
					return
				case <-t.C:
					o.mu.Lock()
					o.draw()
					o.mu.Unlock()
				}
			}
		}()
	}
}

// draw rewrites the progress line (o.mu held).
func (o *tdOut) draw() {
	eta := "-"
	if o.convs > 0 && o.convs < o.totalConvs {
		left := time.Since(o.start) / time.Duration(o.convs) * time.Duration(o.totalConvs-o.convs)
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(o.a.e.stderr, "\r\033[Kconversations %d/%d · messages %d recalled, %d not · ETA %s",
		o.convs, o.totalConvs, o.all.done, o.all.failed+o.all.unknown+o.all.notSent, eta)
	o.drawn = true
}

func (o *tdOut) clearLine() {
	if o.drawn {
		fmt.Fprint(o.a.e.stderr, "\r\033[K")
		o.drawn = false
	}
}

// earlier prints what a killed run recorded but may not have printed, and
// puts every row it recorded in the report.
func (o *tdOut) earlier(st *tdState) {
	o.mu.Lock()
	defer o.mu.Unlock()
	last := map[string]int{}
	for i, kr := range st.rows {
		last[kr.key] = i
	}
	for i, kr := range st.rows {
		if last[kr.key] != i || !definite(kr.row.Outcome) {
			continue // re-run now: its row comes from this run
		}
		o.all.add(kr.row.Outcome)
		o.writeReport(kr.row)
		if i >= st.printed {
			rw := kr.row
			rw.Detail = earlierDetail(rw.Detail)
			o.rep.emit(rw)
			continue
		}
		o.rep.settledEarlier(kr.row.Outcome)
	}
	o.printed = len(st.rows)
	if o.jr != nil {
		o.jr.writeThen(tdLine{Printed: o.printed}, func() {})
	}
}

func (o *tdOut) writeReport(v any) {
	if o.report != nil {
		_ = jsonLines(o.report)(v)
	}
}

// outcome records and prints one message's outcome.
func (o *tdOut) outcome(out sweep.Outcome) {
	endpoint := chatrecall.EndpointGroupRecall
	if out.Kind() == chatrecall.KindC2C {
		endpoint = chatrecall.EndpointC2CRecall
	}
	rw := outcomeRow(endpoint, out)
	if out.TopicID != "" {
		rw.Target = out.GroupID + "/" + out.TopicID
	}
	show := func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.all.add(rw.Outcome)
		o.writeReport(rw)
		o.printed++
		o.clearLine()
		o.rep.emit(rw) // a stopped table counts its not-sent rows in one line
		if o.jr != nil && o.printed%64 == 0 {
			o.jr.writeThen(tdLine{Printed: o.printed}, func() {})
		}
	}
	if o.jr == nil {
		show()
		return
	}
	o.jr.writeThen(tdLine{Row: &rw, Key: tdKey(out.Item)}, show)
}

// conversation records how one conversation ended.
func (o *tdOut) conversation(c takedown.ConversationResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.convs++
	s := c.Summary
	line := map[string]any{"conversation": c.Name(), "sources": c.Sources, "planned": c.Planned, "skipped": c.Skipped,
		"recalled": s.Recalled, "verified": s.Verified, "failed": s.Failed, "unknown": s.Unknown, "not_sent": s.NotSent}
	if c.Incomplete() {
		line["incomplete"] = (&takedown.Report{Conversations: []takedown.ConversationResult{c}}).Incomplete()[0]
	}
	o.writeReport(line)
}

// endTakedown prints the summaries and sets the exit code.
func (a *app) endTakedown(o *tdOut, jr *journal, rep *takedown.Report, d *takedown.Discovery) error {
	if jr != nil {
		// Once this line is on disk, every row before it is printed: the
		// count that follows is the whole of what this run printed.
		err := jr.writeSync(tdLine{Done: !a.stop.stopped()})
		if err == nil {
			o.mu.Lock()
			n := o.printed
			o.mu.Unlock()
			_ = jr.writeSync(tdLine{Printed: n})
		}
	}
	closeJournal(a, jr)
	if o.stopDraw != nil {
		close(o.stopDraw)
	}
	o.mu.Lock()
	o.clearLine()
	o.mu.Unlock()
	a.code = o.rep.finish(a.e.stderr, a.stop.why)
	inc := rep.Incomplete()
	if len(inc) > 0 {
		a.code = max(a.code, exitFailed)
		for i, s := range inc {
			if i == 10 {
				fmt.Fprintf(a.e.stderr, "chatrecall: ... and %d more not seen in full (see the report)\n", len(inc)-10)
				break
			}
			fmt.Fprintf(a.e.stderr, "chatrecall: NOT SEEN IN FULL: %s\n", s)
		}
	}
	md := markdown(rep, d, o.all, a.stop.why)
	fmt.Fprint(a.e.stderr, md)
	if o.report != nil {
		o.writeReport(map[string]any{"total": map[string]int{"recalled": o.all.done, "failed": o.all.failed, "unknown": o.all.unknown, "not_sent": o.all.notSent}, "incomplete": inc})
		if err := o.report.Close(); err != nil {
			fmt.Fprintf(a.e.stderr, "chatrecall: --report: %v\n", err)
		}
		if err := os.WriteFile(o.path+".md", []byte(md), 0o644); err != nil {
			fmt.Fprintf(a.e.stderr, "chatrecall: --report: %v\n", err)
		}
	}
	return nil
}

// markdown is the summary a person pastes into the incident ticket.
func markdown(rep *takedown.Report, d *takedown.Discovery, all counts, stopped string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Takedown of `%s`\n\n", d.Account)
	until := "now"
	if !d.Taken.IsZero() {
		until = d.Taken.UTC().Format(time.RFC3339) + " (when discovery ran)"
	}
	if !d.Until.IsZero() {
		until = d.Until.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "- Window: %s to %s\n", d.Since.UTC().Format(time.RFC3339), until)
	fmt.Fprintf(&b, "- Discovery: %s\n", d.Summary())
	for _, s := range d.Sources {
		fmt.Fprintf(&b, "  - %s: %d in the window", s.Source, s.Found)
		if len(s.Gaps) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(s.Gaps, "; "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "- Messages: %d recalled, %d failed, %d outcome unknown, %d not sent\n", all.done, all.failed, all.unknown, all.notSent)
	fmt.Fprintf(&b, "- Verified gone by reading history back: %d\n", rep.Total.Verified)
	if stopped != "" {
		fmt.Fprintf(&b, "- **Stopped by %s**: finish with `chatrecall takedown --resume JOURNAL`\n", stopped)
	}
	if inc := rep.Incomplete(); len(inc) > 0 {
		fmt.Fprintf(&b, "- **Not seen in full: %d** (first: %s)\n", len(inc), inc[0])
	} else {
		b.WriteString("- Every conversation found was read in full (conversations not found are not covered: see the gaps above)\n")
	}
	return b.String()
}

// tdJournaled journals each recall request's items before it is sent.
type tdJournaled struct {
	*chatrecall.Client
	jr *journal
}

func (j *tdJournaled) RecallGroupMessages(ctx context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	keys := make([]string, len(r.MsgSeqs))
	for n, s := range r.MsgSeqs {
		keys[n] = tdKey(sweep.Item{Conversation: chatrecall.Conversation{GroupID: r.GroupID, TopicID: r.TopicID}, MsgSeq: s})
	}
	if err := j.jr.writeSync(tdLine{Sent: keys}); err != nil {
		return groupNotJournaled(r, err)
	}
	return j.Client.RecallGroupMessages(ctx, r)
}

func (j *tdJournaled) RecallC2CMessage(ctx context.Context, r chatrecall.C2CRecall) (*chatrecall.Result, error) {
	key := tdKey(sweep.Item{Conversation: chatrecall.Conversation{Account: r.To, Peer: r.From}, Sender: r.From, To: r.To, MsgKey: r.MsgKey})
	if err := j.jr.writeSync(tdLine{Sent: []string{key}}); err != nil {
		return nil, notJournaled(err)
	}
	return j.Client.RecallC2CMessage(ctx, r)
}

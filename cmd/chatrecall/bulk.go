package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/chatrecall/chatrecall"
)

// batchSize is how many items one SDK call carries: the SDK sends them 10
// per request, several requests at a time; between calls the run checks
// for a stop. It also bounds the memory of a run of millions of items.
const batchSize = 1000

// bulk is a group or official-account recall of many items, fresh or
// resumed from a journal.
type bulk struct {
	command   string // group or official
	endpoint  string
	target    string // the group or the official account
	topic     string
	reason    string
	in        *items        // the items, in input order
	journal   string        // --journal: the file to create
	resume    *journalState // --resume: what the earlier run recorded
	resumeAt  string        // --resume: the file
	rateLimit int           // --rate-limit: calls per second the app is allowed, 0 for the documented limit
}

// batch is the SDK call in progress: its items, as indexes into the input.
type batch struct{ idx []int }

// runBulk recalls every item that has no definite outcome yet.
func (a *app) runBulk(b *bulk) error {
	n := b.in.len()
	var cur atomic.Pointer[batch]
	var jr *journal
	rep := newReporter(a, n)
	var dry *dryRun
	if a.o.dryRun {
		dry = &dryRun{out: a.e.stdout, json: a.o.json}
	}
	names := func(idx []int) []string {
		out := make([]string, len(idx))
		for k, i := range idx {
			out[k] = b.in.name(i)
		}
		return out
	}
	hooks := chatrecall.Hooks{
		BeforeAttempt: func(_ context.Context, _ chatrecall.Operation, s chatrecall.AttemptStart) error {
			if jr == nil {
				return nil
			}
			bt := cur.Load()
			idx := make([]int, len(s.Items))
			for k, i := range s.Items {
				idx[k] = bt.idx[i]
			}
			return jr.writeSync(journalLine{Sent: names(idx)})
		},
		ItemOutcome: func(_ context.Context, _ chatrecall.Operation, it chatrecall.ItemOutcome) {
			if dry != nil {
				return
			}
			i := cur.Load().idx[it.Index]
			rw := newRow(b.endpoint, b.target, b.in.name(i), "recalled", it.Err, it.Confirmed)
			if jr == nil {
				rep.emit(rw)
				return
			}
			jr.writeThen(journalLine{Row: &rw}, func() { rep.emit(rw) })
		},
	}
	var extra []chatrecall.Option
	if b.rateLimit > 0 {
		extra = append(extra, chatrecall.WithRateLimit(b.endpoint, b.rateLimit, time.Second))
	}
	client, cleanup, err := a.newClient(false, hooks, dry, extra...)
	if err != nil {
		return err
	}
	defer cleanup()

	// Which items to send, and which an earlier run may have applied.
	pending := make([]int, 0, n)
	maybe := map[int]bool{}
	for i := 0; i < n; i++ {
		if b.resume != nil {
			name := b.in.name(i)
			if last, ok := b.resume.outcome[name]; ok && definite(last.Outcome) {
				rep.settledEarlier(last.Outcome)
				continue
			}
			if b.resume.sent[name] {
				maybe[i] = true
			}
		}
		pending = append(pending, i)
	}

	switch {
	case dry != nil:
	case b.resume != nil:
		if jr, err = reopenJournal(b.resumeAt, b.resume.validLen); err != nil {
			return err
		}
	case b.journal != "":
		if jr, err = createJournal(b.journal); err != nil {
			return err
		}
		if err := b.writePlan(jr); err != nil {
			_ = jr.close()
			return usagef("--journal: %v; nothing was sent", err)
		}
	}

	for lo := 0; lo < len(pending); lo += batchSize {
		part := pending[lo:min(lo+batchSize, len(pending))]
		if a.stop.stopped() {
			for _, i := range pending[lo:] {
				rep.emit(newRow(b.endpoint, b.target, b.in.name(i), "recalled", &chatrecall.NotSentError{Cause: errStopped}, false))
			}
			break
		}
		cur.Store(&batch{idx: part})
		if err := b.call(client, part, maybe); err != nil {
			if jr != nil {
				_ = jr.close()
			}
			return err // input the SDK refused: a usage error, nothing sent
		}
	}
	if jr != nil {
		if err := jr.close(); err != nil {
			fmt.Fprintf(a.e.stderr, "chatrecall: %v: outcomes after the failure were not recorded or printed\n", err)
		}
	}
	if dry != nil {
		dry.finish(b.dryNote())
		a.code = exitOK
		return nil
	}
	a.code = rep.finish(a.e.stderr, a.stop.why)
	return nil
}

// call makes one SDK call for the items idx. Outcomes go through the
// ItemOutcome hook; the only error returned is invalid input.
func (b *bulk) call(c *chatrecall.Client, idx []int, maybe map[int]bool) error {
	ctx := context.Background() // a stop refuses new attempts; it never aborts one in flight
	var err error
	switch b.command {
	case "group":
		r := chatrecall.GroupRecall{GroupID: b.target, TopicID: b.topic, Reason: b.reason, MsgSeqs: make([]uint64, len(idx))}
		for k, i := range idx {
			r.MsgSeqs[k] = uint64(b.in.seqs[i])
			if maybe[i] {
				r.PossiblyApplied = append(r.PossiblyApplied, r.MsgSeqs[k])
			}
		}
		_, err = c.RecallGroupMessages(ctx, r)
	default:
		r := chatrecall.OfficialAccountRecall{Account: b.target, Reason: b.reason, MsgKeys: make([]string, len(idx))}
		for k, i := range idx {
			r.MsgKeys[k] = b.in.keys[i]
			if maybe[i] {
				r.PossiblyApplied = append(r.PossiblyApplied, r.MsgKeys[k])
			}
		}
		_, err = c.RecallOfficialAccountMessages(ctx, r)
	}
	var ve *chatrecall.ValidationError
	if errorsAs(err, &ve) {
		return err
	}
	return nil
}

// writePlan writes the journal's header and its plan, durably, before
// anything is sent.
func (b *bulk) writePlan(jr *journal) error {
	n := b.in.len()
	if err := jr.writeSync(journalLine{journalHeader: journalHeader{Journal: journalVersion, Command: b.command,
		Target: b.target, Topic: b.topic, Reason: b.reason, Items: n}}); err != nil {
		return err
	}
	for lo := 0; lo < n; lo += batchSize {
		plan := make([]string, 0, min(batchSize, n-lo))
		for i := lo; i < min(lo+batchSize, n); i++ {
			plan = append(plan, b.in.name(i))
		}
		if err := jr.writeSync(journalLine{Plan: plan}); err != nil {
			return err
		}
	}
	return nil
}

func (b *bulk) dryNote() string {
	return fmt.Sprintf("%d items of %s would be recalled, 10 per request", b.in.len(), b.target)
}

// fromJournal rebuilds a bulk command's input from --resume FILE.
func fromJournal(cmd, path string) (*bulk, error) {
	st, err := readJournal(path)
	if err != nil {
		return nil, err
	}
	if st.header.Command != cmd {
		return nil, usagef("%s: --resume: %s is the journal of a %q run; resume it with chatrecall %s --resume %s", cmd, path, st.header.Command, st.header.Command, path)
	}
	b := &bulk{command: cmd, target: st.header.Target, topic: st.header.Topic, reason: st.header.Reason,
		resume: st, resumeAt: path, in: &items{src: path}}
	if cmd == "group" {
		b.in.seqs = make([]uint32, len(st.items))
		for i, s := range st.items {
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil || v == 0 {
				return nil, usagef("group: --resume: %s lists %q, not a sequence number", path, s)
			}
			b.in.seqs[i] = uint32(v)
		}
	} else {
		b.in.keys = st.items
	}
	return b, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatrecall/chatrecall"
)

// batchSize is how many items one SDK call carries: the SDK sends them 10
// per request, several requests at a time; between calls the run checks
// for a stop. It also bounds the memory of a run of millions of items.
const batchSize = 1000

// bulk is a group, official-account or one-to-one recall of many items,
// fresh or resumed from a journal.
type bulk struct {
	command   string // group, official or c2c
	endpoint  string
	target    string // the group, the official account, or c2c: one party
	topic     string
	peer      string // c2c: the other party
	reason    string
	in        *items        // the items, in input order
	journal   string        // --journal: the file to create
	resume    *journalState // --resume: what the earlier run recorded
	resumeAt  string        // --resume: the file
	rateLimit int           // --rate-limit: calls per second the app is allowed, 0 for the documented limit
}

// batch is the SDK call in progress: its items, as indexes into the input.
type batch struct{ idx []int }

// itemKey carries, in the context of a one-to-one recall, the index of its
// item in the input: the calls of a batch run concurrently, one item each.
type itemKey struct{}

// itemsOf maps the positions a hook reports to indexes into the input.
func itemsOf(ctx context.Context, cur *atomic.Pointer[batch], pos []int) []int {
	if i, ok := ctx.Value(itemKey{}).(int); ok {
		return []int{i}
	}
	bt := cur.Load()
	idx := make([]int, len(pos))
	for k, p := range pos {
		idx[k] = bt.idx[p]
	}
	return idx
}

// rowTarget is what the printed row of item i names as its target: the
// group or account, or for a one-to-one message its direction.
func (b *bulk) rowTarget(i int) string {
	if b.command == "c2c" {
		return b.in.from[i] + "->" + b.in.to[i]
	}
	return b.target
}

// runBulk recalls every item that has no definite outcome yet.
func (a *app) runBulk(b *bulk) error {
	n := b.in.len()
	var cur atomic.Pointer[batch]
	var jr *journal
	rep := newReporter(a, n)
	for i := 0; i < n; i++ {
		rep.fit(b.endpoint, b.rowTarget(i), b.in.name(i))
	}
	var dry *dryRun
	if a.o.dryRun {
		dry = a.newDryRun()
	}
	names := func(idx []int) []string {
		out := make([]string, len(idx))
		for k, i := range idx {
			out[k] = b.in.name(i)
		}
		return out
	}
	hooks := chatrecall.Hooks{
		BeforeAttempt: func(ctx context.Context, _ chatrecall.Operation, s chatrecall.AttemptStart) error {
			if jr == nil {
				return nil
			}
			return jr.writeSync(journalLine{Sent: names(itemsOf(ctx, &cur, s.Items))})
		},
		ItemOutcome: func(ctx context.Context, _ chatrecall.Operation, it chatrecall.ItemOutcome) {
			if dry != nil {
				return
			}
			i := itemsOf(ctx, &cur, []int{it.Index})[0]
			rw := newRow(b.endpoint, b.rowTarget(i), b.in.name(i), "recalled", it.Err, it.Confirmed)
			if jr == nil {
				rep.emit(rw)
				return
			}
			jr.writeThen(journalLine{Row: &rw, Shown: true}, func() { rep.shownFrom(jr, rw) })
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
				if b.resume.printedBefore(name) {
					rep.settledEarlier(last.Outcome)
				} else {
					// Recorded, perhaps never printed: printed now.
					last.Detail = earlierDetail(last.Detail)
					rep.emit(last)
				}
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
		// Every row the earlier run showed is printed now (by it, or
		// above): this run's count goes on from there.
		rep.shown = b.resume.shown
		if rep.shown > 0 {
			jr.writeThen(journalLine{Printed: rep.shown}, func() {})
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

	// notSent reports items never sent: they are not journaled, so a
	// resume sends them.
	notSent := func(idx []int, cause error) {
		for _, i := range idx {
			rep.emit(newRow(b.endpoint, b.rowTarget(i), b.in.name(i), "recalled", &chatrecall.NotSentError{Cause: cause}, false))
		}
	}
	for lo := 0; lo < len(pending); lo += batchSize {
		part := pending[lo:min(lo+batchSize, len(pending))]
		if a.stop.stopped() {
			notSent(pending[lo:], errStopped)
			break
		}
		cur.Store(&batch{idx: part})
		stop, err := b.call(client, part, maybe, dry != nil, notSent)
		if err != nil {
			if jr != nil {
				_ = jr.close()
			}
			return err // input the SDK refused: a usage error, nothing sent
		}
		if stop != nil {
			// A whole-request failure every request would repeat (a wrong
			// key, no permission): the rest is not sent.
			notSent(pending[lo+len(part):], stop)
			break
		}
	}
	if jr != nil {
		if err := rep.closeShown(jr); err != nil {
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

// call makes one SDK call for the items idx (for c2c, one call per item,
// several at a time). Outcomes go through the ItemOutcome hook; items never
// sent go to notSent. It returns the failure that stopped the calls, if one
// would repeat for every other request, and, as err, only invalid input.
func (b *bulk) call(c *chatrecall.Client, idx []int, maybe map[int]bool, dry bool, notSent func([]int, error)) (stop, err error) {
	ctx := context.Background() // a stop refuses new attempts; it never aborts one in flight
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
	case "c2c":
		return b.callC2C(ctx, c, idx, maybe, dry, notSent)
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
	if errors.As(err, &ve) {
		return nil, err
	}
	var pe *chatrecall.PartialError
	if errors.As(err, &pe) && pe.Cause != nil {
		return pe.Cause, nil
	}
	return nil, nil
}

// callC2C recalls one-to-one messages, one request each (admin_msgwithdraw
// takes one), DefaultConcurrency at a time: the client's limiter paces them.
func (b *bulk) callC2C(ctx context.Context, c *chatrecall.Client, idx []int, maybe map[int]bool, dry bool, notSent func([]int, error)) (stop, invalid error) {
	workers := chatrecall.DefaultConcurrency
	if dry {
		workers = 1 // the dry run prints requests in order
	}
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next == len(idx) || stop != nil || invalid != nil {
			return 0, false
		}
		next++
		return idx[next-1], true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				r := chatrecall.C2CRecall{From: b.in.from[i], To: b.in.to[i], MsgKey: b.in.keys[i], PossiblyApplied: maybe[i]}
				_, err := c.RecallC2CMessage(context.WithValue(ctx, itemKey{}, i), r)
				var ve *chatrecall.ValidationError
				mu.Lock()
				switch {
				case errors.As(err, &ve) && invalid == nil:
					invalid = err
				case chatrecall.Repeats(err) && stop == nil:
					stop = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if invalid != nil {
		return nil, invalid
	}
	if stop != nil {
		notSent(idx[next:], stop)
	}
	return stop, nil
}

// writePlan writes the journal's header and its plan, durably, before
// anything is sent.
func (b *bulk) writePlan(jr *journal) error {
	n := b.in.len()
	if err := jr.writeSync(journalLine{journalHeader: journalHeader{Journal: journalVersion, Command: b.command,
		Target: b.target, Topic: b.topic, Peer: b.peer, Reason: b.reason, Items: n}}); err != nil {
		return err
	}
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		l := journalLine{Plan: make([]string, 0, hi-lo)}
		for i := lo; i < hi; i++ {
			l.Plan = append(l.Plan, b.in.name(i))
		}
		if b.command == "c2c" {
			l.From, l.To = b.in.from[lo:hi], b.in.to[lo:hi]
		}
		if err := jr.writeSync(l); err != nil {
			return err
		}
	}
	return nil
}

func (b *bulk) dryNote() string {
	if b.command == "c2c" {
		return fmt.Sprintf("%d one-to-one messages between %s and %s would be recalled, one per request", b.in.len(), b.target, b.peer)
	}
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
	switch cmd {
	case "group":
		b.in.seqs = make([]uint32, len(st.items))
		for i, s := range st.items {
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil || v == 0 {
				return nil, usagef("group: --resume: %s lists %q, not a sequence number", path, s)
			}
			b.in.seqs[i] = uint32(v)
		}
	case "c2c":
		if len(st.from) != len(st.items) || len(st.to) != len(st.items) {
			return nil, usagef("c2c: --resume: %s does not give the sender and the receiver of each of its %d messages", path, len(st.items))
		}
		b.peer, b.in.keys, b.in.from, b.in.to = st.header.Peer, st.items, st.from, st.to
		for i := range st.items {
			if err := (chatrecall.C2CRecall{From: st.from[i], To: st.to[i], MsgKey: st.items[i]}).Validate(); err != nil {
				return nil, usagef("c2c: --resume: %s message %d: %v", path, i+1, err)
			}
		}
	default:
		b.in.keys = st.items
	}
	return b, nil
}

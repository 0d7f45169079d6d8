package sweep

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file reads swept messages back and judges each outcome by what the
// service said and what history shows, never letting a read overrule the
// service's own "done": such a message is read again, with backoff, for
// Options.Settle before it is reported as still visible.

const unseenState int8 = -1

// states reads back the records idx and returns each one's state
// (unseenState when the read-back did not list it), what the read could
// not see, and a read failure.
func (r *run) states(ctx context.Context, idx []int) ([]int8, []Range, error) {
	out := make([]int8, len(idx))
	for n := range out {
		out[n] = unseenState
	}
	r.mu.Lock()
	items := make([]Item, len(idx))
	for n, i := range idx {
		items[n] = r.rep.item(i)
	}
	r.mu.Unlock()
	if v := r.s.o.Verifier; v != nil {
		got, err := v.States(ctx, r.conv, items)
		for n, it := range items {
			if st, ok := got[it.ID()]; ok {
				out[n] = int8(st)
			}
		}
		return out, nil, err
	}
	switch r.conv.Kind() {
	case chatrecall.KindGroup:
		return r.groupStates(ctx, items, out)
	case chatrecall.KindC2C:
		at := make(map[string]int, len(items))
		lo, hi := items[0].Time, items[0].Time
		for n, it := range items {
			at[it.MsgKey] = n
			lo, hi = min(lo, it.Time), max(hi, it.Time)
		}
		var mu sync.Mutex
		// A window's range is small: one slice reads it; windows are
		// verified several at once.
		w := &c2cWalk{api: r.s.api, gate: r.histGate, conv: r.conv, since: lo, till: hi, slices: func() int { return 1 }}
		rs, err := w.run(ctx, func(_ int, msgs []chatrecall.Message) bool {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				if n, ok := at[m.MsgKey]; ok {
					out[n] = int8(m.State)
				}
			}
			return true
		}, nil)
		return out, rs.Unseen, err
	}
	at := make(map[string]int, len(items))
	var lowest uint64
	for n, it := range items {
		at[it.MsgKey] = n
		if seq, ok := chatrecall.KeySeq(it.MsgKey); ok && (lowest == 0 || seq < lowest) {
			lowest = seq
		}
	}
	ow := &officialWalk{api: r.s.api, gate: r.histGate, conv: r.conv, stopAt: max(lowest, 1)}
	rs, err := ow.run(ctx, func(msgs []chatrecall.Message) bool {
		for _, m := range msgs {
			if n, ok := at[m.MsgKey]; ok {
				out[n] = int8(m.State)
			}
		}
		return true
	})
	return out, rs.Unseen, err
}

// Where a record goes after a read-back.
const (
	toFinal = iota
	toSettle
	toAgain
)

// judge applies read-back state st to record i (r.mu held). last: no more
// waiting or recalling is possible.
func (r *run) judge(i int, st int8, last bool) int {
	rec := &r.rep.recs[i]
	unknown := errors.Is(rec.err, chatrecall.ErrOutcomeUnknown)
	switch chatrecall.MessageState(st) {
	case chatrecall.MessageRecalled, chatrecall.MessageDeleted:
		rec.check = CheckRecalled
		if chatrecall.MessageState(st) == chatrecall.MessageDeleted {
			rec.check = CheckDeleted
		}
		if unknown {
			rec.flags |= fSettled
		}
		switch {
		case rec.err == nil:
		case rec.check == CheckDeleted:
			rec.err = &goneError{recall: rec.err}
		default:
			rec.err = nil // read back recalled: the message is gone, as asked
		}
		return toFinal
	case chatrecall.MessageNormal:
		if st == unseenState {
			break
		}
		switch {
		case rec.err == nil || errors.Is(rec.err, chatrecall.ErrGone):
			// The service said done (or gone): history may lag.
			if last {
				rec.check = CheckStillVisible
				return toFinal
			}
			return toSettle
		case !last && r.worthAgain(rec.err):
			return toAgain
		}
		rec.check = CheckNotRecalled
		if unknown {
			rec.flags |= fSettled
		}
		rec.err = &notRecalledError{recall: rec.err}
		return toFinal
	}
	if r.s.o.Verifier != nil && !last && (rec.err == nil || unknown || errors.Is(rec.err, chatrecall.ErrGone)) {
		return toSettle // a callback may arrive late
	}
	rec.check = CheckMissing
	return toFinal
}

// worthAgain reports whether a message still there may be recalled by
// sending it again.
func (r *run) worthAgain(err error) bool {
	if r.stop.get() != nil {
		return false
	}
	var ae *chatrecall.APIError
	return errors.Is(err, chatrecall.ErrOutcomeUnknown) || errors.Is(err, chatrecall.ErrNotSent) ||
		errors.Is(err, chatrecall.ErrTemporary) || errors.Is(err, chatrecall.ErrRateLimited) || (errors.As(err, &ae) && ae.Retryable())
}

// verify reads idx back and judges each record; records still waiting for
// history or for another recall go to the run's lists.
func (r *run) verify(ctx context.Context, idx []int, last bool) {
	st, unseen, err := r.states(ctx, idx)
	var finals []int
	r.mu.Lock()
	r.rep.Unseen = append(r.rep.Unseen, unseen...)
	for n, i := range idx {
		if err != nil && st[n] == unseenState {
			finals = append(finals, i) // not verified: the read failed
			continue
		}
		switch r.judge(i, st[n], last) {
		case toFinal:
			finals = append(finals, i)
		case toSettle:
			r.settling = append(r.settling, i)
		case toAgain:
			r.again = append(r.again, i)
		}
	}
	if err == nil && len(unseen) == 0 {
		r.verified++
	} else {
		r.unverified++
	}
	r.mu.Unlock()
	r.final(finals)
}

// followUp recalls again what verification found still there after an
// uncertain recall, and reads back what the service said was done until
// history shows it or the settle time is over.
func (r *run) followUp(ctx context.Context) {
	clock := r.s.clock()
	deadline := clock.Now().Add(r.s.settle())
	wait := 250 * time.Millisecond
	for rounds := 0; ; {
		r.mu.Lock()
		again, settling := r.again, r.settling
		r.again, r.settling = nil, nil
		r.mu.Unlock()
		if len(again) == 0 && len(settling) == 0 {
			return
		}
		if len(again) > 0 {
			if rounds < r.s.rounds() && ctx.Err() == nil {
				rounds++
				r.mu.Lock()
				r.rep.Rounds++
				r.mu.Unlock()
				in := make(chan int, len(again))
				for _, i := range again {
					in <- i
				}
				close(in)
				// Verification found it still there after every earlier
				// attempt ended: "already gone" now confirms a late one.
				r.applyLoop(ctx, in, func(int) bool { return true }, func([]int) {})
				r.verify(ctx, again, false)
			} else {
				r.verify(ctx, again, true)
			}
		}
		if len(settling) > 0 {
			last := ctx.Err() != nil || !clock.Now().Before(deadline)
			if !last {
				if err := clock.Sleep(ctx, min(wait, deadline.Sub(clock.Now()))); err != nil {
					last = true
				}
				wait *= 2
				last = last || !clock.Now().Before(deadline)
			}
			r.verify(ctx, settling, last)
		}
	}
}

package sweep

import (
	"context"
	"fmt"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file reads a group's history with many pages in flight. A page at
// ReqMsgSeq = s returns messages with seq ≤ s, so the history splits into
// segments of 20 sequence numbers read independently (segment.go):
// [top-19, top], [top-39, top-20], … Segments are emitted in order, newest
// first.

// readStats says what a read did.
type readStats struct {
	Pages  int
	Unseen []Range // parts of the history the read could not see
	Stop   string  // why it ended
}

// groupWalk reads a group from its newest message (or from top) down to
// the time bound, segments in flight together, and calls emit with each
// segment's messages in order. emit returns false to stop.
type groupWalk struct {
	*groupPager
	top   uint64    // first seq; 0 asks the service for the newest
	since time.Time // stop after the first segment wholly older; zero: none
	ahead func() int
	// issued, when set, is called once no more segments will be launched
	// (the last ones may still be in flight).
	issued func()
}

type segDone struct {
	k int
	r segRead
}

func (gw *groupWalk) run(ctx context.Context, emit func([]chatrecall.Message) bool) (readStats, error) {
	var st readStats
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	top, first, firstN := gw.top, (*chatrecall.GroupHistoryPage)(nil), 0
	if top == 0 {
		p, n, err := gw.newest(ctx, &st)
		if err != nil || p == nil {
			return st, err
		}
		for _, m := range p.Messages {
			top = max(top, m.MsgSeq)
		}
		first, firstN = p, n
	}
	var lowSeq uint64
	var lowTime, topTime time.Time
	// What the first page shows of the time per seq bounds the reads ahead
	// from the start.
	if first != nil {
		for _, m := range first.Messages {
			if m.MsgSeq == top {
				topTime = m.Time
			}
			if m.MsgSeq > 0 && (lowSeq == 0 || m.MsgSeq < lowSeq) {
				lowSeq, lowTime = m.MsgSeq, m.Time
			}
		}
	}
	seg := func(k int) segment {
		hi := top - uint64(k)*20
		return segment{hi: hi, lo: max(1, hi-min(hi-1, 19))}
	}
	total := int((top + 19) / 20)
	done := make(chan segDone)
	pending := map[int]segRead{}
	next, emitted, running := 0, 0, 0
	allowed := func(k int) bool {
		if gw.since.IsZero() || lowSeq == 0 || !lowTime.After(gw.since) {
			return gw.since.IsZero() || lowSeq == 0 || seg(k).hi+40 >= lowSeq
		}
		// Extrapolate where Since falls from what was read, and read no
		// more than two segments past it before a page confirms it.
		span := topTime.Sub(lowTime).Seconds()
		if span <= 0 {
			return true
		}
		perSec := float64(top-lowSeq) / span
		at := float64(lowSeq) - perSec*lowTime.Sub(gw.since).Seconds()
		return float64(seg(k).hi)+40 >= at
	}
	launch := func(k int) {
		running++
		f, fn := (*chatrecall.GroupHistoryPage)(nil), 0
		if k == 0 {
			f, fn = first, firstN
		}
		go func() { done <- segDone{k, gw.read(ctx, seg(k), f, fn)} }()
	}
	var stopErr error
	stopped := false
	for {
		for !stopped && next < total && next < emitted+gw.ahead() && allowed(next) {
			launch(next)
			next++
		}
		if gw.issued != nil && (next >= total || stopped) {
			gw.issued()
			gw.issued = nil
		}
		if running == 0 {
			break
		}
		d := <-done
		running--
		st.Pages += d.r.pages
		if stopped {
			continue
		}
		pending[d.k] = d.r
		for {
			r, ok := pending[emitted]
			if !ok {
				break
			}
			delete(pending, emitted)
			s := seg(emitted)
			emitted++
			if r.err != nil {
				if ctx.Err() == nil && !chatrecall.Repeats(r.err) {
					// This segment only: the next may read.
					st.Unseen = append(st.Unseen, Range{FirstSeq: s.lo, LastSeq: s.hi, Why: "not read: " + r.err.Error()})
					continue
				}
				stopErr, stopped = r.err, true
				st.Unseen = append(st.Unseen, Range{FirstSeq: 1, LastSeq: s.hi, Why: "not read: " + r.err.Error()})
				break
			}
			for _, u := range r.unseen {
				st.Unseen = appendSeq(st.Unseen, u, "the service returned nothing for it, asked four times")
			}
			older := len(r.msgs) > 0
			for _, m := range r.msgs {
				if topTime.IsZero() {
					topTime = m.Time
				}
				if lowSeq == 0 || m.MsgSeq < lowSeq {
					lowSeq, lowTime = m.MsgSeq, m.Time
				}
				older = older && !gw.since.IsZero() && m.Time.Before(gw.since)
			}
			if !emit(r.msgs) {
				stopped, st.Stop = true, "caller stopped"
				break
			}
			switch {
			case older:
				stopped, st.Stop = true, "time bound"
			case r.expired:
				stopped, st.Stop = true, "expired"
			case s.lo <= 1:
				stopped, st.Stop = true, "start of history"
			case len(r.unseen) == int(s.hi-s.lo+1) && s.hi-s.lo+1 == 20:
				stopped, stopErr = true, &chatrecall.HistoryError{Method: "sweep", Conversation: gw.conv,
					Problem: fmt.Sprintf("20 sequence numbers in a row (%d to %d) returned nothing", s.lo, s.hi)}
				st.Unseen = append(st.Unseen, Range{FirstSeq: 1, LastSeq: s.lo - 1, Why: "not read: the history stopped answering"})
			}
			if stopped {
				cancel()
				break
			}
		}
		if !stopped && emitted >= total {
			st.Stop = "start of history"
		}
	}
	if stopErr != nil {
		st.Stop = stopErr.Error()
	}
	return st, stopErr
}

// newest reads the newest page, asking for 20 messages, then for one, then
// for one again; nil with no error means an empty group. It returns the
// page and the count it asked for.
func (gw *groupWalk) newest(ctx context.Context, st *readStats) (*chatrecall.GroupHistoryPage, int, error) {
	for _, n := range []int{chatrecall.MaxGroupHistoryPage, 1, 1} {
		p, err := gw.page(ctx, 0, n)
		if err != nil {
			st.Stop = err.Error()
			st.Unseen = append(st.Unseen, Range{Why: "not read: " + err.Error()})
			return nil, 0, err
		}
		st.Pages++
		for _, m := range p.Messages {
			if m.MsgSeq > 0 && m.MsgSeq <= chatrecall.MaxMsgSeq {
				return p, n, nil
			}
		}
		if p.IsFinished != 0 {
			st.Stop = "finished"
			return nil, 0, nil
		}
	}
	err := &chatrecall.HistoryError{Method: "sweep", Conversation: gw.conv, Problem: "the newest page came back empty and not finished, three times"}
	st.Stop, st.Unseen = err.Error(), append(st.Unseen, Range{Why: "not read: " + err.Error()})
	return nil, 0, err
}

// appendSeq adds seq to the ranges, joining it to the last one when they
// touch.
func appendSeq(rs []Range, seq uint64, why string) []Range {
	if n := len(rs); n > 0 && rs[n-1].Why == why && rs[n-1].FirstSeq == seq+1 {
		rs[n-1].FirstSeq = seq
		return rs
	}
	return append(rs, Range{FirstSeq: seq, LastSeq: seq, Why: why})
}

package sweep

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file reads a one-to-one conversation with many pages in flight. The
// window is cut into time slices, each owning the seconds [lo, hi] and read
// newest first with LastMsgKey. The read starts as one slice (most
// conversations are one page); whenever fewer slices are running than the
// gate lets through, the running slice with the most time left, of those a
// page showed to have more, is cut in two and its older half gets a reader
// of its own. Each slice asks one
// second wider than it owns on both sides and keeps only its own seconds,
// so no message falls between two slices whether the service's MinTime and
// MaxTime are inclusive or not; within a slice, a message listed before is
// dropped (the keys kept are those at or below the cursor's second, so
// memory does not grow with the slice).

type c2cSlice struct {
	lane int
	mu   sync.Mutex
	lo   int64  // owns messages with lo ≤ time ≤ hi (seconds)
	hi   int64  //
	cur  int64  // MaxTime of the next page
	key  string // LastMsgKey of the next page; "" on the first
	// low is the earliest second the slice has emitted a message of: a
	// page the cursor could not move past (a stuck answer) may still have
	// listed seconds below the cursor, and a cut must not give them away.
	low  int64
	done bool
	// more: a page showed the slice has more than one page to read: only
	// such a slice is worth cutting (most conversations are one page).
	more bool
}

// top is the latest second a cut may give away: below both the cursor and
// everything emitted. Called with s.mu held.
func (s *c2cSlice) top() int64 { return min(s.cur, s.low-1) }

func (s *c2cSlice) hasMore() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.more
}

// left is how many seconds the slice has still to read.
func (s *c2cSlice) left() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return 0
	}
	return s.top() - s.lo
}

type c2cWalk struct {
	api         API
	gate        *gate
	conv        chatrecall.Conversation
	since, till int64 // inclusive, unix seconds
	slices      func() int
	grow        chan struct{} // a slice found it has more than a page
}

type sliceDone struct {
	s   *c2cSlice
	err error
}

// run reads [since, till]; emit gets each page's new messages with the
// slice's lane, laneEnd each lane as it finishes. emit returns false to
// stop the whole read.
func (w *c2cWalk) run(ctx context.Context, emit func(lane int, msgs []chatrecall.Message) bool, laneEnd func(lane int)) (readStats, error) {
	var st readStats
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		stopped bool
		lanes   int
		live    []*c2cSlice
	)
	done := make(chan sliceDone)
	start := func(lo, hi int64) {
		s := &c2cSlice{lane: lanes, lo: lo, hi: hi, cur: hi, low: hi + 1}
		lanes++
		live = append(live, s)
		go func() { done <- sliceDone{s, w.readSlice(ctx, s, &st, &mu, &stopped, emit)} }()
	}
	// Start with one slice: most conversations are one page. A slice that
	// shows it has more is cut in two, and again, while the gate lets
	// more through.
	w.grow = make(chan struct{}, 1)
	start(w.since, w.till)
	running := len(live)
	var firstErr error
	for running > 0 {
		select {
		case d := <-done:
			running--
			if d.err != nil && firstErr == nil && (chatrecall.Repeats(d.err) || ctx.Err() != nil) {
				firstErr = d.err // every other slice would fail the same way
				cancel()
			}
			if d.err != nil {
				d.s.mu.Lock()
				st.Unseen = append(st.Unseen, Range{Since: time.Unix(d.s.lo, 0), Until: time.Unix(min(d.s.cur, d.s.hi), 0), Why: "not read: " + d.err.Error()})
				d.s.mu.Unlock()
			} else if laneEnd != nil {
				laneEnd(d.s.lane)
			}
		case <-w.grow:
		}
		mu.Lock()
		halt := stopped
		mu.Unlock()
		for firstErr == nil && !halt && running < w.slices() {
			// Cut the running slice with the most time left in two.
			var big *c2cSlice
			for _, s := range live {
				if s.hasMore() && (big == nil || s.left() > big.left()) {
					big = s
				}
			}
			if big == nil || big.left() < 2 {
				break
			}
			big.mu.Lock()
			if big.done || big.top()-big.lo < 2 {
				big.mu.Unlock()
				break
			}
			mid := big.lo + (big.top()-big.lo)/2
			lo := big.lo
			big.lo = mid + 1
			big.mu.Unlock()
			start(lo, mid)
			running++
		}
		// Forget finished slices.
		kept := live[:0]
		for _, s := range live {
			if s.left() > 0 {
				kept = append(kept, s)
			}
		}
		live = kept
	}
	switch {
	case firstErr != nil:
		st.Stop = firstErr.Error()
	case len(st.Unseen) > 0:
		st.Stop = "finished, with parts not read"
	case stopped:
		st.Stop = "caller stopped"
	default:
		st.Stop = "finished"
	}
	return st, firstErr
}

// stuckTries is how many times a page that breaks the paging rules (an
// incomplete page without messages, a LastMsgKey that does not move) is
// asked again before the slice gives up on it.
const stuckTries = 3

func (w *c2cWalk) readSlice(ctx context.Context, s *c2cSlice, st *readStats, mu *sync.Mutex, stopped *bool, emit func(int, []chatrecall.Message) bool) error {
	// emitted holds the keys this slice listed at or below its cursor's
	// second: a page may list the cursor's second again, and a stuck or
	// short page may have listed seconds below it that the next pages list
	// again. Keys above the cursor are dropped: walking down, a later page
	// never lists them (one that does is stale, and is filtered by time).
	emitted := map[string]int64{}
	first := true
	stuck := 0
	for {
		s.mu.Lock()
		lo, cur, key := s.lo, s.cur, s.key
		if first {
			cur++ // one second wider than owned: MaxTime may be exclusive
		}
		s.mu.Unlock()
		if ctx.Err() != nil {
			return nil // stopped by another slice's failure or the caller
		}
		t0, err := w.gate.acquire(ctx)
		if err != nil {
			return nil
		}
		p, err := w.api.C2CHistoryPage(ctx, chatrecall.C2CHistoryPageRequest{Account: w.conv.Account, Peer: w.conv.Peer,
			MinTime: time.Unix(max(0, lo-1), 0), MaxTime: time.Unix(cur, 0), LastMsgKey: key})
		w.gate.release(t0)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// Filter, emit and move the cursor as one step under the slice's
		// lock: a cut (which raises lo) then falls wholly before or after
		// it, so no second of this page is given away once emitted.
		s.mu.Lock()
		lo, hi := s.lo, s.hi
		keys := make(map[string]bool, len(p.Messages))
		var out []chatrecall.Message
		for _, m := range p.Messages {
			t := m.Time.Unix()
			_, listed := emitted[m.MsgKey]
			if m.MsgKey == "" || keys[m.MsgKey] || listed || t < lo || t > hi || !first && t > cur {
				continue // listed before (walking down, everything above the cursor was)
			}
			keys[m.MsgKey] = true
			s.low = min(s.low, t)
			out = append(out, m)
		}
		mu.Lock()
		st.Pages++
		halt := *stopped
		if !halt && len(out) > 0 && !emit(s.lane, out) {
			*stopped, halt = true, true
		}
		mu.Unlock()
		last := p.LastMsgTime.Unix()
		switch {
		case halt:
			s.done = true
		case p.Complete || (len(p.Messages) > 0 && last < s.lo):
			s.done = true
		case len(p.Messages) == 0 || p.LastMsgKey == "" || p.LastMsgKey == key:
			if stuck++; stuck <= stuckTries {
				break // ask the same page again
			}
			err = &chatrecall.HistoryError{Method: "sweep", Conversation: w.conv, Problem: "an incomplete page (Complete 0) carried no messages"}
			if len(p.Messages) > 0 {
				err = &chatrecall.HistoryError{Method: "sweep", Conversation: w.conv, Problem: fmt.Sprintf("LastMsgKey did not move (%q)", p.LastMsgKey)}
			}
		default:
			s.cur, s.key, stuck = last, p.LastMsgKey, 0
			if !s.more {
				s.more = true
				select {
				case w.grow <- struct{}{}:
				default:
				}
			}
		}
		for _, m := range out {
			emitted[m.MsgKey] = m.Time.Unix()
		}
		for k, t := range emitted {
			if t > s.cur {
				delete(emitted, k)
			}
		}
		if err != nil {
			s.done = true
		}
		done := s.done
		s.mu.Unlock()
		if halt {
			return nil
		}
		if err != nil || done {
			return err
		}
		if stuck == 0 {
			first = false
		}
	}
}

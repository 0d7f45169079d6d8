package sweep

import (
	"context"
	"math/bits"
	"sort"
	"sync"

	"github.com/chatrecall/chatrecall"
)

// This file reads segments of a group's history: up to 20 sequence
// numbers, read until every one is accounted for, whatever kind of paging
// the service does (the 20 newest messages ≤ s, or the messages in
// [s-19, s]): a page proves the seqs it returns, a full page proves
// everything between its lowest seq and its cursor, and a page marked
// finished proves its whole range. What a page leaves out is asked again,
// then one seq at a time, before it is declared unseen.

// segment is an inclusive range of sequence numbers, at most 20 wide.
type segment struct{ hi, lo uint64 }

// segRead is what reading one segment found.
type segRead struct {
	msgs    []chatrecall.Message // newest first, each seq once
	unseen  []uint64             // seqs declared gaps
	expired bool                 // IsFinished 2: everything older expired
	pages   int
	err     error
}

// groupPager reads segments of one group through the history gate.
type groupPager struct {
	api  API
	gate *gate
	conv chatrecall.Conversation
}

func (g *groupPager) page(ctx context.Context, before uint64, n int) (*chatrecall.GroupHistoryPage, error) {
	start, err := g.gate.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer g.gate.release(start)
	return g.api.GroupHistoryPage(ctx, chatrecall.GroupHistoryPageRequest{GroupID: g.conv.GroupID, TopicID: g.conv.TopicID, Before: before, Count: n})
}

// read reads seg; first, when set, is an answer already received for a
// page at seg.hi of at least seg's width (the newest page).
func (g *groupPager) read(ctx context.Context, seg segment, first *chatrecall.GroupHistoryPage, firstN int) segRead {
	var r segRead
	w := int(seg.hi - seg.lo + 1)
	var covered uint32 // bit i: seq hi-i is accounted for
	all := uint32(1)<<w - 1
	found := make(map[uint64]chatrecall.Message, w)
	mark := func(from, to uint64) { // inclusive, clipped to seg
		from, to = max(from, seg.lo), min(to, seg.hi)
		for s := from; s <= to && s >= seg.lo; s++ {
			covered |= 1 << (seg.hi - s)
		}
	}
	single, tries := false, 0
	for covered != all {
		t := seg.hi - uint64(bits.TrailingZeros32(^covered)) // highest seq not accounted for
		n := int(t - seg.lo + 1)
		if single {
			n = 1
		}
		p := first
		if p != nil {
			first, n = nil, firstN
		} else {
			var err error
			if p, err = g.page(ctx, t, n); err != nil {
				r.err = err
				return r
			}
		}
		r.pages++
		var lowest uint64
		distinct := 0
		seen := make(map[uint64]bool, len(p.Messages))
		for _, m := range p.Messages {
			if m.MsgSeq == 0 || m.MsgSeq > t || seen[m.MsgSeq] {
				continue
			}
			seen[m.MsgSeq] = true
			distinct++
			if lowest == 0 || m.MsgSeq < lowest {
				lowest = m.MsgSeq
			}
			if m.MsgSeq >= seg.lo {
				found[m.MsgSeq] = m
				mark(m.MsgSeq, m.MsgSeq)
			}
		}
		switch {
		case p.IsFinished == 2:
			r.expired = true
			covered = all // older messages expired: nothing more to ask
		case distinct >= n:
			mark(lowest, t) // a full page leaves nothing out between
		case p.IsFinished == 1: // the whole requested range was returned
			mark(max(1, t+1-min(t, uint64(n))), t)
		}
		if covered&(1<<(seg.hi-t)) != 0 {
			single, tries = false, 0
			continue
		}
		if !single {
			single = true // no progress: ask for t alone
			continue
		}
		if tries++; tries < 3 {
			continue
		}
		r.unseen = append(r.unseen, t) // asked four times: a gap
		mark(t, t)
		single, tries = false, 0
	}
	r.msgs = make([]chatrecall.Message, 0, len(found))
	for _, m := range found {
		r.msgs = append(r.msgs, m)
	}
	sort.Slice(r.msgs, func(i, j int) bool { return r.msgs[i].MsgSeq > r.msgs[j].MsgSeq })
	return r
}

// groupStates reads the sequence numbers of items back, each page covering
// up to 20 of them, many pages at once.
func (r *run) groupStates(ctx context.Context, items []Item, out []int8) ([]int8, []Range, error) {
	at := make(map[uint64]int, len(items))
	seqs := make([]uint64, 0, len(items))
	for n, it := range items {
		if _, dup := at[it.MsgSeq]; !dup {
			seqs = append(seqs, it.MsgSeq)
		}
		at[it.MsgSeq] = n
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] > seqs[j] })
	var segs []segment
	for k := 0; k < len(seqs); {
		hi, lo := seqs[k], seqs[k]
		for k < len(seqs) && seqs[k]+19 >= hi {
			lo = seqs[k]
			k++
		}
		segs = append(segs, segment{hi: hi, lo: lo})
	}
	p := &groupPager{api: r.s.api, gate: r.histGate, conv: r.conv}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		unseen []Range
		first  error
	)
	sem := make(chan struct{}, max(1, r.histGate.most))
	for _, sg := range segs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := p.read(ctx, sg, nil, 0)
			mu.Lock()
			defer mu.Unlock()
			for _, m := range res.msgs {
				if n, ok := at[m.MsgSeq]; ok {
					out[n] = int8(m.State)
				}
			}
			for _, u := range res.unseen {
				unseen = appendSeq(unseen, u, "the service returned nothing for it, asked four times")
			}
			if res.err != nil {
				unseen = append(unseen, Range{FirstSeq: sg.lo, LastSeq: sg.hi, Why: "not read back: " + res.err.Error()})
				if first == nil {
					first = res.err
				}
			}
		}()
	}
	wg.Wait()
	return out, unseen, first
}

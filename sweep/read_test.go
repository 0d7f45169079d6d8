package sweep_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// planAll plans every message of a stub group (Match accepts all).
func planAll(t *testing.T, st *stub, f sweep.Filter) ([]uint64, error) {
	t.Helper()
	if f.Match == nil {
		f.Match = func(chatrecall.Message) bool { return true }
	}
	var got []uint64
	var err error
	for it, e := range sweep.New(st).Plan(bg, chatrecall.Conversation{GroupID: "@TGS#stub"}, f, nil) {
		if e != nil {
			err = e
			break
		}
		got = append(got, it.MsgSeq)
	}
	return got, err
}

func newStub(mode string, top uint64, holes ...uint64) *stub {
	st := &stub{mode: mode, top: top, holes: map[uint64]bool{},
		sender: func(seq uint64) string { return fmt.Sprintf("u%d", seq%7) },
		at:     func(seq uint64) time.Time { return epoch.Add(-time.Duration(top-seq) * time.Minute) }}
	for _, h := range holes {
		st.holes[h] = true
	}
	return st
}

func existing(st *stub, lo uint64) []uint64 {
	var out []uint64
	for seq := st.top; seq >= lo && seq >= 1; seq-- {
		if !st.holes[seq] {
			out = append(out, seq)
		}
	}
	return out
}

// TestGroupReadLeavesNoHole: whatever kind of paging the service does and
// however its pages come back short, empty or truncated from either end,
// every message is planned exactly once, newest first, and nothing is
// declared unseen. Holes in the seqs (messages that never existed) are not
// gaps.
func TestGroupReadLeavesNoHole(t *testing.T) {
	holes := []uint64{3, 40, 41, 42, 100, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 400}
	firstTry := func(f func(before uint64, n int, p *chatrecall.GroupHistoryPage)) func(uint64, int, int, *chatrecall.GroupHistoryPage) {
		return func(before uint64, n, try int, p *chatrecall.GroupHistoryPage) {
			if try == 1 && before%3 != 0 { // most cursors, the first time
				f(before, n, p)
			}
		}
	}
	faults := map[string]func(uint64, int, int, *chatrecall.GroupHistoryPage){
		"clean": nil,
		"short pages, newest half kept": firstTry(func(_ uint64, _ int, p *chatrecall.GroupHistoryPage) {
			p.Messages, p.IsFinished = p.Messages[:len(p.Messages)/2], 0
		}),
		"short pages, oldest half kept": firstTry(func(_ uint64, _ int, p *chatrecall.GroupHistoryPage) {
			p.Messages, p.IsFinished = p.Messages[len(p.Messages)/2:], 0
		}),
		"empty pages": firstTry(func(_ uint64, _ int, p *chatrecall.GroupHistoryPage) {
			p.Messages, p.IsFinished = nil, 0
		}),
		"stale pages": firstTry(func(before uint64, _ int, p *chatrecall.GroupHistoryPage) {
			p.Messages, p.IsFinished = []chatrecall.Message{{MsgSeq: before + 1, Sender: "u", Time: epoch}}, 0
		}),
		"every page twice empty": func(before uint64, n, try int, p *chatrecall.GroupHistoryPage) {
			if try <= 2 && n > 1 {
				p.Messages, p.IsFinished = nil, 0
			}
		},
	}
	for _, mode := range []string{"count", "range"} {
		for name, fault := range faults {
			t.Run(mode+"/"+name, func(t *testing.T) {
				st := newStub(mode, 437, holes...)
				st.fault = fault
				got, err := planAll(t, st, sweep.Filter{})
				require.NoError(t, err)
				assert.Equal(t, existing(st, 1), got)
			})
		}
	}
}

// TestGroupReadDeclaresGaps: a seq the service never returns (and never
// says is absent) is asked again, then alone, then declared unseen: the
// plan ends with an *IncompleteError naming it, and every other message is
// planned.
func TestGroupReadDeclaresGaps(t *testing.T) {
	for _, mode := range []string{"count", "range"} {
		t.Run(mode, func(t *testing.T) {
			st := newStub(mode, 137)
			st.fault = func(before uint64, n, try int, p *chatrecall.GroupHistoryPage) {
				kept := p.Messages[:0]
				for _, m := range p.Messages {
					if m.MsgSeq != 77 && m.MsgSeq != 76 {
						kept = append(kept, m)
					}
				}
				if len(kept) < len(p.Messages) {
					p.IsFinished = 0
				}
				p.Messages = kept
			}
			got, err := planAll(t, st, sweep.Filter{})
			require.ErrorIs(t, err, sweep.ErrIncomplete)
			var ie *sweep.IncompleteError
			require.ErrorAs(t, err, &ie)
			require.Len(t, ie.Unseen, 1)
			assert.Equal(t, uint64(76), ie.Unseen[0].FirstSeq)
			assert.Equal(t, uint64(77), ie.Unseen[0].LastSeq)
			assert.Contains(t, err.Error(), "seqs 76-77")
			var want []uint64
			for _, s := range existing(st, 1) {
				if s != 76 && s != 77 {
					want = append(want, s)
				}
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestGroupReadStopsAtTheTimeBound: the read ends at the first segment
// wholly older than Since, and reads only a few segments past it.
func TestGroupReadStopsAtTheTimeBound(t *testing.T) {
	st := newStub("count", 5000) // a message a minute
	since := epoch.Add(-300 * time.Minute)
	got, err := planAll(t, st, sweep.Filter{Since: since})
	require.NoError(t, err)
	assert.Equal(t, existing(st, 5000-300), got)
	need := 300/20 + 1
	assert.LessOrEqual(t, st.pages, need+4, "pages read past the bound")
}

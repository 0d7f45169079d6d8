package sweep

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/chatrecall/chatrecall"
)

// This file is the opt-in delete-by-sender fast path. delete_group_msg_by_sender
// takes back everything a sender posted among the group's last 1,000
// messages, silently, and names nothing it took. So it is asked for a
// sender only when a read of those 1,000 messages, made just before, shows
// that every visible message of that sender there is in the plan; the same
// read, made again after, shows what went, and anything that went without
// being planned (posted between the two reads) is reported as Extra.

// deleteReach is how many of the group's newest messages
// delete_group_msg_by_sender reaches.
const deleteReach = 1000

type seen struct {
	sender string
	state  chatrecall.MessageState
}

// lastMessages reads the group's newest deleteReach messages, and at least
// down to floor when floor is not 0; complete is false when any of it
// could not be seen.
func (r *run) lastMessages(ctx context.Context, floor uint64) (map[uint64]seen, uint64, bool) {
	out := map[uint64]seen{}
	var top uint64
	gw := &groupWalk{groupPager: &groupPager{api: r.s.api, gate: r.histGate, conv: r.conv}, ahead: func() int { return 2*r.histGate.window() + 4 }}
	rs, err := gw.run(ctx, func(msgs []chatrecall.Message) bool {
		for _, m := range msgs {
			top = max(top, m.MsgSeq)
			out[m.MsgSeq] = seen{m.Sender, m.State}
		}
		low := top - min(top, deleteReach-1)
		if floor != 0 {
			low = min(low, floor)
		}
		for _, m := range msgs {
			if m.MsgSeq <= low {
				return false
			}
		}
		return len(msgs) > 0
	})
	return out, top, err == nil && len(rs.Unseen) == 0
}

func (r *run) deleteBySender(ctx context.Context, f Filter) (*Report, error) {
	var planned []int
	rs, planErr := r.s.readWith(ctx, r.conv, f, &r.rep.Plan, r.histGate, func(_ int, it Item) bool {
		r.mu.Lock()
		planned = append(planned, r.rep.add(it, 0))
		r.mu.Unlock()
		return true
	}, nil, nil)
	r.rep.Unseen = append(r.rep.Unseen, rs.Unseen...)
	inPlan := make(map[uint64]bool, len(planned))
	bySender := map[string][]int{}
	var senders []string
	for _, i := range planned {
		it := r.rep.item(i)
		inPlan[it.MsgSeq] = true
		if bySender[it.Sender] == nil {
			senders = append(senders, it.Sender)
		}
		bySender[it.Sender] = append(bySender[it.Sender], i)
	}
	sort.Strings(senders)
	asked := map[string]bool{}
	var before map[uint64]seen
	if planErr == nil && len(planned) > 0 {
		snap, top, complete := r.lastMessages(ctx, 0)
		before = snap
		for _, s := range senders {
			note := SenderNote{Sender: s}
			out := 0
			for seq, m := range snap {
				if m.sender == s && m.state == chatrecall.MessageNormal && !inPlan[seq] && seq+deleteReach > top {
					out++
				}
			}
			switch {
			case !complete:
				note.Why = "part of the group's last 1,000 messages could not be read: recalled one by one"
			case out > 0:
				note.Why = fmt.Sprintf("%d visible message(s) of the sender among the group's last 1,000 are not in the plan: recalled one by one", out)
			default:
				_, err := r.s.api.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: r.conv.GroupID, TopicID: r.conv.TopicID, Sender: s})
				switch {
				case err == nil:
					note.Deleted, note.Why = true, "every visible message of the sender among the group's last 1,000 is in the plan"
				case errors.Is(err, chatrecall.ErrOutcomeUnknown):
					note.Deleted, note.Why = true, "asked, answer lost: "+err.Error()
				default:
					note.Why = "delete_group_msg_by_sender failed: " + err.Error()
				}
				asked[s] = note.Deleted
			}
			r.rep.Senders = append(r.rep.Senders, note)
		}
	}
	// Read back what went, and what went that was not planned.
	var finals []int
	if len(asked) > 0 {
		var lowest uint64
		for seq := range before {
			if lowest == 0 || seq < lowest {
				lowest = seq
			}
		}
		after, _, _ := r.lastMessages(ctx, lowest)
		r.mu.Lock()
		for _, i := range planned {
			rec := &r.rep.recs[i]
			m, ok := after[rec.seq]
			if !asked[r.rep.names[rec.sender]] || !ok || m.state == chatrecall.MessageNormal {
				continue
			}
			rec.flags |= fDeletedBySender | fEnded
			rec.check = CheckRecalled
			if m.state == chatrecall.MessageDeleted {
				rec.check = CheckDeleted
			}
			finals = append(finals, i)
		}
		var extra []uint64
		for seq, m := range after {
			was, known := before[seq]
			if asked[m.sender] && m.state != chatrecall.MessageNormal && !inPlan[seq] && (!known || was.state == chatrecall.MessageNormal) {
				extra = append(extra, seq)
			}
		}
		sort.Slice(extra, func(i, j int) bool { return extra[i] > extra[j] })
		for _, seq := range extra {
			m := after[seq]
			i := r.rep.add(Item{Conversation: r.conv, Sender: m.sender, MsgSeq: seq}, fExtra|fDeletedBySender|fEnded)
			r.rep.recs[i].check = CheckRecalled
			finals = append(finals, i)
		}
		r.mu.Unlock()
	}
	r.final(finals)
	// The rest goes the usual way, as one window per 128 records.
	in := make(chan int, len(planned))
	var w *window
	r.mu.Lock()
	for _, i := range planned {
		if r.rep.recs[i].flags&fDeletedBySender != 0 {
			continue
		}
		r.addToWindow(&w, i)
		in <- i
	}
	if w != nil {
		r.closeLocked(w)
	}
	r.mu.Unlock()
	close(in)
	prior := r.s.o.PossiblyApplied
	r.maybeFn = func(it Item) bool { return asked[it.Sender] || (prior != nil && prior(it)) }
	r.startPipeline(ctx, in)
	r.wait()
	return r.finish(ctx, planErr)
}

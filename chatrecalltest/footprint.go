package chatrecalltest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// This file builds an account's footprint for takedown tests: the groups
// and one-to-one conversations it posted in over a window, among other
// people's messages, and the live-stream groups only a webhook ledger
// knows of.

// Footprint describes what an account posted, for AddFootprint.
type Footprint struct {
	Account string
	// Groups is how many groups ("Public", named FootprintGroup(i)) the
	// account is a member of; each holds GroupMessages messages over the
	// window, Own of them the account's, spread evenly, the rest posted by
	// other members.
	Groups, GroupMessages, Own int
	// Peers is how many one-to-one peers (FootprintPeer(i)) the account
	// wrote to: PeerMessages messages from the account to each, and
	// PeerReplies from each peer back, interleaved.
	Peers, PeerMessages, PeerReplies int
	// LiveGroups is how many live-stream groups (AVChatRoom,
	// FootprintLiveGroup(i)) the account posted LiveMessages messages in.
	// They keep no history and do not list the account as a member: only
	// a webhook ledger that recorded Trail.Sent finds them.
	LiveGroups, LiveMessages int
	// From and To span every conversation's messages.
	From, To time.Time
	// Seed makes the other members' names repeatable.
	Seed uint64
}

// FootprintGroup, FootprintPeer and FootprintLiveGroup name what
// AddFootprint creates.
func FootprintGroup(i int) string { return fmt.Sprintf("@TGS#fp%04d", i) }

// FootprintPeer names the i-th one-to-one peer of a footprint.
func FootprintPeer(i int) string { return fmt.Sprintf("peer%04d", i) }

// FootprintLiveGroup names the i-th live-stream group of a footprint.
func FootprintLiveGroup(i int) string { return fmt.Sprintf("@TGS#live%03d", i) }

// Trail is what AddFootprint added.
type Trail struct {
	Groups, LiveGroups, Peers []string
	// Sent is every message added, oldest first within each conversation:
	// what an after-send ledger would hold (record it in one to let a
	// takedown find the live-stream groups and peers past the
	// conversation-list cap).
	Sent []Sent
	// Own is how many of them the account sent.
	Own int
}

// AddFootprint adds f's conversations and messages.
func (s *Server) AddFootprint(f Footprint) *Trail {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := &Trail{}
	rng := rand.New(rand.NewPCG(f.Seed, 3))
	span := f.To.Sub(f.From)
	at := func(i, n int) time.Time {
		return f.From.Add(time.Duration(int64(span) / int64(max(n, 1)) * int64(i))).Truncate(time.Second)
	}
	group := func(id, typ string, total, own int, member bool) {
		g := s.state.groups[id]
		if g == nil {
			g = &group{Group: Group{ID: id, Type: typ}, store: newSeqStore()}
			s.state.groups[id] = g
		}
		if member {
			if g.members == nil {
				g.members = map[string]bool{}
			}
			g.members[f.Account] = true
		}
		every := total / max(own, 1)
		for i := range total {
			sender := fmt.Sprintf("member%02d", rng.IntN(50))
			if own > 0 && i%every == every-1 && i/every < own {
				sender = f.Account
				tr.Own++
			}
			m := &stored{seq: g.store.next(), sender: sender, at: at(i, total), random: rng.Uint32(), state: MessagePresent}
			g.store.add(m)
			tr.Sent = append(tr.Sent, Sent{Group: id, Sender: sender, Seq: m.seq, Time: m.at})
		}
	}
	for i := range f.Groups {
		tr.Groups = append(tr.Groups, FootprintGroup(i))
		group(FootprintGroup(i), "Public", f.GroupMessages, f.Own, true)
	}
	for i := range f.LiveGroups {
		tr.LiveGroups = append(tr.LiveGroups, FootprintLiveGroup(i))
		group(FootprintLiveGroup(i), "AVChatRoom", f.LiveMessages, f.LiveMessages, false)
	}
	for i := range f.Peers {
		peer := FootprintPeer(i)
		tr.Peers = append(tr.Peers, peer)
		n := f.PeerMessages + f.PeerReplies
		mine, theirs := 0, 0
		for j := range n {
			from, to := f.Account, peer
			if theirs < f.PeerReplies && (j%2 == 1 || mine == f.PeerMessages) {
				from, to = peer, f.Account
				theirs++
			} else {
				mine++
				tr.Own++
			}
			s.state.seq++
			seq := uint64(s.state.seq)
			random := rng.Uint32()
			t := at(j, n)
			m := &stored{seq: seq, key: fmt.Sprintf("%d_%d_%d", seq, random, t.Unix()), sender: from, to: to, at: t, random: random, state: MessagePresent}
			s.state.addC2C(m)
			tr.Sent = append(tr.Sent, Sent{Sender: from, To: to, Seq: seq, Key: m.key, Time: t})
		}
	}
	return tr
}

package chatrecalltest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file keeps the history the server answers group_msg_get_simple,
// admin_getroammsg and official_account_msg_get_simple from, and performs
// delete_group_msg_by_sender.

// stored is one message the server holds.
type stored struct {
	seq    uint64
	key    string // one-to-one and official accounts
	sender string
	to     string
	at     time.Time
	random uint32
	state  MessageState
	// recalledAt is when the message was recalled (the server's clock);
	// with WithHistoryLag, history shows the recall only a lag later.
	recalledAt time.Time
}

// recall marks m recalled now.
func (s *Server) recall(m *stored) {
	m.state, m.recalledAt = MessageRecalled, s.clock.Now()
}

// shown is the state history shows of m: a recall younger than the
// history lag still shows as present.
func (s *Server) shown(m *stored) MessageState {
	if m.state == MessageRecalled && s.historyLag > 0 && s.clock.Now().Before(m.recalledAt.Add(s.historyLag)) {
		return MessagePresent
	}
	return m.state
}

// seqStore holds the messages of a group, a topic or an official account,
// by sequence number.
type seqStore struct {
	bySeq map[uint64]*stored
	byKey map[string]*stored
	seqs  []uint64 // ascending
}

func newSeqStore() *seqStore {
	return &seqStore{bySeq: map[uint64]*stored{}, byKey: map[string]*stored{}}
}

// add stores m, replacing a message with the same sequence number.
func (s *seqStore) add(m *stored) {
	if old := s.bySeq[m.seq]; old != nil {
		delete(s.byKey, old.key)
	} else {
		i := sort.Search(len(s.seqs), func(i int) bool { return s.seqs[i] >= m.seq })
		s.seqs = append(s.seqs, 0)
		copy(s.seqs[i+1:], s.seqs[i:])
		s.seqs[i] = m.seq
	}
	s.bySeq[m.seq] = m
	if m.key != "" {
		s.byKey[m.key] = m
	}
}

func (s *seqStore) next() uint64 {
	if len(s.seqs) == 0 {
		return 1
	}
	return s.seqs[len(s.seqs)-1] + 1
}

func (s *seqStore) state(seq uint64) MessageState {
	if m := s.bySeq[seq]; m != nil {
		return m.state
	}
	return MessageMissing
}

// page returns up to n messages with seq ≤ cursor (every seq when cursor is
// 0), newest first, and whether older ones remain.
func (s *seqStore) page(cursor uint64, n int, withRecalled bool) (out []*stored, more bool) {
	hi := len(s.seqs)
	if cursor != 0 {
		hi = sort.Search(len(s.seqs), func(i int) bool { return s.seqs[i] > cursor })
	}
	i := hi - 1
	for ; i >= 0 && len(out) < n; i-- {
		m := s.bySeq[s.seqs[i]]
		if m.state == MessageRecalled && !withRecalled {
			continue
		}
		out = append(out, m)
	}
	return out, i >= 0
}

// keySeq is the sequence part of a MsgKey (before the first "_").
func keySeq(key string) (uint64, bool) {
	head, _, _ := strings.Cut(key, "_")
	n, err := strconv.ParseUint(head, 10, 64)
	return n, err == nil && n > 0
}

// c2cKey names the conversation of two accounts.
func c2cKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "\x00" + b
}

// addC2C stores a one-to-one message, keeping each conversation in time
// order.
func (st *state) addC2C(m *stored) {
	st.c2c[m.key] = m
	k := c2cKey(m.sender, m.to)
	list := st.c2cConv[k]
	i := sort.Search(len(list), func(i int) bool {
		return list[i].at.After(m.at) || (list[i].at.Equal(m.at) && list[i].seq > m.seq)
	})
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = m
	st.c2cConv[k] = list
}

// Sent is a message the server stored, as a fill or send helper returns it:
// the ground truth tests compare against.
type Sent struct {
	Group  string // AddFootprint's group messages: the group
	Sender string
	To     string // one-to-one
	Seq    uint64
	Key    string // one-to-one and official accounts
	Time   time.Time
}

// Fill describes messages to add with FillGroup, FillC2C or FillOfficial.
type Fill struct {
	// Messages is how many to add.
	Messages int
	// Senders is how many distinct senders (SenderName(0) …) post them, each
	// message's sender drawn at random; ignored one-to-one, where the two
	// accounts alternate at random.
	Senders int
	// From and To span the messages' times, spread evenly, oldest first,
	// in whole seconds.
	From, To time.Time
	// Seed makes the draw of senders repeatable.
	Seed uint64
	// TopicID puts group messages in a topic of a Community group.
	TopicID string
}

// SenderName is the name Fill gives sender i: "user00", "user01", ….
func SenderName(i int) string { return fmt.Sprintf("user%02d", i) }

func (f Fill) times() func(i int) time.Time {
	span := f.To.Sub(f.From)
	n := max(f.Messages, 1)
	return func(i int) time.Time {
		return f.From.Add(time.Duration(int64(span) / int64(n) * int64(i))).Truncate(time.Second)
	}
}

// FillGroup adds f.Messages messages from f.Senders senders to a group (a
// "Public" one if it does not exist), numbered after its newest, and
// returns them oldest first.
func (s *Server) FillGroup(groupID string, f Fill) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.groupStore(groupID, f.TopicID)
	rng := rand.New(rand.NewPCG(f.Seed, 1))
	at := f.times()
	out := make([]Sent, f.Messages)
	for i := range out {
		sender := SenderName(rng.IntN(max(f.Senders, 1)))
		m := &stored{seq: st.next(), sender: sender, at: at(i), random: rng.Uint32(), state: MessagePresent}
		st.add(m)
		out[i] = Sent{Sender: sender, Seq: m.seq, Time: m.at}
	}
	return out
}

// FillC2C adds f.Messages one-to-one messages between a and b and returns
// them oldest first.
func (s *Server) FillC2C(a, b string, f Fill) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	rng := rand.New(rand.NewPCG(f.Seed, 2))
	at := f.times()
	out := make([]Sent, f.Messages)
	for i := range out {
		from, to := a, b
		if rng.IntN(2) == 1 {
			from, to = b, a
		}
		s.state.seq++
		seq := uint64(s.state.seq)
		random := rng.Uint32()
		t := at(i)
		m := &stored{seq: seq, key: fmt.Sprintf("%d_%d_%d", seq, random, t.Unix()), sender: from, to: to, at: t, random: random, state: MessagePresent}
		s.state.addC2C(m)
		out[i] = Sent{Sender: from, To: to, Seq: seq, Key: m.key, Time: t}
	}
	return out
}

// FillOfficial adds f.Messages messages of an official account (its own
// account is the sender) and returns them oldest first.
func (s *Server) FillOfficial(account string, f Fill) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.officialAccount(account)
	at := f.times()
	out := make([]Sent, f.Messages)
	for i := range out {
		t := at(i)
		seq := a.store.next()
		m := &stored{seq: seq, key: fmt.Sprintf("%d_1_%d", seq, t.Unix()), sender: account, at: t, state: MessagePresent}
		a.store.add(m)
		out[i] = Sent{Sender: account, Seq: seq, Key: m.key, Time: t}
	}
	return out
}

// DeleteGroupMessage marks a group message deleted (or expired): history
// shows it with IsPlaceMsg 1, and recalls answer 10030.
func (s *Server) DeleteGroupMessage(groupID string, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.state.groups[groupID]; g != nil {
		for _, st := range g.stores() {
			if m := st.bySeq[seq]; m != nil {
				m.state = MessageDeleted
			}
		}
	}
}

// groupStore returns the store of a group or one of its topics, creating
// the group ("Public") and the topic if needed. Callers hold s.mu.
func (s *Server) groupStore(groupID, topicID string) *seqStore {
	g := s.state.groups[groupID]
	if g == nil {
		g = &group{Group: Group{ID: groupID, Type: "Public"}, store: newSeqStore()}
		s.state.groups[groupID] = g
	}
	if topicID == "" {
		return g.store
	}
	if g.topics == nil {
		g.topics = map[string]*seqStore{}
	}
	t := g.topics[topicID]
	if t == nil {
		t = newSeqStore()
		g.topics[topicID] = t
	}
	return t
}

// officialAccount returns an account, creating it if needed. Callers hold
// s.mu.
func (s *Server) officialAccount(account string) *officialAccount {
	a := s.state.official[account]
	if a == nil {
		a = &officialAccount{store: newSeqStore()}
		s.state.official[account] = a
	}
	return a
}

package chatrecalltest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
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

// body is what MsgBody holds for a message: a text naming it (empty once
// recalled or deleted, as the service empties it).
func body(m *stored) []any {
	if m.state != MessagePresent {
		return []any{}
	}
	return []any{map[string]any{"MsgType": "TIMTextElem", "MsgContent": map[string]any{"Text": "message " + strconv.FormatUint(m.seq, 10) + " from " + m.sender}}}
}

// failWith answers a whole-request failure.
func failWith(code chatrecall.Code, info string) (any, chatrecall.Code, []string) {
	return chatError(code, info), code, nil
}

func isPlace(st MessageState) int {
	switch st {
	case MessageRecalled:
		return 2
	case MessageDeleted:
		return 1
	}
	return 0
}

func (s *Server) applyGroupHistory(body_ []byte) (any, chatrecall.Code, []string) {
	var req struct {
		GroupID         string          `json:"GroupId"`
		ReqMsgNumber    int             `json:"ReqMsgNumber"`
		ReqMsgSeq       json.RawMessage `json:"ReqMsgSeq"`
		WithRecalledMsg int             `json:"WithRecalledMsg"`
		TopicID         string          `json:"TopicId"`
	}
	if err := json.Unmarshal(body_, &req); err != nil || req.GroupID == "" {
		return failWith(chatrecall.CodeGroupInvalidParameter, "GroupId is required")
	}
	if req.ReqMsgNumber < 1 || req.ReqMsgNumber > 20 {
		return failWith(chatrecall.CodeGroupInvalidParameter, "ReqMsgNumber must be 1 to 20")
	}
	var cursor uint64
	if len(req.ReqMsgSeq) > 0 {
		n, err := strconv.ParseUint(string(req.ReqMsgSeq), 10, 32)
		if err != nil || n == 0 {
			return failWith(chatrecall.CodeGroupInvalidParameter, "ReqMsgSeq must be an unsigned 32-bit integer above 0")
		}
		cursor = n
	}
	g := s.state.groups[req.GroupID]
	switch {
	case g == nil:
		return failWith(chatrecall.CodeGroupNotFound, "group does not exist")
	case g.Type == "AVChatRoom":
		return failWith(chatrecall.CodeGroupNoHistory, "group type does not support roaming messages")
	}
	st := g.store
	if req.TopicID != "" {
		if st = g.topics[req.TopicID]; st == nil {
			return failWith(chatrecall.CodeGroupInvalidParameter, "topic does not exist")
		}
	}
	page, more := st.page(cursor, req.ReqMsgNumber, req.WithRecalledMsg == 1)
	list := make([]map[string]any, len(page))
	for i, m := range page {
		// Oldest first within the page: a client must not rely on order.
		list[len(page)-1-i] = map[string]any{"From_Account": m.sender, "MsgSeq": m.seq, "MsgRandom": m.random, "MsgTimeStamp": m.at.Unix(),
			"MsgPriority": 2, "IsPlaceMsg": isPlace(s.shown(m)), "IsSystemMsg": 0, "MsgBody": body(m)}
	}
	resp := okEnvelope()
	resp["GroupId"] = req.GroupID
	resp["IsFinished"] = map[bool]int{true: 0, false: 1}[more]
	resp["RspMsgList"] = list
	return resp, 0, nil
}

// maxRoamBytes is admin_getroammsg's cap on one answer (13 KB).
const maxRoamBytes = 13 * 1024

func (s *Server) applyC2CHistory(body_ []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Operator   string `json:"Operator_Account"`
		Peer       string `json:"Peer_Account"`
		MaxCnt     int    `json:"MaxCnt"`
		MinTime    *int64 `json:"MinTime"`
		MaxTime    *int64 `json:"MaxTime"`
		LastMsgKey string `json:"LastMsgKey"`
	}
	switch {
	case json.Unmarshal(body_, &req) != nil || req.MaxCnt < 1 || req.MinTime == nil || req.MaxTime == nil:
		return failWith(chatrecall.CodeC2CBodyNotJSON, "MaxCnt, MinTime and MaxTime are required")
	case req.Operator == "":
		return failWith(chatrecall.CodeC2CFromAccountInvalid, "Operator_Account missing")
	case req.Peer == "":
		return failWith(chatrecall.CodeC2CToAccountInvalid, "Peer_Account missing")
	}
	list := s.state.c2cConv[c2cKey(req.Operator, req.Peer)]
	// Walk back from MaxTime (or from just before LastMsgKey).
	i := sort.Search(len(list), func(i int) bool { return list[i].at.Unix() > *req.MaxTime }) - 1
	if req.LastMsgKey != "" {
		for j := i; j >= 0; j-- {
			if list[j].key == req.LastMsgKey {
				i = j - 1
				break
			}
		}
	}
	var out []map[string]any
	size := 0
	for ; i >= 0 && len(out) < req.MaxCnt; i-- {
		m := list[i]
		if m.at.Unix() < *req.MinTime {
			i = -1
			break
		}
		if m.state == MessageDeleted {
			continue
		}
		flags := 0
		if s.shown(m) == MessageRecalled {
			flags = 8
		}
		e := map[string]any{"From_Account": m.sender, "To_Account": m.to, "MsgSeq": m.seq, "MsgRandom": m.random, "MsgTimeStamp": m.at.Unix(),
			"MsgKey": m.key, "MsgFlagBits": flags, "IsPeerRead": 0, "MsgBody": body(m), "CloudCustomData": ""}
		b, _ := json.Marshal(e)
		if size+len(b) > maxRoamBytes && len(out) > 0 {
			break
		}
		size += len(b)
		out = append(out, e)
	}
	complete := i < 0 || list[i].at.Unix() < *req.MinTime
	resp := okEnvelope()
	resp["Complete"] = map[bool]int{true: 1, false: 0}[complete]
	resp["MsgCnt"] = len(out)
	resp["MsgList"] = out
	if len(out) > 0 {
		last := out[len(out)-1]
		resp["LastMsgTime"], resp["LastMsgKey"] = last["MsgTimeStamp"], last["MsgKey"]
	} else {
		resp["LastMsgTime"], resp["LastMsgKey"] = 0, ""
	}
	return resp, 0, nil
}

func (s *Server) applyOfficialHistory(body_ []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account         string `json:"Official_Account"`
		ReqMsgNumber    int    `json:"ReqMsgNumber"`
		LastMsgKey      string `json:"LastMsgKey"`
		WithRecalledMsg int    `json:"WithRecalledMsg"`
	}
	if err := json.Unmarshal(body_, &req); err != nil || req.Account == "" {
		return failWith(chatrecall.CodeOfficialInvalidParameter, "Official_Account is required")
	}
	if req.ReqMsgNumber == 0 {
		req.ReqMsgNumber = 20
	}
	if req.ReqMsgNumber < 0 || req.ReqMsgNumber > 20 {
		return failWith(chatrecall.CodeOfficialInvalidParameter, "ReqMsgNumber must be 1 to 20")
	}
	a := s.state.official[req.Account]
	if a == nil {
		return failWith(chatrecall.CodeOfficialAccountNotFound, "official account does not exist")
	}
	var cursor uint64
	if req.LastMsgKey != "" {
		n, ok := keySeq(req.LastMsgKey)
		if !ok {
			return failWith(chatrecall.CodeOfficialInvalidParameter, "LastMsgKey invalid")
		}
		if n == 1 {
			resp := okEnvelope()
			resp["Official_Account"], resp["IsFinished"], resp["LastMsgKey"], resp["RspMsgList"] = req.Account, 1, "", []any{}
			return resp, 0, nil
		}
		cursor = n - 1
	}
	page, more := a.store.page(cursor, req.ReqMsgNumber, req.WithRecalledMsg == 1)
	list := make([]map[string]any, len(page))
	last := ""
	for i, m := range page {
		list[i] = map[string]any{"From_Account": m.sender, "MsgSeq": m.seq, "MsgKey": m.key, "MsgTimeStamp": m.at.Unix(),
			"IsPlaceMsg": isPlace(s.shown(m)), "MsgBody": body(m)}
		last = m.key
	}
	resp := okEnvelope()
	resp["Official_Account"] = req.Account
	resp["IsFinished"] = map[bool]int{true: 0, false: 1}[more]
	resp["LastMsgKey"] = last
	resp["RspMsgList"] = list
	return resp, 0, nil
}

// deleteBySenderWindow is how far back delete_group_msg_by_sender reaches.
const deleteBySenderWindow = 1000

func (s *Server) applyDeleteBySender(body_ []byte) (any, chatrecall.Code, []string) {
	var req struct {
		GroupID string `json:"GroupId"`
		Sender  string `json:"Sender_Account"`
		TopicID string `json:"TopicId"`
	}
	if err := json.Unmarshal(body_, &req); err != nil || req.GroupID == "" || req.Sender == "" {
		return failWith(chatrecall.CodeGroupInvalidParameter, "GroupId and Sender_Account are required")
	}
	g := s.state.groups[req.GroupID]
	switch {
	case g == nil:
		return failWith(chatrecall.CodeGroupNotFound, "group does not exist")
	case g.Type == "AVChatRoom":
		return okEnvelope(), 0, nil // documented: nothing happens, no error
	}
	st := g.store
	if req.TopicID != "" {
		if st = g.topics[req.TopicID]; st == nil {
			return failWith(chatrecall.CodeGroupInvalidParameter, "topic does not exist")
		}
	}
	var applied []string
	for i := len(st.seqs) - 1; i >= 0 && i >= len(st.seqs)-deleteBySenderWindow; i-- {
		if m := st.bySeq[st.seqs[i]]; m.sender == req.Sender && m.state == MessagePresent {
			s.recall(m) // silently: no callback, no notice
			applied = append(applied, strconv.FormatUint(m.seq, 10))
		}
	}
	if applied == nil {
		applied = []string{}
	}
	return okEnvelope(), 0, applied
}

// alterPage rewrites a history answer for the page faults.
func (s *Server) alterPage(resp any, kind FaultKind, reqBody []byte) any {
	m, ok := resp.(map[string]any)
	if !ok || m["ErrorCode"] != 0 {
		return resp
	}
	var req struct {
		GroupID    string `json:"GroupId"`
		TopicID    string `json:"TopicId"`
		ReqMsgSeq  uint64 `json:"ReqMsgSeq"`
		LastMsgKey string `json:"LastMsgKey"`
	}
	_ = json.Unmarshal(reqBody, &req)
	switch {
	case m["RspMsgList"] != nil && m["GroupId"] != nil: // group, oldest first
		list := m["RspMsgList"].([]map[string]any)
		m["IsFinished"] = 0
		switch kind {
		case FaultShortPage:
			m["RspMsgList"] = list[len(list)/2:]
		case FaultEmptyPage:
			m["RspMsgList"] = []map[string]any{}
		case FaultStalePage:
			var stale []map[string]any
			if req.ReqMsgSeq != 0 {
				s.mu.Lock()
				if g := s.state.groups[req.GroupID]; g != nil {
					st := g.store
					if req.TopicID != "" && g.topics[req.TopicID] != nil {
						st = g.topics[req.TopicID]
					}
					page, _ := st.page(req.ReqMsgSeq+uint64(max(len(list), 1)), max(len(list), 1), true)
					for _, msg := range page {
						if msg.seq > req.ReqMsgSeq {
							stale = append(stale, map[string]any{"From_Account": msg.sender, "MsgSeq": msg.seq, "MsgRandom": msg.random,
								"MsgTimeStamp": msg.at.Unix(), "MsgPriority": 2, "IsPlaceMsg": isPlace(msg.state), "IsSystemMsg": 0, "MsgBody": body(msg)})
						}
					}
				}
				s.mu.Unlock()
			}
			m["RspMsgList"] = stale
		}
	case m["MsgList"] != nil: // one-to-one, newest first
		list := m["MsgList"].([]map[string]any)
		m["Complete"] = 0
		switch kind {
		case FaultShortPage:
			if len(list) > 1 {
				list = list[:len(list)/2]
				m["MsgList"], m["MsgCnt"] = list, len(list)
				m["LastMsgTime"], m["LastMsgKey"] = list[len(list)-1]["MsgTimeStamp"], list[len(list)-1]["MsgKey"]
			}
		case FaultEmptyPage:
			m["MsgList"], m["MsgCnt"] = []map[string]any{}, 0
		case FaultStalePage:
			m["LastMsgKey"] = req.LastMsgKey
		}
	case m["Official_Account"] != nil: // newest first
		list := m["RspMsgList"].([]map[string]any)
		m["IsFinished"] = 0
		switch kind {
		case FaultShortPage:
			if len(list) > 1 {
				list = list[:len(list)/2]
				m["RspMsgList"], m["LastMsgKey"] = list, list[len(list)-1]["MsgKey"]
			}
		case FaultEmptyPage:
			m["RspMsgList"], m["LastMsgKey"] = []map[string]any{}, ""
		case FaultStalePage:
			m["LastMsgKey"] = req.LastMsgKey
		}
	}
	return m
}

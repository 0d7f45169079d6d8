package chatrecalltest

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// MessageState is what the server knows of one message.
type MessageState int

const (
	// MessageMissing: the server never had the message.
	MessageMissing MessageState = iota
	// MessagePresent: the message exists and was not recalled.
	MessagePresent
	// MessageRecalled: the message was recalled.
	MessageRecalled
	// MessageDeleted: the message was deleted or expired (DeleteGroupMessage):
	// history shows it with IsPlaceMsg 1.
	MessageDeleted
)

// String returns "missing", "present", "recalled" or "deleted".
func (m MessageState) String() string {
	if names := [...]string{"missing", "present", "recalled", "deleted"}; int(m) >= 0 && int(m) < len(names) {
		return names[m]
	}
	return "MessageState(" + strconv.Itoa(int(m)) + ")"
}

// Group seeds a group.
type Group struct {
	ID string
	// Type is the group type ("Public", "Work", "Meeting", "AVChatRoom",
	// "Community"); informational.
	Type string
	// NoRecall makes recalls in this group fail with 10033 (group type does
	// not support recall).
	NoRecall bool
}

type group struct {
	Group
	members map[string]bool
	store   *seqStore            // the group's own messages
	topics  map[string]*seqStore // a Community group's topics
}

// stores returns the group's store and its topics'.
func (g *group) stores() []*seqStore {
	out := []*seqStore{g.store}
	for _, t := range g.topics {
		out = append(out, t)
	}
	return out
}

type officialAccount struct {
	store *seqStore
}

// PushTask seeds an all-user or tag push task of v4/timpush.
type PushTask struct {
	// ID is the TaskId; empty means one is generated.
	ID string
	// KeptCopies: the push kept roaming/unread copies. A task without them
	// can only be revoked with OfflinePushInfo (else 90053).
	KeptCopies bool
	// PushedAt is when the push went out; zero means the server's now.
	// Revokes more than 24 hours later get 90052.
	PushedAt time.Time
}

// PushTaskState is a push task as the server holds it.
type PushTaskState struct {
	PushTask
	Revoked bool
	// OfflinePushInfo is the raw JSON the revoke carried, if any.
	OfflinePushInfo json.RawMessage
}

// TPNS task statuses, as get_push_record reports them.
const (
	TPNSStatusInit      = "PUSH_INIT"
	TPNSStatusWait      = "PUSH_WAIT"
	TPNSStatusStarted   = "PUSH_STARTED"
	TPNSStatusFinished  = "PUSH_FINISHED"
	TPNSStatusCanceled  = "PUSH_CANCELED"
	TPNSStatusRevoked   = "PUSH_REVOKED"
	TPNSStatusCollapsed = "PUSH_COLLAPSED"
	TPNSStatusStopped   = "PUSH_DELETED_PUSH_MSG"
)

// TPNSTask seeds a TPNS push task.
type TPNSTask struct {
	// ID is the push ID; empty means one is generated.
	ID string
	// PushType is the audience: all, tag, token_list, account_list,
	// package_account_push.
	PushType string
	// Platform is "android" or "ios"; stop is refused for iOS tasks.
	Platform string
	// Status is one of the TPNSStatus constants; empty means PUSH_STARTED.
	Status string
	// CollapseID allows override; 0 means the task cannot be overridden.
	CollapseID int64
	Title      string
	Content    string
	// SendTime schedules the task; cancel works only before it.
	SendTime time.Time
	// UploadID is a package push's upload (its record's uploadId).
	UploadID int64
}

type pushTask struct {
	PushTaskState
}

type state struct {
	groups   map[string]*group
	official map[string]*officialAccount
	c2c      map[string]*stored   // by MsgKey
	c2cConv  map[string][]*stored // by c2cKey, in time order
	push     map[string]*pushTask
	tpns     map[string]*TPNSTask
	mutes    map[string]*mute // by account
	kicks    map[string]int   // by account
	// groupMutes: by group (and topic), each muted member's end (the
	// zero time: for good).
	groupMutes map[string]map[string]time.Time
	sched      map[int64]*schedTask // scheduled push tasks, by TaskID
	contactCap int                  // recentcontact's cap: 100 unless WithContactCap
	nextID     int
	seq        int64
}

func (st *state) init() {
	st.groups = map[string]*group{}
	st.official = map[string]*officialAccount{}
	st.c2c = map[string]*stored{}
	st.c2cConv = map[string][]*stored{}
	st.push = map[string]*pushTask{}
	st.tpns = map[string]*TPNSTask{}
	st.mutes = map[string]*mute{}
	st.kicks = map[string]int{}
	st.groupMutes = map[string]map[string]time.Time{}
	st.sched = map[int64]*schedTask{}
	if st.contactCap == 0 {
		st.contactCap = 100
	}
	st.nextID = 1000
}

// AddGroup creates (or replaces the settings of) a group.
func (s *Server) AddGroup(g Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.state.groups[g.ID]; old != nil {
		old.Group = g
		return
	}
	s.state.groups[g.ID] = &group{Group: g, store: newSeqStore()}
}

// AddGroupMessages adds messages to a group, creating a "Public" group if
// it does not exist. They have no sender and the server's current time;
// FillGroup and SendGroupMessage add messages with both.
func (s *Server) AddGroupMessages(groupID string, seqs ...uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.groupStore(groupID, "")
	now := s.clock.Now().Truncate(time.Second)
	for _, q := range seqs {
		st.add(&stored{seq: q, at: now, state: MessagePresent})
	}
}

// GroupMessage reports the state of one group message.
func (s *Server) GroupMessage(groupID string, seq uint64) MessageState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.state.groups[groupID]; g != nil {
		return g.store.state(seq)
	}
	return MessageMissing
}

// RecalledGroupMessages lists the recalled sequence numbers of a group.
func (s *Server) RecalledGroupMessages(groupID string) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []uint64
	if g := s.state.groups[groupID]; g != nil {
		for q, m := range g.store.bySeq {
			if m.state == MessageRecalled {
				out = append(out, q)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// AddOfficialAccount creates an official account with no messages.
func (s *Server) AddOfficialAccount(account string) {
	s.AddOfficialMessages(account)
}

// AddOfficialMessages adds messages to an official account, creating it if
// needed.
func (s *Server) AddOfficialMessages(account string, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.officialAccount(account)
	now := s.clock.Now().Truncate(time.Second)
	for _, k := range keys {
		if m := a.store.byKey[k]; m != nil {
			m.state = MessagePresent
			continue
		}
		// A key of the service's form (Seq_1_Time) keeps its seq; any
		// other key gets the next one.
		seq := a.store.next()
		if n, ok := keySeq(k); ok && a.store.bySeq[n] == nil {
			seq = n
		}
		a.store.add(&stored{seq: seq, key: k, sender: account, at: now, state: MessagePresent})
	}
}

// OfficialMessage reports the state of one official-account message.
func (s *Server) OfficialMessage(account, key string) MessageState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.state.official[account]; a != nil {
		if m := a.store.byKey[key]; m != nil {
			return m.state
		}
	}
	return MessageMissing
}

// AddC2CMessage adds a one-to-one message.
func (s *Server) AddC2CMessage(from, to, msgKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.seq++
	s.state.addC2C(&stored{seq: uint64(s.state.seq), key: msgKey, sender: from, to: to, at: s.clock.Now().Truncate(time.Second), state: MessagePresent})
}

// C2CMessage reports the state of a one-to-one message.
func (s *Server) C2CMessage(msgKey string) MessageState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.state.c2c[msgKey]; m != nil {
		return m.state
	}
	return MessageMissing
}

// newID returns an ID no seeded or generated task uses.
func (s *Server) newID(prefix string) string {
	for {
		s.state.nextID++
		id := prefix + strconv.Itoa(s.state.nextID)
		if s.state.push[id] == nil && s.state.tpns[id] == nil {
			return id
		}
	}
}

// AddPushTask seeds a timpush task and returns its TaskId.
func (s *Server) AddPushTask(t PushTask) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.PushedAt.IsZero() {
		t.PushedAt = s.clock.Now()
	}
	id := t.ID
	if id == "" {
		id = s.newID("task-")
		t.ID = id
	}
	s.state.push[id] = &pushTask{PushTaskState{PushTask: t}}
	return id
}

// PushTaskState returns a push task's state.
func (s *Server) PushTaskState(taskID string) (PushTaskState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.state.push[taskID]; t != nil {
		return t.PushTaskState, true
	}
	return PushTaskState{}, false
}

// AddTPNSTask seeds a TPNS push task and returns its push ID.
func (s *Server) AddTPNSTask(t TPNSTask) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Status == "" {
		t.Status = TPNSStatusStarted
	}
	id := t.ID
	if id == "" {
		id = s.newID("")
		t.ID = id
	}
	cp := t
	s.state.tpns[id] = &cp
	return id
}

// TPNSTaskState returns a TPNS task as the server holds it.
func (s *Server) TPNSTaskState(pushID string) (TPNSTask, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.state.tpns[pushID]; t != nil {
		return *t, true
	}
	return TPNSTask{}, false
}

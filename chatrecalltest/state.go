package chatrecalltest

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
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

type retItem struct {
	MsgSeq  *uint64         `json:"MsgSeq,omitempty"`
	MsgKey  *string         `json:"MsgKey,omitempty"`
	RetCode chatrecall.Code `json:"RetCode"`
}

func okEnvelope() map[string]any {
	return map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
}

// applyChat performs a Chat request that passed the checks.
func (s *Server) applyChat(x *exchange) (any, chatrecall.Code, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch x.ep {
	case chatrecall.EndpointGroupRecall:
		return s.applyGroup(x.body)
	case chatrecall.EndpointOfficialRecall:
		return s.applyOfficial(x.body)
	case chatrecall.EndpointPushRevoke:
		return s.applyPushRevoke(x.body)
	case chatrecall.EndpointSchedList:
		return s.applySchedList(x.body)
	case chatrecall.EndpointSchedGet:
		return s.applySchedGet(x.body)
	case chatrecall.EndpointSchedDelete:
		return s.applySchedDelete(x.body)
	case chatrecall.EndpointPushStatistics:
		return s.applyPushStatistics(x.body)
	case chatrecall.EndpointPushTrace:
		return s.applyPushTrace(x.body)
	case chatrecall.EndpointC2CRecall:
		return s.applyC2C(x.body)
	case chatrecall.EndpointGroupHistory:
		return s.applyGroupHistory(x.body)
	case chatrecall.EndpointC2CHistory:
		return s.applyC2CHistory(x.body)
	case chatrecall.EndpointOfficialHistory:
		return s.applyOfficialHistory(x.body)
	case chatrecall.EndpointGroupDeleteBySender:
		return s.applyDeleteBySender(x.body)
	case chatrecall.EndpointSetNoSpeaking:
		return s.applySetNoSpeaking(x.body)
	case chatrecall.EndpointGetNoSpeaking:
		return s.applyGetNoSpeaking(x.body)
	case chatrecall.EndpointKick:
		return s.applyKick(x.body)
	case chatrecall.EndpointGroupMute:
		return s.applyGroupMute(x.body)
	case chatrecall.EndpointGroupMuted:
		return s.applyGroupMuted(x.body)
	case chatrecall.EndpointJoinedGroups:
		return s.applyJoinedGroups(x.body)
	case chatrecall.EndpointRecentContacts:
		return s.applyRecentContacts(x.body)
	}
	return chatError(chatrecall.CodeResourcePathWrong, "resource path wrong"), chatrecall.CodeResourcePathWrong, nil
}

// failList answers a top-level code with the same code for every item.
func failList(code chatrecall.Code, info string, items []retItem) (any, chatrecall.Code, []string) {
	for i := range items {
		items[i].RetCode = code
	}
	resp := chatError(code, info)
	resp["RecallRetList"] = items
	return resp, code, nil
}

func (s *Server) applyGroup(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		GroupID    string `json:"GroupId"`
		MsgSeqList []struct {
			MsgSeq uint64 `json:"MsgSeq"`
		} `json:"MsgSeqList"`
		TopicID string `json:"TopicId"`
		Reason  string `json:"Reason"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.GroupID == "" || len(req.MsgSeqList) == 0 {
		return chatError(chatrecall.CodeGroupInvalidParameter, "GroupId and MsgSeqList are required"), chatrecall.CodeGroupInvalidParameter, nil
	}
	items := make([]retItem, len(req.MsgSeqList))
	for i := range req.MsgSeqList {
		items[i].MsgSeq = &req.MsgSeqList[i].MsgSeq
	}
	g := s.state.groups[req.GroupID]
	var st *seqStore
	if g != nil {
		st = g.store
		if t := g.topics[req.TopicID]; t != nil {
			st = t
		}
	}
	switch {
	case len(req.MsgSeqList) > 10:
		return failList(chatrecall.CodeGroupInvalidParameter, "at most 10 MsgSeq per request", items)
	case len(req.Reason) > chatrecall.MaxReasonBytes:
		return failList(chatrecall.CodeGroupInvalidParameter, "Reason too long", items)
	case g == nil:
		return failList(chatrecall.CodeGroupNotFound, "group does not exist", items)
	case g.NoRecall:
		return failList(chatrecall.CodeGroupTypeNoRecall, "group type does not support recall", items)
	}
	var applied []string
	for i, m := range req.MsgSeqList {
		if msg := st.bySeq[m.MsgSeq]; msg != nil && msg.state == MessagePresent {
			s.recall(msg)
			applied = append(applied, strconv.FormatUint(m.MsgSeq, 10))
			continue
		}
		items[i].RetCode = chatrecall.CodeGroupMsgNotFound
	}
	resp := okEnvelope()
	resp["RecallRetList"] = items
	return resp, 0, applied
}

func (s *Server) applyOfficial(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account    string   `json:"Official_Account"`
		MsgKeyList []string `json:"MsgKeyList"`
		Reason     string   `json:"Reason"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Account == "" || len(req.MsgKeyList) == 0 {
		return chatError(chatrecall.CodeOfficialInvalidParameter, "Official_Account and MsgKeyList are required"), chatrecall.CodeOfficialInvalidParameter, nil
	}
	items := make([]retItem, len(req.MsgKeyList))
	for i := range req.MsgKeyList {
		items[i].MsgKey = &req.MsgKeyList[i]
	}
	a := s.state.official[req.Account]
	switch {
	case len(req.MsgKeyList) > 10:
		return failList(chatrecall.CodeOfficialInvalidParameter, "at most 10 MsgKey per request", items)
	case len(req.Reason) > chatrecall.MaxReasonBytes:
		return failList(chatrecall.CodeOfficialInvalidParameter, "Reason longer than 100 bytes", items)
	case a == nil:
		return failList(chatrecall.CodeOfficialAccountNotFound, "official account does not exist", items)
	}
	var applied []string
	for i, k := range req.MsgKeyList {
		if m := a.store.byKey[k]; m != nil && m.state == MessagePresent {
			s.recall(m)
			applied = append(applied, k)
			continue
		}
		items[i].RetCode = chatrecall.CodeOfficialMsgNotFound
	}
	resp := okEnvelope()
	resp["RecallRetList"] = items
	return resp, 0, applied
}

func (s *Server) applyPushRevoke(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		TaskID          string          `json:"TaskId"`
		OfflinePushInfo json.RawMessage `json:"OfflinePushInfo"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return failWith(chatrecall.CodePushBodyNotJSON, "body is not JSON")
	}
	t := s.state.push[req.TaskID]
	hasInfo := len(req.OfflinePushInfo) > 0 && string(req.OfflinePushInfo) != "null"
	switch {
	case t == nil:
		return failWith(chatrecall.CodePushTaskNotFound, "TaskId does not exist")
	case t.Revoked:
		return failWith(chatrecall.CodePushAlreadyRevoked, "already revoked")
	case s.clock.Now().Sub(t.PushedAt) > 24*time.Hour:
		return failWith(chatrecall.CodePushRevokeWindowExpired, "push is older than 24 hours")
	case !t.KeptCopies && !hasInfo:
		return failWith(chatrecall.CodePushOfflinePushInfoNeeded, "push kept no roaming/unread copy; OfflinePushInfo required")
	}
	t.Revoked = true
	if hasInfo {
		t.OfflinePushInfo = append(json.RawMessage(nil), req.OfflinePushInfo...)
	}
	return okEnvelope(), 0, []string{req.TaskID}
}

func (s *Server) applyC2C(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		From   string `json:"From_Account"`
		To     string `json:"To_Account"`
		MsgKey string `json:"MsgKey"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return failWith(chatrecall.CodeC2CBodyNotJSON, "body is not JSON")
	}
	switch {
	case req.From == "":
		return failWith(chatrecall.CodeC2CFromAccountInvalid, "From_Account missing")
	case req.To == "":
		return failWith(chatrecall.CodeC2CToAccountInvalid, "To_Account missing")
	case req.MsgKey == "":
		return failWith(chatrecall.CodeC2CMsgKeyInvalid, "MsgKey invalid")
	}
	m := s.state.c2c[req.MsgKey]
	switch {
	case m == nil || m.state == MessageDeleted || m.sender != req.From || m.to != req.To:
		return failWith(chatrecall.CodeC2CMsgNotFound, "message does not exist")
	case m.state == MessageRecalled:
		return failWith(chatrecall.CodeC2CAlreadyRecalled, "message already recalled")
	}
	s.recall(m)
	return okEnvelope(), 0, []string{req.MsgKey}
}

// collapseAudience are the audiences whose tasks get a collapse ID.
var collapseAudience = map[string]bool{"all": true, "tag": true, "package_account_push": true}

var broadcastAudience = map[string]bool{"all": true, "tag": true, "package_account_push": true, "package_token_push": true}

// applyTPNS performs a TPNS request that passed authentication.
func (s *Server) applyTPNS(x *exchange) (any, chatrecall.Code, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(code chatrecall.Code, msg string) (any, chatrecall.Code, []string) {
		return tpnsError(code, msg), code, nil
	}
	ok := func() map[string]any { return map[string]any{"ret_code": 0, "err_msg": ""} }
	var req map[string]json.RawMessage
	_ = json.Unmarshal(x.body, &req)
	str := func(k string) string {
		var v string
		_ = json.Unmarshal(req[k], &v)
		return v
	}
	switch x.ep {
	case chatrecall.EndpointTPNSStop, chatrecall.EndpointTPNSRevoke, chatrecall.EndpointTPNSCancel:
		id := str("pushid")
		if id == "" {
			return fail(chatrecall.CodeTPNSParamMissing, "pushid is required")
		}
		t := s.state.tpns[id]
		if t == nil {
			return fail(chatrecall.CodeTPNSTaskNotFound, "push task does not exist")
		}
		switch x.ep {
		case chatrecall.EndpointTPNSStop:
			if t.Platform == "ios" {
				return fail(chatrecall.CodeTPNSParamInvalid, "terminate is not supported on iOS")
			}
			if t.Status != TPNSStatusInit && t.Status != TPNSStatusWait && t.Status != TPNSStatusStarted {
				return fail(chatrecall.CodeTPNSParamInvalid, "task is not being delivered (status "+t.Status+")")
			}
			t.Status = TPNSStatusStopped
		case chatrecall.EndpointTPNSRevoke:
			if s.tpnsRevokeOff {
				return fail(chatrecall.CodeTPNSParamInvalid, "revoke is being upgraded and is not available")
			}
			if t.Status != TPNSStatusStarted && t.Status != TPNSStatusFinished {
				return fail(chatrecall.CodeTPNSParamInvalid, "task cannot be revoked (status "+t.Status+")")
			}
			t.Status = TPNSStatusRevoked
		case chatrecall.EndpointTPNSCancel:
			scheduled := !t.SendTime.IsZero() && t.SendTime.After(s.clock.Now())
			if !scheduled || (t.Status != TPNSStatusInit && t.Status != TPNSStatusWait) {
				return fail(chatrecall.CodeTPNSParamInvalid, "task is not a scheduled push waiting to be sent")
			}
			t.Status = TPNSStatusCanceled
		}
		return ok(), 0, []string{id}
	case chatrecall.EndpointTPNSRecord:
		id := str("pushId")
		if id == "" && str("startDate") != "" {
			// The time-range form: every task, paged by offset and limit.
			var offset, limit int
			_ = json.Unmarshal(req["offset"], &offset)
			if json.Unmarshal(req["limit"], &limit) != nil || limit <= 0 {
				limit = 20
			}
			ids := make([]string, 0, len(s.state.tpns))
			for id := range s.state.tpns {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			recs := []any{}
			for i := offset; i < len(ids) && i < offset+limit; i++ {
				recs = append(recs, tpnsRecord(s.state.tpns[ids[i]]))
			}
			return map[string]any{"retCode": 0, "errMsg": "", "count": len(ids), "pushRecordData": recs}, 0, nil
		}
		if id == "" {
			return fail(chatrecall.CodeTPNSParamMissing, "pushId is required")
		}
		t := s.state.tpns[id]
		if t == nil {
			return fail(chatrecall.CodeTPNSTaskNotFound, "push task does not exist")
		}
		return map[string]any{"retCode": 0, "errMsg": "", "pushRecordData": []any{tpnsRecord(t)}}, 0, nil
	case chatrecall.EndpointTPNSPush:
		audience := str("audience_type")
		var msg struct {
			Title   string `json:"title"`
			Content string `json:"content"`
		}
		if audience == "" || len(req["message"]) == 0 || json.Unmarshal(req["message"], &msg) != nil {
			return fail(chatrecall.CodeTPNSParamMissing, "audience_type and message are required")
		}
		// collapse_id 0 means "not set": Tencent's own TPNS SDKs send
		// "collapse_id":0 on every push. All, tag and package_account_push
		// tasks get one assigned; a push with a set collapse_id replaces the
		// task that has it.
		var collapse int64
		if raw, has := req["collapse_id"]; has && json.Unmarshal(raw, &collapse) != nil {
			return fail(chatrecall.CodeTPNSParamInvalid, "collapse_id must be an integer")
		}
		if collapse != 0 {
			for _, t := range s.state.tpns {
				if t.CollapseID == collapse && t.Status != TPNSStatusCollapsed {
					t.Status = TPNSStatusCollapsed
				}
			}
		} else if collapseAudience[audience] {
			s.state.seq++
			collapse = 9000 + s.state.seq
		}
		id := s.newID("")
		s.state.tpns[id] = &TPNSTask{ID: id, PushType: audience, Status: TPNSStatusFinished, CollapseID: collapse, Title: msg.Title, Content: msg.Content}
		s.state.seq++
		env := str("environment")
		if env == "" {
			env = "product"
		}
		return map[string]any{"seq": s.state.seq, "push_id": id, "ret_code": 0, "err_msg": "", "environment": env}, 0, []string{id}
	}
	return fail(chatrecall.CodeTPNSParamInvalid, "unknown API")
}

// tpnsRecord is a task as get_push_record describes it. A numeric push ID
// is written as a JSON number, as in the documentation's single-task sample
// ("pushId": 133703); others as strings, as in its field table.
func tpnsRecord(t *TPNSTask) map[string]any {
	rec := map[string]any{"pushId": t.ID, "status": t.Status, "pushType": t.PushType, "title": t.Title,
		"content": t.Content, "messageType": "notify", "environment": "product"}
	if n, err := strconv.ParseInt(t.ID, 10, 64); err == nil && strconv.FormatInt(n, 10) == t.ID {
		rec["pushId"] = n
	}
	if t.CollapseID != 0 {
		rec["collapseID"] = t.CollapseID
	}
	if t.UploadID != 0 {
		rec["uploadId"] = t.UploadID
	}
	return rec
}

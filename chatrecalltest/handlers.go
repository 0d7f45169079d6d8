package chatrecalltest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file holds the Chat recall handlers: group, official-account,
// push-task and one-to-one recalls.

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

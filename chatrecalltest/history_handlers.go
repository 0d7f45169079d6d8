package chatrecalltest

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/chatrecall/chatrecall"
)

// This file holds the history handlers (group, one-to-one, official
// account), delete-by-sender, and the page faults.

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

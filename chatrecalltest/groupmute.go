package chatrecalltest

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file models the mute of members in a group (forbid_send_msg,
// get_group_muted_account): an end time per member on the server's clock,
// or for good; not in Private (Work) groups.

func groupMuteKey(group, topic string) string { return group + "\x00" + topic }

func (s *Server) applyGroupMute(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		GroupID  string   `json:"GroupId"`
		Accounts []string `json:"Members_Account"`
		MuteTime *int64   `json:"MuteTime"`
		TopicID  string   `json:"TopicId"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.GroupID == "" || len(req.Accounts) == 0 || len(req.Accounts) > 500 ||
		req.MuteTime == nil || *req.MuteTime < 0 || *req.MuteTime > int64(chatrecall.MuteForever) {
		return failWith(chatrecall.CodeGroupInvalidParameter, "GroupId, Members_Account (1 to 500) and MuteTime are required")
	}
	g := s.state.groups[req.GroupID]
	switch {
	case g == nil:
		return failWith(chatrecall.CodeGroupNotFound, "group does not exist")
	case g.Type == "Private" || g.Type == "Work":
		return failWith(chatrecall.CodeGroupNoPermission, "this group type does not support muting members")
	}
	k := groupMuteKey(req.GroupID, req.TopicID)
	m := s.state.groupMutes[k]
	if m == nil {
		m = map[string]time.Time{}
		s.state.groupMutes[k] = m
	}
	now := s.clock.Now()
	for _, a := range req.Accounts {
		switch t := *req.MuteTime; {
		case t == 0:
			delete(m, a)
		case t == int64(chatrecall.MuteForever):
			m[a] = time.Time{}
		default:
			m[a] = now.Add(time.Duration(t) * time.Second)
		}
	}
	return okEnvelope(), 0, req.Accounts
}

// foreverUntil is the MutedUntil the fake answers for a mute for good.
const foreverUntil = int64(chatrecall.MuteForever)

func (s *Server) applyGroupMuted(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		GroupID string `json:"GroupId"`
		TopicID string `json:"TopicId"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.GroupID == "" {
		return failWith(chatrecall.CodeGroupInvalidParameter, "GroupId is required")
	}
	if s.state.groups[req.GroupID] == nil {
		return failWith(chatrecall.CodeGroupNotFound, "group does not exist")
	}
	now := s.clock.Now()
	list := []map[string]any{}
	for a, until := range s.state.groupMutes[groupMuteKey(req.GroupID, req.TopicID)] {
		switch {
		case until.IsZero():
			list = append(list, map[string]any{"Member_Account": a, "MutedUntil": foreverUntil})
		case until.After(now):
			list = append(list, map[string]any{"Member_Account": a, "MutedUntil": until.Unix()})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["Member_Account"].(string) < list[j]["Member_Account"].(string) })
	resp := okEnvelope()
	resp["MutedAccountList"] = list
	return resp, 0, nil
}

// GroupMutedUntil says until when account is muted in a group (ok false:
// not muted; the zero time with ok: for good).
func (s *Server) GroupMutedUntil(groupID, topicID, account string) (until time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok = s.state.groupMutes[groupMuteKey(groupID, topicID)][account]
	if ok && !until.IsZero() && !until.After(s.clock.Now()) {
		return time.Time{}, false
	}
	return until, ok
}

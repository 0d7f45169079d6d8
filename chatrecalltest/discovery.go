package chatrecalltest

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file models discovery: the groups an account is a member of
// (get_joined_group_list, paged by Offset and Limit) and its recent
// conversations (recentcontact/get_list: one-to-one peers and joined groups
// by their last message, newest first, capped as the service caps them,
// 20 a page).

// AddMembers makes accounts members of a group (created if needed).
func (s *Server) AddMembers(groupID string, accounts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupStore(groupID, "")
	g := s.state.groups[groupID]
	if g.members == nil {
		g.members = map[string]bool{}
	}
	for _, a := range accounts {
		g.members[a] = true
	}
}

// joined returns the groups account is a member of, by ID.
func (s *Server) joined(account string) []*group {
	var out []*group
	for _, g := range s.state.groups {
		if g.members[account] {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Server) applyJoinedGroups(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account string `json:"Member_Account"`
		Limit   int    `json:"Limit"`
		Offset  int    `json:"Offset"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Account == "" || req.Limit < 0 || req.Limit > 5000 || req.Offset < 0 {
		return failWith(chatrecall.CodeGroupInvalidParameter, "Member_Account is required; Limit is at most 5000")
	}
	all := s.joined(req.Account)
	end := len(all)
	if req.Limit > 0 {
		end = min(end, req.Offset+req.Limit)
	}
	list := []map[string]any{}
	for i := req.Offset; i < end; i++ {
		typ := all[i].Type
		if typ == "" {
			typ = "Public"
		}
		list = append(list, map[string]any{"GroupId": all[i].ID, "Type": typ})
	}
	resp := okEnvelope()
	resp["TotalCount"], resp["GroupIdList"] = len(all), list
	return resp, 0, nil
}

// contactPage is how many conversations a recentcontact page carries.
const contactPage = 20

func (s *Server) applyRecentContacts(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account    string `json:"From_Account"`
		StartIndex int    `json:"StartIndex"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Account == "" || req.StartIndex < 0 {
		return failWith(chatrecall.CodeContactInvalidParameter, "From_Account is required")
	}
	type conv struct {
		item map[string]any
		at   time.Time
		id   string // ties broken by it, so pages are stable
	}
	var convs []conv
	for k, list := range s.state.c2cConv {
		if len(list) == 0 {
			continue
		}
		last := list[len(list)-1]
		a, b := last.sender, last.to
		if b == req.Account {
			a, b = b, a
		}
		if a != req.Account || c2cKey(a, b) != k {
			continue
		}
		convs = append(convs, conv{map[string]any{"Type": 1, "To_Account": b, "MsgTime": last.at.Unix(), "TopFlag": 0}, last.at, "1" + b})
	}
	for _, g := range s.joined(req.Account) {
		var at time.Time
		if n := len(g.store.seqs); n > 0 {
			at = g.store.bySeq[g.store.seqs[n-1]].at
		}
		convs = append(convs, conv{map[string]any{"Type": 2, "GroupId": g.ID, "MsgTime": at.Unix(), "TopFlag": 0}, at, "2" + g.ID})
	}
	sort.Slice(convs, func(i, j int) bool {
		if !convs[i].at.Equal(convs[j].at) {
			return convs[i].at.After(convs[j].at)
		}
		return convs[i].id < convs[j].id
	})
	if len(convs) > s.state.contactCap {
		convs = convs[:s.state.contactCap] // the service keeps the newest
	}
	end := min(len(convs), req.StartIndex+contactPage)
	items := []map[string]any{}
	for i := req.StartIndex; i < end; i++ {
		items = append(items, convs[i].item)
	}
	resp := okEnvelope()
	resp["SessionItem"], resp["CompleteFlag"] = items, map[bool]int{true: 1, false: 0}[end >= len(convs)]
	resp["StartIndex"], resp["TimeStamp"], resp["TopTimeStamp"], resp["TopStartIndex"] = end, 0, 0, 0
	return resp, 0, nil
}

package chatrecall

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// This file is discovery (spec section 6): the groups an account has
// joined (get_joined_group_list) and its recent conversations
// (recentcontact/get_list), each a page method and an iterator over the
// pages.

// MaxJoinedGroupsPage is the most groups get_joined_group_list returns per
// request (its Limit).
const MaxJoinedGroupsPage = 5000

// JoinedGroup is a group an account is in.
type JoinedGroup struct {
	GroupID string
	Type    string // Public, Private (Work), ChatRoom (Meeting), AVChatRoom, Community
}

// JoinedGroupsPageRequest asks get_joined_group_list for one page.
type JoinedGroupsPageRequest struct {
	Account string // Member_Account. Required.
	Offset  int    // from 0
	Limit   int    // 1 to 5,000; 0 means 5,000
}

// Validate checks r as JoinedGroupsPage does before sending anything.
func (r JoinedGroupsPageRequest) Validate() error {
	const method = "JoinedGroupsPage"
	if err := checkRequired(method, "Account", r.Account, "Member_Account, whose groups are listed"); err != nil {
		return err
	}
	if r.Offset < 0 {
		return invalidf(method, "Offset", "must not be negative, got %d", r.Offset)
	}
	return checkCount(method, "Limit", r.Limit, MaxJoinedGroupsPage)
}

// JoinedGroupsPage is one answer of get_joined_group_list.
type JoinedGroupsPage struct {
	Groups []JoinedGroup
	// Total is TotalCount: every group the account is in, whatever Limit
	// and Offset.
	Total int
}

type joinedGroupsRequest struct {
	Account            string `json:"Member_Account"`
	Limit              int    `json:"Limit"`
	Offset             int    `json:"Offset"`
	WithHugeGroups     int    `json:"WithHugeGroups"`
	WithNoActiveGroups int    `json:"WithNoActiveGroups"`
	ResponseFilter     struct {
		GroupBaseInfoFilter []string `json:"GroupBaseInfoFilter"`
	} `json:"ResponseFilter"`
}

type joinedGroupsResponse struct {
	chatEnvelope
	TotalCount  int `json:"TotalCount"`
	GroupIDList []struct {
		GroupID string `json:"GroupId"`
		Type    string `json:"Type"`
	} `json:"GroupIdList"`
}

// JoinedGroupsPage reads one page of the groups an account is in, live-
// stream groups (WithHugeGroups) and unactivated Work groups
// (WithNoActiveGroups) included, as spec 6.1 decides. Groups the account
// left, or was removed from, are not listed: only a webhook ledger knows
// them.
func (c *Client) JoinedGroupsPage(ctx context.Context, r JoinedGroupsPageRequest) (*JoinedGroupsPage, error) {
	const method = "JoinedGroupsPage"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	req := &joinedGroupsRequest{Account: r.Account, Limit: r.Limit, Offset: r.Offset, WithHugeGroups: 1, WithNoActiveGroups: 1}
	if req.Limit == 0 {
		req.Limit = MaxJoinedGroupsPage
	}
	req.ResponseFilter.GroupBaseInfoFilter = []string{"Type"}
	got, err := c.page(ctx, method, epJoinedGroups, req, func() response { return new(joinedGroupsResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*joinedGroupsResponse)
	p := &JoinedGroupsPage{Total: resp.TotalCount, Groups: make([]JoinedGroup, 0, len(resp.GroupIDList))}
	for _, g := range resp.GroupIDList {
		if g.GroupID != "" {
			p.Groups = append(p.Groups, JoinedGroup{GroupID: g.GroupID, Type: g.Type})
		}
	}
	return p, nil
}

// JoinedGroups yields every group account is in, one JoinedGroupsPage
// after another (Offset advanced by each page's length until TotalCount or
// an empty page). A page that adds nothing before TotalCount is reached is
// an error, never an endless loop nor a silent end. A failure is yielded
// once, as the last value.
func (c *Client) JoinedGroups(ctx context.Context, account string) iter.Seq2[JoinedGroup, error] {
	return func(yield func(JoinedGroup, error) bool) {
		seen := map[string]bool{}
		req := JoinedGroupsPageRequest{Account: account}
		for {
			p, err := c.JoinedGroupsPage(ctx, req)
			if err != nil {
				yield(JoinedGroup{}, renamed(err, "JoinedGroups"))
				return
			}
			added := 0
			for _, g := range p.Groups {
				if seen[g.GroupID] {
					continue
				}
				seen[g.GroupID] = true
				added++
				if !yield(g, nil) {
					return
				}
			}
			req.Offset += len(p.Groups)
			switch {
			case len(p.Groups) == 0 || req.Offset >= p.Total:
				return
			case added == 0:
				yield(JoinedGroup{}, fmt.Errorf("chatrecall: JoinedGroups %q: a page at offset %d added no group before TotalCount %d", account, req.Offset-len(p.Groups), p.Total))
				return
			}
		}
	}
}

// Contact is a conversation in an account's recent-conversation list: a
// one-to-one peer (Peer) or a group (GroupID).
type Contact struct {
	Peer    string    // Type 1: To_Account
	GroupID string    // Type 2
	Time    time.Time // MsgTime: its last message
	Pinned  bool      // TopFlag
}

// RecentContactsPageRequest asks recentcontact/get_list for one page: the
// cursors are those the previous page returned (all 0 for the first).
type RecentContactsPageRequest struct {
	Account                   string // From_Account. Required.
	TimeStamp, StartIndex     int64
	TopTimeStamp, TopStartIdx int64
}

// Validate checks r as RecentContactsPage does before sending anything.
func (r RecentContactsPageRequest) Validate() error {
	return checkRequired("RecentContactsPage", "Account", r.Account, "From_Account, whose conversations are listed")
}

// RecentContactsPage is one answer of recentcontact/get_list.
type RecentContactsPage struct {
	Contacts []Contact
	Complete bool // CompleteFlag 1: every conversation was returned
	// Next holds the cursors for the next page.
	Next RecentContactsPageRequest
}

type recentContactsRequest struct {
	Account       string `json:"From_Account"`
	TimeStamp     int64  `json:"TimeStamp"`
	StartIndex    int64  `json:"StartIndex"`
	TopTimeStamp  int64  `json:"TopTimeStamp"`
	TopStartIndex int64  `json:"TopStartIndex"`
	AssistFlags   int    `json:"AssistFlags"`
}

type recentContactsResponse struct {
	chatEnvelope
	CompleteFlag  int   `json:"CompleteFlag"`
	TimeStamp     int64 `json:"TimeStamp"`
	StartIndex    int64 `json:"StartIndex"`
	TopTimeStamp  int64 `json:"TopTimeStamp"`
	TopStartIndex int64 `json:"TopStartIndex"`
	SessionItem   []struct {
		Type    int    `json:"Type"`
		To      string `json:"To_Account"`
		GroupID string `json:"GroupId"`
		MsgTime int64  `json:"MsgTime"`
		TopFlag int    `json:"TopFlag"`
	} `json:"SessionItem"`
}

// RecentContactsPage reads one page of an account's recent conversations
// (AssistFlags 63, as spec 6.2 decides). The list is capped (100
// conversations by default, up to 500 on higher editions) and expires with
// the roaming retention: it is never a complete record.
func (c *Client) RecentContactsPage(ctx context.Context, r RecentContactsPageRequest) (*RecentContactsPage, error) {
	const method = "RecentContactsPage"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	got, err := c.page(ctx, method, epRecentContacts, &recentContactsRequest{Account: r.Account, TimeStamp: r.TimeStamp, StartIndex: r.StartIndex,
		TopTimeStamp: r.TopTimeStamp, TopStartIndex: r.TopStartIdx, AssistFlags: 63}, func() response { return new(recentContactsResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*recentContactsResponse)
	p := &RecentContactsPage{Complete: resp.CompleteFlag == 1, Next: RecentContactsPageRequest{Account: r.Account, TimeStamp: resp.TimeStamp,
		StartIndex: resp.StartIndex, TopTimeStamp: resp.TopTimeStamp, TopStartIdx: resp.TopStartIndex}}
	for _, it := range resp.SessionItem {
		ct := Contact{Time: time.Unix(it.MsgTime, 0), Pinned: it.TopFlag == 1}
		switch {
		case it.Type == 1 && it.To != "":
			ct.Peer = it.To
		case it.Type == 2 && it.GroupID != "":
			ct.GroupID = it.GroupID
		default:
			continue
		}
		p.Contacts = append(p.Contacts, ct)
	}
	return p, nil
}

// RecentContacts yields an account's recent conversations, each once, one
// RecentContactsPage after another until CompleteFlag. A page that is not
// complete yet adds nothing and leaves the cursors as they were is an
// error, never an endless loop. A failure is yielded once, as the last
// value.
func (c *Client) RecentContacts(ctx context.Context, account string) iter.Seq2[Contact, error] {
	return func(yield func(Contact, error) bool) {
		seen := map[string]bool{}
		req := RecentContactsPageRequest{Account: account}
		for {
			p, err := c.RecentContactsPage(ctx, req)
			if err != nil {
				yield(Contact{}, renamed(err, "RecentContacts"))
				return
			}
			added := 0
			for _, ct := range p.Contacts {
				key := "1\x00" + ct.Peer
				if ct.GroupID != "" {
					key = "2\x00" + ct.GroupID
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				added++
				if !yield(ct, nil) {
					return
				}
			}
			if p.Complete {
				return
			}
			if added == 0 && p.Next == req {
				yield(Contact{}, fmt.Errorf("chatrecall: RecentContacts %q: an incomplete page (CompleteFlag 0) added nothing and left the cursors as they were", account))
				return
			}
			req = p.Next
		}
	}
}

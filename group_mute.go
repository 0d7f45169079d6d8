package chatrecall

import (
	"context"
	"strconv"
	"time"
)

// This file is the mute of accounts in one group (spec section 7):
// forbid_send_msg, and get_group_muted_account to read it back. Package
// takedown's Contain uses them for the groups it is given.

// MaxGroupMuteAccounts is how many members one forbid_send_msg mutes at
// most.
const MaxGroupMuteAccounts = 500

// GroupMute mutes members of a group (forbid_send_msg). It is not
// available in Private (Work) groups; a member who leaves and rejoins stays
// muted.
type GroupMute struct {
	GroupID string // Required.
	TopicID string // a topic of a topic-enabled Community group
	// Accounts are the members (1 to MaxGroupMuteAccounts).
	Accounts []string
	// Seconds is the mute time from now: 0 unmutes, MuteForever mutes for
	// good.
	Seconds uint32
}

type groupMuteRequest struct {
	GroupID  string   `json:"GroupId"`
	Accounts []string `json:"Members_Account"`
	MuteTime uint32   `json:"MuteTime"`
	TopicID  string   `json:"TopicId,omitempty"`
}

// Validate checks r as MuteInGroup does before sending anything.
func (r GroupMute) Validate() error {
	const method = "MuteInGroup"
	if err := checkRequired(method, "GroupID", r.GroupID, "the group"); err != nil {
		return err
	}
	if err := checkText(method, "TopicID", r.TopicID); err != nil {
		return err
	}
	switch n := len(r.Accounts); {
	case n == 0:
		return invalidf(method, "Accounts", "is empty: give the members to mute")
	case n > MaxGroupMuteAccounts:
		return invalidf(method, "Accounts", "has %d members; one request mutes at most %d", n, MaxGroupMuteAccounts)
	}
	seen := make(map[string]int, len(r.Accounts))
	for i, a := range r.Accounts {
		field := "Accounts[" + strconv.Itoa(i) + "]"
		if err := checkRequired(method, field, a, "an account"); err != nil {
			return err
		}
		if j, dup := seen[a]; dup {
			return invalidf(method, field, "%q is a duplicate of Accounts[%d]", a, j)
		}
		seen[a] = i
	}
	return nil
}

// MuteInGroup mutes (or, with Seconds 0, unmutes) members of a group for
// Seconds from now (forbid_send_msg). Errors are the group family's:
// ErrNotFound (10010), ErrPermission (10007), ErrInvalidRequest (10003,
// 10004, 10015), ErrTemporary (10002, retried).
func (c *Client) MuteInGroup(ctx context.Context, r GroupMute) (res *Result, err error) {
	return c.do(ctx, action{method: "MuteInGroup", ep: epGroupMute, items: len(r.Accounts), check: r.Validate,
		req: func() any {
			return &groupMuteRequest{GroupID: r.GroupID, Accounts: r.Accounts, MuteTime: r.Seconds, TopicID: r.TopicID}
		}})
}

// GroupMuted is a member muted in a group, and until when.
type GroupMuted struct {
	Account string
	Until   time.Time // MutedUntil
}

type groupMutedResponse struct {
	chatEnvelope
	List []struct {
		Account string `json:"Member_Account"`
		Until   optInt `json:"MutedUntil"`
	} `json:"MutedAccountList"`
}

// GroupMutedAccounts reads the members muted in a group (or one of its
// topics) and until when (get_group_muted_account).
func (c *Client) GroupMutedAccounts(ctx context.Context, groupID, topicID string) ([]GroupMuted, error) {
	const method = "GroupMutedAccounts"
	got, err := c.read(ctx, method, epGroupMuted,
		func() error {
			if err := checkRequired(method, "groupID", groupID, "the group"); err != nil {
				return err
			}
			return checkText(method, "topicID", topicID)
		},
		func() any {
			req := map[string]string{"GroupId": groupID}
			if topicID != "" {
				req["TopicId"] = topicID
			}
			return req
		}, func() response { return new(groupMutedResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*groupMutedResponse)
	out := make([]GroupMuted, 0, len(resp.List))
	for _, m := range resp.List {
		if m.Account != "" {
			out = append(out, GroupMuted{Account: m.Account, Until: time.Unix(int64(m.Until.v), 0)})
		}
	}
	return out, nil
}

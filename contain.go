package chatrecall

import (
	"context"
	"strconv"
)

// This file is the containment of an account (spec section 7): its global
// mute (setnospeaking, getnospeaking) and the invalidation of its logins
// (kick). Package takedown builds Contain and its undo on them.

// MuteForever is the mute time that never ends (0xFFFFFFFF seconds).
const MuteForever uint32 = 1<<32 - 1

// NoSpeaking is an account's global mute, in seconds: as read, the time
// each mute has left; 0 for none; MuteForever for permanent.
type NoSpeaking struct {
	C2C   uint32 // C2CmsgNospeakingTime: one-to-one messages
	Group uint32 // GroupmsgNospeakingTime: group messages
}

// SetNoSpeaking mutes (or unmutes) an account everywhere
// (setnospeaking).
type SetNoSpeaking struct {
	Account string // Set_Account. Required.
	// C2C and Group are the mute times in seconds from now: 0 unmutes,
	// MuteForever mutes for good. nil leaves that one as it is; at least
	// one is required.
	C2C, Group *uint32
}

type setNoSpeakingRequest struct {
	Account string  `json:"Set_Account"`
	C2C     *uint32 `json:"C2CmsgNospeakingTime,omitempty"`
	Group   *uint32 `json:"GroupmsgNospeakingTime,omitempty"`
}

// Validate checks r as SetNoSpeaking does before sending anything.
func (r SetNoSpeaking) Validate() error {
	const method = "SetNoSpeaking"
	if err := checkRequired(method, "Account", r.Account, "Set_Account, the account to mute"); err != nil {
		return err
	}
	if r.C2C == nil && r.Group == nil {
		return invalidf(method, "C2C", "and Group are both nil: give at least one mute time (0 unmutes)")
	}
	return nil
}

// SetNoSpeaking sets an account's global mute: while it lasts, its
// one-to-one sends fail with 20012 and its group sends with 10017, and no
// before-send callback fires. The times are from now; the service lifts a
// mute when it ends. Errors: ErrInvalidRequest (130001, 130004, 130008),
// ErrNotFound (130005), ErrTemporary (130014, retried).
func (c *Client) SetNoSpeaking(ctx context.Context, r SetNoSpeaking) (res *Result, err error) {
	return c.do(ctx, action{method: "SetNoSpeaking", ep: epSetNoSpeaking, items: 1, check: r.Validate,
		req: func() any { return &setNoSpeakingRequest{Account: r.Account, C2C: r.C2C, Group: r.Group} }})
}

type getNoSpeakingResponse struct {
	chatEnvelope
	C2C   optInt `json:"C2CmsgNospeakingTime"`
	Group optInt `json:"GroupmsgNospeakingTime"`
}

// GetNoSpeaking reads an account's global mute (getnospeaking): the
// seconds each mute has left, 0 for none, MuteForever for permanent.
func (c *Client) GetNoSpeaking(ctx context.Context, account string) (*NoSpeaking, error) {
	const method = "GetNoSpeaking"
	got, err := c.read(ctx, method, epGetNoSpeaking,
		func() error { return checkRequired(method, "account", account, "Get_Account, the account to read") },
		func() any { return map[string]string{"Get_Account": account} }, func() response { return new(getNoSpeakingResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*getNoSpeakingResponse)
	return &NoSpeaking{C2C: clampMute(resp.C2C.v), Group: clampMute(resp.Group.v)}, nil
}

func clampMute(v int) uint32 {
	switch {
	case v <= 0:
		return 0
	case int64(v) >= int64(MuteForever):
		return MuteForever
	}
	return uint32(v)
}

// Kick invalidates an account's logins (kick): every UserSig issued before
// stops working. A UserSig made afterwards logs in again, so containment
// also needs the app to stop issuing them. Errors: ErrNotFound (70107),
// ErrInvalidRequest (70402), ErrPermission (70403), ErrTemporary (70169,
// 70500, retried).
func (c *Client) Kick(ctx context.Context, account string) (res *Result, err error) {
	return c.do(ctx, action{method: "Kick", ep: epKick, items: 1,
		check: func() error { return checkRequired("Kick", "account", account, "UserID, the account to log out") },
		req:   func() any { return map[string]string{"UserID": account} }})
}

// MuteSeconds returns a pointer to s, for SetNoSpeaking.
func MuteSeconds(s uint32) *uint32 { return &s }

// String reads like "permanent", "none" or "3600s".
func (n NoSpeaking) String() string {
	f := func(v uint32) string {
		switch v {
		case 0:
			return "none"
		case MuteForever:
			return "permanent"
		}
		return strconv.FormatUint(uint64(v), 10) + "s"
	}
	return "one-to-one " + f(n.C2C) + ", groups " + f(n.Group)
}

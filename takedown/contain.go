// This file is containment (spec section 7): mute the account everywhere
// and invalidate its logins, with a receipt that undoes it.

package takedown

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatrecall/chatrecall"
)

// ContainAPI is what containment uses of a client; *chatrecall.Client
// implements it.
type ContainAPI interface {
	GetNoSpeaking(ctx context.Context, account string) (*chatrecall.NoSpeaking, error)
	SetNoSpeaking(ctx context.Context, r chatrecall.SetNoSpeaking) (*chatrecall.Result, error)
	Kick(ctx context.Context, account string) (*chatrecall.Result, error)
	GroupMutedAccounts(ctx context.Context, groupID, topicID string) ([]chatrecall.GroupMuted, error)
	MuteInGroup(ctx context.Context, r chatrecall.GroupMute) (*chatrecall.Result, error)
}

var _ ContainAPI = (*chatrecall.Client)(nil)

// ContainOptions tune Contain.
type ContainOptions struct {
	// Mute is how long to mute, in seconds; 0 means chatrecall.MuteForever
	// (until undone). A longer mute already in place is never shortened.
	Mute uint32
	// NoKick leaves the account's logins as they are.
	NoKick bool
	// Groups are groups to mute the account in as well (forbid_send_msg),
	// after the global mute and the kick: its mute there outlasts the
	// global one if that is lifted. Never shortened either.
	Groups []string
	// Clock stamps the receipt; nil means the system clock.
	Clock chatrecall.Clock
}

// Receipt is what Contain found and did: what Undo needs to restore the
// account's mutes. It is JSON, to be kept in a file.
type Receipt struct {
	Account string    `json:"account"`
	At      time.Time `json:"at"` // when the mutes were read
	// Before is the mutes as read: the seconds each had left.
	Before chatrecall.NoSpeaking `json:"before"`
	// SetC2C and SetGroup are the mutes Contain set (nil: that one was
	// already as long, and was left alone).
	SetC2C   *uint32 `json:"set_c2c,omitempty"`
	SetGroup *uint32 `json:"set_group,omitempty"`
	Kicked   bool    `json:"kicked"`
	// Groups are the mutes in the groups ContainOptions named.
	Groups []GroupMuteReceipt `json:"groups,omitempty"`
}

// GroupMuteReceipt is what Contain found and did in one group.
type GroupMuteReceipt struct {
	GroupID string `json:"group"`
	// Before is the account's mute there as read: 0 none, MuteForever for
	// good, else the seconds it had left at the receipt's time.
	Before uint32 `json:"before"`
	// Set is the mute Contain set (nil: it was as long already, or the
	// request failed before it could take effect).
	Set *uint32 `json:"set,omitempty"`
}

// tolerance is how much shorter than asked a timed mute in place may be
// and still count as long enough: a second Contain a moment after the first
// changes nothing.
const tolerance = 60

// Contain mutes account everywhere (one-to-one and group messages), never
// shortening a mute already longer, then invalidates its logins (kick). It
// reads the mutes first and returns a receipt of what it found and did,
// even when a later step fails. Running it again changes no mute; it kicks
// again, logging out any session the account regained.
func Contain(ctx context.Context, api ContainAPI, account string, o ContainOptions) (*Receipt, error) {
	const method = "Contain"
	if ctx == nil {
		return nil, invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if account == "" {
		return nil, invalidf(method, "account", "is required (the account to contain), got an empty string")
	}
	if err := chatrecall.CheckText(method, "account", account); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, g := range o.Groups {
		field := fmt.Sprintf("Groups[%d]", i)
		if g == "" {
			return nil, invalidf(method, field, "is required (a group ID), got an empty string")
		}
		if err := chatrecall.CheckText(method, field, g); err != nil {
			return nil, err
		}
		if seen[g] {
			return nil, invalidf(method, field, "%q is named twice", g)
		}
		seen[g] = true
	}
	clock := o.Clock
	if clock == nil {
		clock = chatrecall.SystemClock()
	}
	want := o.Mute
	if want == 0 {
		want = chatrecall.MuteForever
	}
	before, err := api.GetNoSpeaking(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("takedown: reading %q's mutes, before changing anything: %w", account, err)
	}
	r := &Receipt{Account: account, At: clock.Now(), Before: *before}
	longer := func(cur uint32) *uint32 {
		if cur == chatrecall.MuteForever || (want != chatrecall.MuteForever && uint64(cur)+tolerance >= uint64(want)) {
			return nil // as long already: never shortened
		}
		return chatrecall.MuteSeconds(want)
	}
	r.SetC2C, r.SetGroup = longer(before.C2C), longer(before.Group)
	if r.SetC2C != nil || r.SetGroup != nil {
		if _, err := api.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: account, C2C: r.SetC2C, Group: r.SetGroup}); err != nil {
			if !errors.Is(err, chatrecall.ErrOutcomeUnknown) {
				r.SetC2C, r.SetGroup = nil, nil // not set
			}
			return r, fmt.Errorf("takedown: muting %q: %w", account, err)
		}
	}
	if !o.NoKick {
		if _, err := api.Kick(ctx, account); err != nil {
			return r, fmt.Errorf("takedown: logging %q out: %w", account, err)
		}
		r.Kicked = true
	}
	var errs []error
	for _, g := range o.Groups {
		gr, err := containInGroup(ctx, api, account, g, want, r.At)
		r.Groups = append(r.Groups, gr)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return r, errors.Join(errs...)
}

// containInGroup mutes account in one group, never shortening its mute
// there.
func containInGroup(ctx context.Context, api ContainAPI, account, group string, want uint32, now time.Time) (GroupMuteReceipt, error) {
	gr := GroupMuteReceipt{GroupID: group}
	muted, err := api.GroupMutedAccounts(ctx, group, "")
	if err != nil {
		return gr, fmt.Errorf("takedown: reading the mutes of group %s, before changing anything there: %w", group, err)
	}
	for _, m := range muted {
		if m.Account != account {
			continue
		}
		switch left := m.Until.Sub(now); {
		case m.Until.Unix() >= int64(chatrecall.MuteForever):
			gr.Before = chatrecall.MuteForever
		case left > 0:
			gr.Before = uint32((left + time.Second - 1) / time.Second)
		}
	}
	if gr.Before == chatrecall.MuteForever || (want != chatrecall.MuteForever && uint64(gr.Before)+tolerance >= uint64(want)) {
		return gr, nil // as long already: never shortened
	}
	if _, err := api.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: group, Accounts: []string{account}, Seconds: want}); err != nil {
		if errors.Is(err, chatrecall.ErrOutcomeUnknown) {
			gr.Set = chatrecall.MuteSeconds(want) // it may have taken effect: undo must restore
		}
		return gr, fmt.Errorf("takedown: muting %q in group %s: %w", account, group, err)
	}
	gr.Set = chatrecall.MuteSeconds(want)
	return gr, nil
}

// Undo restores the mutes a receipt says Contain changed, by the spec's
// rule: none stays none, permanent stays permanent, and a timed mute ends
// when it would have ended (the seconds it had left at the receipt's time,
// less the time since; the expiry is as exact as the clocks). A mute
// Contain left alone is not touched. It returns what it set (nil: nothing
// to undo). A kick cannot be undone: the account logs in again with a new
// UserSig. The mutes in groups are restored by the same rule.
func Undo(ctx context.Context, api ContainAPI, r *Receipt, clock chatrecall.Clock) (*chatrecall.NoSpeaking, error) {
	const method = "Undo"
	if ctx == nil {
		return nil, invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if r == nil {
		return nil, invalidf(method, "r", "is nil; pass the receipt Contain returned")
	}
	if r.Account == "" {
		return nil, invalidf(method, "r.Account", "is empty: not a receipt of Contain")
	}
	if err := chatrecall.CheckText(method, "r.Account", r.Account); err != nil {
		return nil, err
	}
	if r.At.IsZero() {
		return nil, invalidf(method, "r.At", "is zero: not a receipt of Contain")
	}
	if clock == nil {
		clock = chatrecall.SystemClock()
	}
	elapsed := clock.Now().Sub(r.At)
	restore := func(set *uint32, before uint32) *uint32 {
		switch {
		case set == nil:
			return nil
		case before == 0 || before == chatrecall.MuteForever:
			return chatrecall.MuteSeconds(before)
		}
		left := time.Duration(before)*time.Second - elapsed
		if left <= 0 {
			return chatrecall.MuteSeconds(0)
		}
		return chatrecall.MuteSeconds(uint32((left + time.Second - 1) / time.Second))
	}
	var errs []error
	var out *chatrecall.NoSpeaking
	if r.SetC2C != nil || r.SetGroup != nil {
		c2c, group := restore(r.SetC2C, r.Before.C2C), restore(r.SetGroup, r.Before.Group)
		if _, err := api.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: r.Account, C2C: c2c, Group: group}); err != nil {
			errs = append(errs, fmt.Errorf("takedown: restoring %q's mutes: %w", r.Account, err))
		} else {
			out = &chatrecall.NoSpeaking{}
			if c2c != nil {
				out.C2C = *c2c
			}
			if group != nil {
				out.Group = *group
			}
		}
	}
	for _, g := range r.Groups {
		secs := restore(g.Set, g.Before)
		if secs == nil {
			continue
		}
		if _, err := api.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: g.GroupID, Accounts: []string{r.Account}, Seconds: *secs}); err != nil {
			errs = append(errs, fmt.Errorf("takedown: restoring %q's mute in group %s: %w", r.Account, g.GroupID, err))
		}
	}
	return out, errors.Join(errs...)
}

func invalidf(method, field, format string, args ...any) error {
	return &chatrecall.ValidationError{Method: method, Field: field, Problem: fmt.Sprintf(format, args...)}
}

package takedown

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/webhook"
)

// This file is discovery (spec section 6): every conversation the account
// may have posted in since the incident started, each with the sources
// that found it, and, for each source, what it cannot have covered, in
// numbers. It never claims every conversation was found.

// Source is where discovery found a conversation.
type Source string

// The discovery sources.
const (
	SourceJoinedGroups   Source = "joined_groups"   // get_joined_group_list
	SourceRecentContacts Source = "recent_contacts" // recentcontact/get_list
	SourceLedger         Source = "ledger"          // the webhook ledger's after-send records
)

// Target is a conversation to sweep.
type Target struct {
	chatrecall.Conversation
	// Sender is the account whose messages are taken back.
	Sender string `json:"sender"`
	// GroupType is the group's type when a source said it.
	GroupType string   `json:"group_type,omitempty"`
	Sources   []Source `json:"sources"`
	// NoHistory: the conversation keeps no history (a live-stream group):
	// it is planned from the ledger and verified by its after-recall
	// records.
	NoHistory bool `json:"no_history,omitempty"`
}

// Name is the target's conversation as people read it: the group (and
// topic), or the one-to-one peer.
func (t Target) Name() string {
	switch {
	case t.Kind() == chatrecall.KindC2C:
		return t.Peer + "<->" + t.Account // the account, then its peer (whose view is read)
	case t.TopicID != "":
		return t.GroupID + "/" + t.TopicID
	}
	return t.GroupID + t.Official
}

// SourceReport is what one source covered.
type SourceReport struct {
	Source Source `json:"source"`
	// Listed is how many conversations the source listed; Found how many
	// of them are in the takedown's window.
	Listed int `json:"listed"`
	Found  int `json:"found"`
	// Complete: the source is known to have listed every conversation of
	// its kind (never true for one-to-one conversations).
	Complete bool `json:"complete"`
	// Gaps say what the source cannot have covered, with the numbers.
	Gaps []string `json:"gaps,omitempty"`
	// Error is why the source failed part way ("" when it did not).
	Error string `json:"error,omitempty"`
}

// Discovery is a snapshot of the conversations an account may have posted
// in, in a window.
type Discovery struct {
	Account string         `json:"account"`
	Since   time.Time      `json:"since"`
	Until   time.Time      `json:"until"`
	Taken   time.Time      `json:"taken"`
	Targets []Target       `json:"-"`
	Sources []SourceReport `json:"sources"`
	// Unseen are conversations, or parts of the search, known not to be
	// covered (a failed source, a capped list with no ledger, a
	// live-stream group with no ledger to plan it). A takedown with any is
	// incomplete.
	Unseen []string `json:"unseen,omitempty"`
}

// until is the window's end: Until, or, when it is zero ("until now"),
// when the discovery was taken, so that a plan is a snapshot and a resumed
// run plans what the first would have.
func (d *Discovery) until() time.Time {
	if d.Until.IsZero() {
		return d.Taken
	}
	return d.Until
}

// peerView is the one-to-one conversation of account and peer as the peer
// sees it: what the recipient can still see is what must be taken back,
// and an account taken over may have cleared its own side (views differ
// per party, spec 2.6). The recall names the same messages either way.
func peerView(account, peer string) chatrecall.Conversation {
	return chatrecall.Conversation{Account: peer, Peer: account}
}

// Summary is the one line a person reads: "N conversations found (G groups,
// P one-to-one); not known to be all".
func (d *Discovery) Summary() string {
	groups := 0
	for _, t := range d.Targets {
		if t.Kind() == chatrecall.KindGroup {
			groups++
		}
	}
	return fmt.Sprintf("%d conversations found (%d groups, %d one-to-one); not known to be all", len(d.Targets), groups, len(d.Targets)-groups)
}

// Discover finds the conversations account may have posted in between
// since and until (zero: now, the time the discovery is taken, which is
// then the end of the window every plan reads): its joined groups, its recent one-to-one
// conversations, and, with Options.Ledger, every conversation the ledger
// recorded it posting in. A source that fails is reported in the
// discovery (SourceReport.Error, Unseen) and in the error, which matches
// chatrecall errors as the failure did; what the other sources found is
// still returned.
func (r *Runner) Discover(ctx context.Context, account string, since, until time.Time) (*Discovery, error) {
	const method = "Discover"
	if ctx == nil {
		return nil, invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if err := r.validate(method); err != nil {
		return nil, err
	}
	if err := checkWindow(method, account, since, until); err != nil {
		return nil, err
	}
	d := &Discovery{Account: account, Since: since, Until: until, Taken: r.clock().Now()}
	found := map[chatrecall.Conversation]*Target{}
	add := func(c chatrecall.Conversation, src Source, typ string) bool {
		t := found[c]
		if t == nil {
			t = &Target{Conversation: c, Sender: account}
			found[c] = t
		}
		if typ != "" {
			t.GroupType = typ
		}
		for _, s := range t.Sources {
			if s == src {
				return false
			}
		}
		t.Sources = append(t.Sources, src)
		return true
	}
	var errs []error
	fail := func(rep *SourceReport, err error) {
		rep.Error = err.Error()
		d.Unseen = append(d.Unseen, fmt.Sprintf("%s failed after listing %d: %v", rep.Source, rep.Listed, err))
		errs = append(errs, fmt.Errorf("takedown: discovery: %s: %w", rep.Source, err))
	}

	groups := SourceReport{Source: SourceJoinedGroups, Complete: true}
	live, community := 0, 0
	for g, err := range r.api.JoinedGroups(ctx, account) {
		if err != nil {
			groups.Complete = false
			fail(&groups, err)
			break
		}
		groups.Listed++
		groups.Found++
		add(chatrecall.Conversation{GroupID: g.GroupID}, SourceJoinedGroups, g.Type)
		switch g.Type {
		case "AVChatRoom":
			live++
		case "Community":
			community++
		}
	}
	groups.Gaps = append(groups.Gaps, "groups the account left or was removed from are not listed")
	if live > 0 {
		groups.Complete = false
		groups.Gaps = append(groups.Gaps, fmt.Sprintf("%d live-stream groups listed: their lists are incomplete and they keep no history", live))
	}
	if community > 0 {
		groups.Gaps = append(groups.Gaps, fmt.Sprintf("%d Community groups: topics are not listed, so only their main history is read (topics come from the ledger)", community))
	}
	d.Sources = append(d.Sources, groups)

	contacts := SourceReport{Source: SourceRecentContacts}
	for ct, err := range r.api.RecentContacts(ctx, account) {
		if err != nil {
			fail(&contacts, err)
			break
		}
		contacts.Listed++
		if ct.Time.Before(since) {
			continue // its last message is older than the window
		}
		if ct.GroupID != "" {
			if add(chatrecall.Conversation{GroupID: ct.GroupID}, SourceRecentContacts, "") {
				contacts.Found++
			}
			continue
		}
		if ct.Peer != "" && ct.Peer != account && add(peerView(account, ct.Peer), SourceRecentContacts, "") {
			contacts.Found++
		}
	}
	capped := contacts.Listed >= r.contactCap()
	if capped {
		what := "peers beyond it come only from the ledger"
		if r.o.Ledger == nil {
			what = "peers beyond it are not found (no ledger)"
			d.Unseen = append(d.Unseen, fmt.Sprintf("conversation list capped at %d and no ledger: one-to-one conversations beyond it were not searched", r.contactCap()))
		}
		contacts.Gaps = append(contacts.Gaps, fmt.Sprintf("conversation list capped at %d: %s", r.contactCap(), what))
	}
	contacts.Gaps = append(contacts.Gaps, "conversations expire with roaming retention, and those the account deleted are not listed")
	d.Sources = append(d.Sources, contacts)

	ledger := SourceReport{Source: SourceLedger}
	if r.o.Ledger == nil {
		ledger.Gaps = []string{"no ledger: live-stream groups, topics and peers past the conversation-list cap cannot be found"}
	} else {
		touched, err := r.o.Ledger.Touched(ctx, account, since)
		if err != nil {
			fail(&ledger, err)
		}
		for _, t := range touched {
			ledger.Listed++
			conv, ok := webhook.ConversationOf(t.Kind, t.Conversation, account)
			if !ok || t.Kind == webhook.KindOfficial {
				continue
			}
			if t.Kind == webhook.KindC2C {
				conv = peerView(account, conv.Peer)
			}
			if add(conv, SourceLedger, "") {
				ledger.Found++
			}
		}
		ledger.Gaps = []string{"covers what the webhook receiver recorded since it started, while it was up"}
	}
	d.Sources = append(d.Sources, ledger)

	for _, t := range found {
		t.NoHistory = t.GroupType == "AVChatRoom"
		if t.NoHistory && r.o.Ledger == nil {
			d.Unseen = append(d.Unseen, fmt.Sprintf("live-stream group %s keeps no history and there is no ledger: its messages cannot be found", t.GroupID))
		}
		d.Targets = append(d.Targets, *t)
	}
	sort.Slice(d.Targets, func(i, j int) bool {
		a, b := d.Targets[i], d.Targets[j]
		if a.Kind() != b.Kind() {
			return a.Kind() == chatrecall.KindGroup
		}
		return a.Name() < b.Name()
	})
	return d, errors.Join(errs...)
}

package chatrecall

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"sync"
	"time"
)

// This file is the sweep: find what senders posted (plan), take it back
// (apply) and read it back to prove it is gone (verify).

// Kinds of conversation.
const (
	KindGroup    = "group"
	KindC2C      = "c2c"
	KindOfficial = "official"
)

// Conversation names where messages are: a group (GroupID, with TopicID
// for a topic), an official account (Official), or a one-to-one
// conversation (Account and Peer). Exactly one kind is set.
type Conversation struct {
	GroupID  string `json:"group,omitempty"`
	TopicID  string `json:"topic,omitempty"`
	Official string `json:"official,omitempty"`
	// Account is the one-to-one view read (Operator_Account); Peer the other
	// party. Either may have sent a message.
	Account string `json:"account,omitempty"`
	Peer    string `json:"peer,omitempty"`
}

// Kind returns KindGroup, KindC2C or KindOfficial (KindGroup when nothing
// else is set).
func (c Conversation) Kind() string {
	switch {
	case c.Account != "" || c.Peer != "":
		return KindC2C
	case c.Official != "":
		return KindOfficial
	}
	return KindGroup
}

// String describes the conversation, such as "group @TGS#x".
func (c Conversation) String() string {
	switch c.Kind() {
	case KindC2C:
		return "one-to-one " + strconv.Quote(c.Account) + " and " + strconv.Quote(c.Peer)
	case KindOfficial:
		return "official account " + strconv.Quote(c.Official)
	}
	if c.TopicID != "" {
		return "group " + strconv.Quote(c.GroupID) + " topic " + strconv.Quote(c.TopicID)
	}
	return "group " + strconv.Quote(c.GroupID)
}

func (c Conversation) validate(method string) error {
	for _, f := range [...]struct{ name, v string }{{"GroupID", c.GroupID}, {"TopicID", c.TopicID}, {"Official", c.Official}, {"Account", c.Account}, {"Peer", c.Peer}} {
		if err := checkText(method, f.name, f.v); err != nil {
			return err
		}
	}
	kinds := 0
	for _, set := range [...]bool{c.GroupID != "" || c.TopicID != "", c.Official != "", c.Account != "" || c.Peer != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return invalidf(method, "Conversation", "names more than one kind of conversation (%s); set GroupID, Official, or Account and Peer", c.String())
	case c.Kind() == KindC2C && c.Account == "":
		return invalidf(method, "Account", "is required for a one-to-one conversation (Operator_Account, whose view is read), got an empty string")
	case c.Kind() == KindC2C && c.Peer == "":
		return invalidf(method, "Peer", "is required for a one-to-one conversation (Peer_Account), got an empty string")
	case c.Kind() == KindGroup && c.GroupID == "":
		return invalidf(method, "GroupID", "is required (the group, such as @TGS#2J4SZEAEL; or set Official, or Account and Peer), got an empty string")
	}
	return nil
}

// SweepItem is one message a sweep plans to recall: a line of a plan file
// (JSON Lines). It carries its conversation, so each line stands alone.
type SweepItem struct {
	Conversation
	Sender string `json:"sender"`
	To     string `json:"to,omitempty"`  // one-to-one: the receiver
	MsgSeq uint64 `json:"seq,omitempty"` // groups
	MsgKey string `json:"key,omitempty"` // one-to-one and official accounts
	Time   int64  `json:"time"`          // unix seconds
}

// ID is the message's ID in its conversation: the sequence number in
// decimal for groups, the MsgKey otherwise.
func (it SweepItem) ID() string {
	if it.Kind() == KindGroup {
		return strconv.FormatUint(it.MsgSeq, 10)
	}
	return it.MsgKey
}

// Validate checks that the item can be recalled: a conversation, and the
// ID its kind needs.
func (it SweepItem) Validate() error {
	const method = "ApplySweep"
	if err := it.Conversation.validate(method); err != nil {
		return err
	}
	if err := checkText(method, "Sender", it.Sender); err != nil {
		return err
	}
	switch it.Kind() {
	case KindGroup:
		if it.MsgSeq == 0 || it.MsgSeq > MaxMsgSeq {
			return invalidf(method, "MsgSeq", "must be 1 to %d for a group message, got %d", uint64(MaxMsgSeq), it.MsgSeq)
		}
	case KindC2C:
		if err := checkRequired(method, "Sender", it.Sender, "From_Account, the sender"); err != nil {
			return err
		}
		if err := checkRequired(method, "To", it.To, "To_Account, the receiver"); err != nil {
			return err
		}
		if err := checkRequired(method, "MsgKey", it.MsgKey, "the message key"); err != nil {
			return err
		}
		if !(it.Sender == it.Account && it.To == it.Peer) && !(it.Sender == it.Peer && it.To == it.Account) {
			return invalidf(method, "Sender", "%q to %q is not a message of the conversation between %q and %q", it.Sender, it.To, it.Account, it.Peer)
		}
	default:
		if err := checkRequired(method, "MsgKey", it.MsgKey, "the message key"); err != nil {
			return err
		}
	}
	return checkText(method, "MsgKey", it.MsgKey)
}

// SweepFilter selects the messages to sweep.
type SweepFilter struct {
	// Senders are the accounts whose messages are swept. Empty means every
	// sender, which needs Match: a sweep with no filter is refused.
	Senders []string
	// Since and Until bound the messages' times; zero means unbounded.
	Since, Until time.Time
	// Match, when set, must also accept a message (it sees the body).
	Match func(Message) bool
}

func (f SweepFilter) validate(method string) error {
	if len(f.Senders) == 0 && f.Match == nil {
		return invalidf(method, "Senders", "is empty and there is no Match: a sweep with no filter would recall every message")
	}
	for i, s := range f.Senders {
		if err := checkRequired(method, "Senders["+strconv.Itoa(i)+"]", s, "an account ID"); err != nil {
			return err
		}
		if err := checkText(method, "Senders["+strconv.Itoa(i)+"]", s); err != nil {
			return err
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since) {
		return invalidf(method, "Until", "is %s, before Since (%s)", f.Until.UTC().Format(time.RFC3339), f.Since.UTC().Format(time.RFC3339))
	}
	return nil
}

func (f SweepFilter) accepts(m Message, senders map[string]bool) bool {
	if len(senders) > 0 && !senders[m.Sender] {
		return false
	}
	return f.Match == nil || f.Match(m)
}

// PlanStats counts what a plan read.
type PlanStats struct {
	Read            int // messages read in the time window
	Matched         int // of them, sent by the senders and accepted by Match
	AlreadyRecalled int // matched, but recalled already: not planned
	Deleted         int // matched, but deleted or expired: not planned
	Planned         int
	History         HistoryStats
}

// Planner yields a sweep's plan. Create it with PlanSweep.
type Planner struct {
	c     *Client
	ctx   context.Context
	conv  Conversation
	f     SweepFilter
	err   error
	stats PlanStats
}

// PlanSweep reads conv's history in the filter's time window and plans
// every message the filter selects that is neither recalled nor deleted
// yet. Range over All once; Stats then says what was read. Nothing is
// recalled.
func (c *Client) PlanSweep(ctx context.Context, conv Conversation, f SweepFilter) *Planner {
	p := &Planner{c: c, ctx: ctx, conv: conv, f: f}
	if err := checkCtx("PlanSweep", ctx); err != nil {
		p.err = err
	} else if err := conv.validate("PlanSweep"); err != nil {
		p.err = err
	} else {
		p.err = f.validate("PlanSweep")
	}
	return p
}

// Stats returns what the plan read. Call it after ranging over All.
func (p *Planner) Stats() PlanStats { return p.stats }

// All yields the planned items newest first; a failure is the last value.
func (p *Planner) All() iter.Seq2[SweepItem, error] {
	return func(yield func(SweepItem, error) bool) {
		if p.err != nil {
			yield(SweepItem{}, p.err)
			return
		}
		senders := make(map[string]bool, len(p.f.Senders))
		for _, s := range p.f.Senders {
			senders[s] = true
		}
		r := p.c.History(p.ctx, p.conv, p.f.Since, p.f.Until)
		defer func() { p.stats.History = r.Stats() }()
		for m, err := range r.All() {
			if err != nil {
				yield(SweepItem{}, err)
				return
			}
			p.stats.Read++
			if !p.f.accepts(m, senders) {
				continue
			}
			p.stats.Matched++
			switch m.State {
			case MessageRecalled:
				p.stats.AlreadyRecalled++
				continue
			case MessageDeleted:
				p.stats.Deleted++
				continue
			}
			p.stats.Planned++
			if !yield(itemOf(p.conv, m), nil) {
				return
			}
		}
	}
}

func itemOf(conv Conversation, m Message) SweepItem {
	it := SweepItem{Conversation: conv, Sender: m.Sender, Time: m.Time.Unix()}
	switch conv.Kind() {
	case KindGroup:
		it.MsgSeq = m.MsgSeq
	case KindC2C:
		it.To, it.MsgKey = m.To, m.MsgKey
	default:
		it.MsgKey = m.MsgKey
	}
	return it
}

// Check is what a sweep's verification found for one message.
type Check int

const (
	// CheckNone: not verified (yet).
	CheckNone Check = iota
	// CheckRecalled: read back as recalled.
	CheckRecalled
	// CheckNotRecalled: read back, still there.
	CheckNotRecalled
	// CheckDeleted: read back as deleted or expired (IsPlaceMsg 1): gone,
	// whether or not the recall took effect first.
	CheckDeleted
	// CheckMissing: the read-back did not list it (past roaming retention,
	// another party's view, or no history to read): unverifiable.
	CheckMissing
)

// String returns "unverified", "recalled", "not recalled", "deleted" or
// "missing".
func (c Check) String() string {
	switch c {
	case CheckRecalled:
		return "recalled"
	case CheckNotRecalled:
		return "not recalled"
	case CheckDeleted:
		return "deleted"
	case CheckMissing:
		return "missing"
	}
	return "unverified"
}

// SweepOutcome is one planned message's outcome.
type SweepOutcome struct {
	SweepItem
	// Err is nil when the message is recalled. After verification it says
	// what history shows: nil for CheckRecalled; an error matching
	// ErrNotRecalled when the message is still there (with the recall's
	// own error kept inside); ErrGone for CheckDeleted. ErrOutcomeUnknown
	// remains only where nothing could be checked.
	Err error
	// ConfirmedByRetry: the recall's answer was lost and a retry heard
	// "already gone" (see GroupRecallItem.ConfirmedByRetry).
	ConfirmedByRetry bool
	// Check is what verification read back.
	Check Check
	// Settled: the recall's outcome was unknown, and verification turned
	// it into a fact.
	Settled bool
	// DeletedBySender: with SweepOptions.DeleteBySender, the history read
	// back after delete_group_msg_by_sender shows the message gone (Check
	// says as what); no recall was sent for it. It counts as done, never as
	// verified: that API names no messages.
	DeletedBySender bool
}

// SweepReport is the outcome of a sweep: one SweepOutcome per planned
// message, in plan order.
type SweepReport struct {
	Conversation Conversation
	Items        []SweepOutcome
	Plan         PlanStats // zero for ApplySweep
	Rounds       int       // recall rounds (1, plus one per re-recall after a verify)
	Verified     bool      // a verification read back every item it could
}

// SweepSummary counts a report's items. Every item is in exactly one of
// Recalled, NotRecalled, Failed, Unknown and NotSent.
type SweepSummary struct {
	Total       int
	Recalled    int // recalled: Verified of them read back as recalled
	Verified    int
	Deleted     int // read back as deleted or expired (counted in Failed)
	NotRecalled int // read back as still there
	Failed      int // not recalled, with the service's reason
	Unknown     int // ErrOutcomeUnknown: nothing could check
	NotSent     int
	Settled     int // unknown after the recall, settled by verification
	// DeletedBySender are read back gone after delete_group_msg_by_sender
	// (SweepOptions.DeleteBySender): counted in Recalled, never in Verified.
	DeletedBySender int
}

// Summary counts the report's items by outcome.
func (r *SweepReport) Summary() SweepSummary {
	var s SweepSummary
	for _, it := range r.Items {
		s.Total++
		if it.Settled {
			s.Settled++
		}
		switch {
		case it.Err == nil:
			s.Recalled++
			switch {
			case it.DeletedBySender:
				s.DeletedBySender++
			case it.Check == CheckRecalled:
				s.Verified++
			}
		case errors.Is(it.Err, ErrOutcomeUnknown):
			s.Unknown++
		case errors.Is(it.Err, ErrNotSent):
			s.NotSent++
		case errors.Is(it.Err, ErrNotRecalled):
			s.NotRecalled++
		default:
			s.Failed++
			if it.Check == CheckDeleted {
				s.Deleted++
			}
		}
	}
	return s
}

// Err returns nil when every item is recalled, and otherwise a
// *PartialError over the items that are not.
func (r *SweepReport) Err() error {
	st := make([]itemState, len(r.Items))
	for i, it := range r.Items {
		st[i].err = it.Err
	}
	return partialError(r.endpoint(), st, nil, func(i int) string { return r.Items[i].name() })
}

func (r *SweepReport) endpoint() string {
	switch r.Conversation.Kind() {
	case KindC2C:
		return EndpointC2CRecall
	case KindOfficial:
		return EndpointOfficialRecall
	}
	return EndpointGroupRecall
}

func (it SweepItem) name() string {
	if it.Kind() == KindGroup {
		return seqName(it.MsgSeq)
	}
	return "MsgKey " + it.MsgKey
}

// Verifier reads back the state of swept messages. The client's history
// readers are the default; webhook.LedgerVerifier reads what after-recall
// callbacks recorded, for conversations without history (AVChatRoom).
type Verifier interface {
	// States returns the state of each item it could see, by SweepItem.ID;
	// items it did not see are left out.
	States(ctx context.Context, conv Conversation, items []SweepItem) (map[string]MessageState, error)
}

// SweepOptions tunes ApplySweep and Sweep.
type SweepOptions struct {
	// Reason is sent with group and official-account recalls.
	Reason string
	// SkipVerify leaves the outcomes as the recalls answered them.
	SkipVerify bool
	// Rounds caps how many times messages verification finds still there,
	// after a recall whose outcome was unknown or failed for a reason that
	// may pass (a timeout, a rate limit, not sent), are recalled again and
	// verified again. 0 means 2; negative means never.
	Rounds int
	// Verifier reads states back; nil means the conversation's history.
	Verifier Verifier
	// PossiblyApplied marks items an earlier run may have recalled (a
	// resumed run): "already gone" then confirms them.
	PossiblyApplied func(SweepItem) bool
	// Outcome, when set, is called once per item as its recall ends (before
	// verification), from the goroutine that recalled it: for journals and
	// progress.
	Outcome func(SweepOutcome)
	// DeleteBySender is an opt-in fast path for groups: before recalling,
	// the sweep asks delete_group_msg_by_sender once per sender of the plan
	// (see Client.DeleteGroupMessagesBySender), reads the history back, and
	// recalls only what is still there. What it takes back is taken back
	// silently (members get no recall notice), it reaches only the group's
	// last 1,000 messages, and in an AVChatRoom group it does nothing.
	// Items it took back have DeletedBySender set. It needs verification:
	// SkipVerify must be false.
	DeleteBySender bool
}

func (o SweepOptions) validate(method string, conv Conversation) error {
	if err := validateReason(method, o.Reason); err != nil {
		return err
	}
	if !o.DeleteBySender {
		return nil
	}
	if conv.Kind() != KindGroup {
		return invalidf(method, "DeleteBySender", "is for groups; %s is not one", conv)
	}
	if o.SkipVerify {
		return invalidf(method, "DeleteBySender", "needs verification (SkipVerify is set): the service's answer names no messages, and only reading the history back shows which went")
	}
	return nil
}

// Sweep plans, recalls and verifies in one call: it reads conv's history
// for the messages f selects, recalls them while the history is still
// being read (the two endpoints have separate limits), then reads the
// swept range back and turns each outcome into a checked one. Messages
// verification finds still there after an unknown or retryable failure are
// recalled again (SweepOptions.Rounds).
//
// The report has one outcome per planned message. The error is nil when
// every planned message is recalled; otherwise it is a *PartialError over
// the others, joined with the history read's failure if planning stopped
// early (the messages planned before it are in the report).
func (c *Client) Sweep(ctx context.Context, conv Conversation, f SweepFilter, opts SweepOptions) (*SweepReport, error) {
	p := c.PlanSweep(ctx, conv, f)
	if p.err != nil {
		return nil, p.err
	}
	if err := opts.validate("Sweep", conv); err != nil {
		return nil, err
	}
	if opts.DeleteBySender {
		// The fast path asks per sender, so it needs the whole plan first.
		var plan []SweepItem
		for it, err := range p.All() {
			if err != nil {
				return nil, err
			}
			plan = append(plan, it)
		}
		if len(plan) == 0 {
			return &SweepReport{Conversation: conv, Plan: p.Stats()}, nil
		}
		rep, err := c.deleteThenRecall(ctx, conv, plan, opts)
		rep.Plan = p.Stats()
		return rep, err
	}
	items := make(chan SweepItem, 64)
	var planErr error
	go func() {
		defer close(items)
		for it, err := range p.All() {
			if err != nil {
				planErr = err
				return
			}
			select {
			case items <- it:
			case <-ctx.Done():
				planErr = ctx.Err()
				return
			}
		}
	}()
	rep := c.applyStream(ctx, conv, items, opts)
	rep.Plan = p.Stats()
	if planErr != nil {
		_ = c.verifyRounds(ctx, rep, opts)
		return rep, errors.Join(planErr, rep.Err())
	}
	if err := c.verifyRounds(ctx, rep, opts); err != nil {
		return rep, errors.Join(err, rep.Err())
	}
	return rep, rep.Err()
}

// ApplySweep recalls a plan (as PlanSweep made it, perhaps read back from
// a reviewed file), then verifies it unless opts.SkipVerify. Every item
// must belong to the same conversation; items are checked before anything
// is sent.
func (c *Client) ApplySweep(ctx context.Context, plan []SweepItem, opts SweepOptions) (*SweepReport, error) {
	const method = "ApplySweep"
	if err := checkCtx(method, ctx); err != nil {
		return nil, err
	}
	if !c.chat {
		return nil, errChatNotConfigured(method)
	}
	if len(plan) == 0 {
		return nil, invalidf(method, "plan", "has no items")
	}
	if err := opts.validate(method, plan[0].Conversation); err != nil {
		return nil, err
	}
	seen := make(map[string]int, len(plan))
	for i, it := range plan {
		if err := it.Validate(); err != nil {
			return nil, inField(err, method, "plan["+strconv.Itoa(i)+"]")
		}
		if it.Conversation != plan[0].Conversation {
			return nil, invalidf(method, "plan["+strconv.Itoa(i)+"]", "is in %s, not %s: one sweep covers one conversation", it.Conversation, plan[0].Conversation)
		}
		if j, dup := seen[it.ID()]; dup {
			return nil, invalidf(method, "plan["+strconv.Itoa(i)+"]", "duplicate of plan[%d] (%s)", j, it.ID())
		}
		seen[it.ID()] = i
	}
	if opts.DeleteBySender {
		return c.deleteThenRecall(ctx, plan[0].Conversation, plan, opts)
	}
	rep := c.applyStream(ctx, plan[0].Conversation, feed(plan, all(len(plan))), opts)
	if err := c.verifyRounds(ctx, rep, opts); err != nil {
		return rep, errors.Join(err, rep.Err())
	}
	return rep, rep.Err()
}

// VerifySweep reads rep's items back and updates their outcomes (see
// SweepOutcome.Err), without recalling anything.
func (c *Client) VerifySweep(ctx context.Context, rep *SweepReport, v Verifier) error {
	const method = "VerifySweep"
	if err := checkCtx(method, ctx); err != nil {
		return err
	}
	if rep == nil {
		return invalidf(method, "rep", "is nil; pass the report of Sweep or ApplySweep, or one built from a plan")
	}
	if len(rep.Items) == 0 {
		return nil
	}
	if err := rep.Conversation.validate(method); err != nil {
		return err
	}
	for i, it := range rep.Items {
		if err := it.SweepItem.Validate(); err != nil {
			return inField(err, method, "rep.Items["+strconv.Itoa(i)+"]")
		}
		if it.Conversation != rep.Conversation {
			return invalidf(method, "rep.Items["+strconv.Itoa(i)+"]", "is in %s, not the report's %s", it.Conversation, rep.Conversation)
		}
	}
	return c.verify(ctx, rep, c.verifier(v), all(len(rep.Items)))
}

// verifier is v, or the conversation's history when v is nil.
func (c *Client) verifier(v Verifier) Verifier {
	if v == nil {
		return historyVerifier{c}
	}
	return v
}

// feed returns a closed channel holding the items idx of items, in order.
func feed(items []SweepItem, idx []int) <-chan SweepItem {
	ch := make(chan SweepItem, len(idx))
	for _, i := range idx {
		ch <- items[i]
	}
	close(ch)
	return ch
}

// plan returns the report's items as a plan.
func (r *SweepReport) plan() []SweepItem {
	out := make([]SweepItem, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.SweepItem
	}
	return out
}

// inField reports a SweepItem's validation error as method's, under the
// field that holds the item (plan[3].MsgSeq).
func inField(err error, method, holder string) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Method, ve.Field = method, holder+"."+ve.Field
	}
	return err
}

func all(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// deleteThenRecall is the SweepOptions.DeleteBySender fast path: one
// delete_group_msg_by_sender per sender, a read back, then the usual recall
// and verification of whatever is still there.
func (c *Client) deleteThenRecall(ctx context.Context, conv Conversation, plan []SweepItem, opts SweepOptions) (*SweepReport, error) {
	rep := &SweepReport{Conversation: conv, Rounds: 1, Items: make([]SweepOutcome, len(plan))}
	var senders []string
	known := map[string]bool{}
	for i, it := range plan {
		rep.Items[i].SweepItem = it
		if !known[it.Sender] {
			known[it.Sender] = true
			senders = append(senders, it.Sender)
		}
	}
	// asked: senders whose request may have taken effect. A recall of one
	// of their messages that hears "already gone" is then done.
	asked := make(map[string]bool, len(senders))
	for _, s := range senders {
		_, err := c.DeleteGroupMessagesBySender(ctx, GroupDeleteBySender{GroupID: conv.GroupID, TopicID: conv.TopicID, Sender: s})
		if err == nil || errors.Is(err, ErrOutcomeUnknown) {
			asked[s] = true
		}
		if err != nil && (ctx.Err() != nil || fatal(epGroupDeleteBySender, err)) {
			break // the recalls below say what is left, each with its own outcome
		}
	}
	v := c.verifier(opts.Verifier)
	var rest []int
	states, err := v.States(ctx, conv, plan)
	for i := range rep.Items {
		o := &rep.Items[i]
		st, seen := states[o.ID()]
		if err != nil || !seen || !asked[o.Sender] || (st != MessageRecalled && st != MessageDeleted) {
			rest = append(rest, i)
			continue
		}
		o.DeletedBySender, o.Check = true, CheckRecalled
		if st == MessageDeleted {
			o.Check = CheckDeleted
		}
		if opts.Outcome != nil {
			opts.Outcome(*o)
		}
	}
	rep.Verified = err == nil
	if len(rest) == 0 {
		return rep, nil
	}
	o := opts
	o.PossiblyApplied = func(it SweepItem) bool {
		return asked[it.Sender] || (opts.PossiblyApplied != nil && opts.PossiblyApplied(it))
	}
	sub := c.applyStream(ctx, conv, feed(plan, rest), o)
	verr := c.verifyRounds(ctx, sub, opts)
	for n, i := range rest {
		rep.Items[i] = sub.Items[n]
	}
	rep.Rounds += sub.Rounds
	rep.Verified = sub.Verified || opts.SkipVerify
	if verr != nil {
		return rep, errors.Join(verr, rep.Err())
	}
	return rep, rep.Err()
}

// applyStream recalls items as they arrive, up to 10 per request and
// WithConcurrency requests at once, and returns one outcome per item in
// arrival order.
func (c *Client) applyStream(ctx context.Context, conv Conversation, items <-chan SweepItem, opts SweepOptions) *SweepReport {
	rep := &SweepReport{Conversation: conv, Rounds: 1}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		stop stopFlag
		sem  = make(chan struct{}, c.concurrency)
	)
	per := maxItemsPerRequest
	if conv.Kind() == KindC2C {
		per = 1
	}
	chunk := make([]int, 0, per)
	dispatch := func(idx []int) {
		sem <- struct{}{}
		mu.Lock()
		batch := make([]SweepItem, len(idx))
		for n, i := range idx {
			batch[n] = rep.Items[i].SweepItem
		}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out := c.recallBatch(ctx, conv, batch, opts, &stop)
			mu.Lock()
			for n, i := range idx {
				rep.Items[i].Err, rep.Items[i].ConfirmedByRetry = out[n].err, out[n].confirmed
			}
			mu.Unlock()
			if opts.Outcome != nil {
				for n := range idx {
					opts.Outcome(SweepOutcome{SweepItem: batch[n], Err: out[n].err, ConfirmedByRetry: out[n].confirmed})
				}
			}
		}()
	}
	for it := range items {
		mu.Lock()
		rep.Items = append(rep.Items, SweepOutcome{SweepItem: it})
		i := len(rep.Items) - 1
		mu.Unlock()
		chunk = append(chunk, i)
		if len(chunk) == per {
			dispatch(chunk)
			chunk = make([]int, 0, per)
		}
	}
	if len(chunk) > 0 {
		dispatch(chunk)
	}
	wg.Wait()
	return rep
}

type batchOutcome struct {
	err       error
	confirmed bool
}

// recallBatch recalls up to 10 items of one conversation with one call.
func (c *Client) recallBatch(ctx context.Context, conv Conversation, batch []SweepItem, opts SweepOptions, stop *stopFlag) []batchOutcome {
	out := make([]batchOutcome, len(batch))
	if cause := stop.get(); cause != nil {
		for i := range out {
			out[i].err = &NotSentError{Cause: cause}
		}
		return out
	}
	maybe := func(it SweepItem) bool { return opts.PossiblyApplied != nil && opts.PossiblyApplied(it) }
	fail := func(err error) {
		var pe *PartialError
		if errors.As(err, &pe) && pe.Cause != nil && ctx.Err() == nil {
			stop.set(pe.Cause)
		}
	}
	switch conv.Kind() {
	case KindC2C:
		it := batch[0]
		res, err := c.RecallC2CMessage(ctx, C2CRecall{From: it.Sender, To: it.To, MsgKey: it.MsgKey, PossiblyApplied: maybe(it)})
		out[0].err = err
		if res != nil {
			out[0].confirmed = res.ConfirmedByRetry
		}
		if err != nil && fatal(epC2CRecall, err) {
			stop.set(err)
		}
	case KindOfficial:
		r := OfficialAccountRecall{Account: conv.Official, Reason: opts.Reason}
		for _, it := range batch {
			r.MsgKeys = append(r.MsgKeys, it.MsgKey)
			if maybe(it) {
				r.PossiblyApplied = append(r.PossiblyApplied, it.MsgKey)
			}
		}
		res, err := c.RecallOfficialAccountMessages(ctx, r)
		fail(err)
		for i := range out {
			out[i] = batchOutcome{err: err}
			if res != nil {
				out[i] = batchOutcome{res.Items[i].Err, res.Items[i].ConfirmedByRetry}
			}
		}
	default:
		r := GroupRecall{GroupID: conv.GroupID, TopicID: conv.TopicID, Reason: opts.Reason}
		for _, it := range batch {
			r.MsgSeqs = append(r.MsgSeqs, it.MsgSeq)
			if maybe(it) {
				r.PossiblyApplied = append(r.PossiblyApplied, it.MsgSeq)
			}
		}
		res, err := c.RecallGroupMessages(ctx, r)
		fail(err)
		for i := range out {
			out[i] = batchOutcome{err: err}
			if res != nil {
				out[i] = batchOutcome{res.Items[i].Err, res.Items[i].ConfirmedByRetry}
			}
		}
	}
	return out
}

// verifyRounds verifies rep, and recalls again what is still there after a
// failure that may pass, up to opts.Rounds times.
func (c *Client) verifyRounds(ctx context.Context, rep *SweepReport, opts SweepOptions) error {
	if opts.SkipVerify || len(rep.Items) == 0 {
		return nil
	}
	v := c.verifier(opts.Verifier)
	rounds := opts.Rounds
	if rounds == 0 {
		rounds = 2
	}
	idx := all(len(rep.Items))
	var plan []SweepItem
	for round := 0; ; round++ {
		if err := c.verify(ctx, rep, v, idx); err != nil {
			return err
		}
		var again []int
		for _, i := range idx {
			if it := rep.Items[i]; it.Check == CheckNotRecalled && worthAgain(it.Err) {
				again = append(again, i)
			}
		}
		if len(again) == 0 || round >= rounds || ctx.Err() != nil {
			return nil
		}
		rep.Rounds++
		// Verification read the message as still there after every earlier
		// attempt had ended; an attempt the service is still processing is
		// the only way it could have been recalled since, and "already
		// gone" then confirms it.
		o := opts
		o.PossiblyApplied = func(SweepItem) bool { return true }
		if plan == nil {
			plan = rep.plan() // the items never change; only their outcomes
		}
		sub := c.applyStream(ctx, rep.Conversation, feed(plan, again), o)
		for n, i := range again {
			rep.Items[i].Err, rep.Items[i].ConfirmedByRetry = sub.Items[n].Err, sub.Items[n].ConfirmedByRetry
			rep.Items[i].Check = CheckNone
		}
		idx = again
	}
}

// worthAgain reports whether an item verification found still there may
// be recalled by sending it again: its recall's outcome was unknown, it was
// not sent, or it failed for a reason that may pass.
func worthAgain(err error) bool {
	var nr *notRecalledError
	if errors.As(err, &nr) {
		err = nr.recall
	}
	if err == nil {
		return true // answered as done, yet still there: try once more
	}
	return errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrNotSent) || retryable(err) || errors.Is(err, ErrTemporary) || errors.Is(err, ErrRateLimited)
}

// notRecalledError: verification read the message back, not recalled.
type notRecalledError struct {
	recall error // what the recall said (nil: it said done)
}

func (e *notRecalledError) Error() string {
	if e.recall == nil {
		return "chatrecall: verification found the message still there, though its recall was answered as done"
	}
	return "chatrecall: verification found the message still there (the recall said: " + e.recall.Error() + ")"
}

func (e *notRecalledError) Is(target error) bool { return target == ErrNotRecalled }

// Unwrap keeps the recall's own error visible to errors.Is and errors.As,
// except ErrOutcomeUnknown, which the verification replaced with a fact.
func (e *notRecalledError) Unwrap() error {
	if e.recall == nil || errors.Is(e.recall, ErrOutcomeUnknown) {
		return nil
	}
	return e.recall
}

// goneError: verification read the message back as deleted or expired.
type goneError struct{}

func (e *goneError) Error() string {
	return "chatrecall: verification found the message deleted or expired"
}
func (e *goneError) Is(target error) bool { return target == ErrGone }

// verify reads the items idx back and settles them.
func (c *Client) verify(ctx context.Context, rep *SweepReport, v Verifier, idx []int) error {
	items := make([]SweepItem, len(idx))
	for n, i := range idx {
		items[n] = rep.Items[i].SweepItem
	}
	states, err := v.States(ctx, rep.Conversation, items)
	if err != nil {
		return fmt.Errorf("chatrecall: verifying the sweep: %w", err)
	}
	for _, i := range idx {
		o := &rep.Items[i]
		unknown := errors.Is(o.Err, ErrOutcomeUnknown)
		st, seen := states[o.ID()]
		switch {
		case !seen:
			o.Check = CheckMissing
			continue
		case st == MessageRecalled:
			o.Check = CheckRecalled
			o.Err = nil
		case st == MessageDeleted:
			o.Check = CheckDeleted
			if o.Err != nil {
				o.Err = &goneError{}
			}
		default:
			o.Check = CheckNotRecalled
			var nr *notRecalledError
			if !errors.As(o.Err, &nr) {
				o.Err = &notRecalledError{recall: o.Err}
			}
		}
		if unknown {
			o.Settled = true
		}
	}
	rep.Verified = true
	return nil
}

// historyVerifier reads states back from the conversation's history.
type historyVerifier struct{ c *Client }

func (h historyVerifier) States(ctx context.Context, conv Conversation, items []SweepItem) (map[string]MessageState, error) {
	want := make(map[string]bool, len(items))
	var lo, hi uint64
	var tmin, tmax int64
	for n, it := range items {
		want[it.ID()] = true
		if n == 0 || it.MsgSeq < lo {
			lo = it.MsgSeq
		}
		hi = max(hi, it.MsgSeq)
		if n == 0 || it.Time < tmin {
			tmin = it.Time
		}
		tmax = max(tmax, it.Time)
	}
	var r *HistoryReader
	switch conv.Kind() {
	case KindGroup:
		r = h.c.GroupHistory(ctx, GroupHistoryQuery{GroupID: conv.GroupID, TopicID: conv.TopicID, Before: hi})
	case KindC2C:
		r = h.c.C2CHistory(ctx, C2CHistoryQuery{Account: conv.Account, Peer: conv.Peer, Since: time.Unix(tmin, 0), Until: time.Unix(tmax, 0)})
	default:
		r = h.c.OfficialHistory(ctx, OfficialHistoryQuery{Account: conv.Official, Since: time.Unix(tmin, 0)})
	}
	out := make(map[string]MessageState, len(items))
	for m, err := range r.All() {
		if err != nil {
			return out, err
		}
		id := m.MsgKey
		if conv.Kind() == KindGroup {
			id = strconv.FormatUint(m.MsgSeq, 10)
		}
		if want[id] {
			out[id] = m.State
			if len(out) == len(want) {
				break
			}
		}
		if conv.Kind() == KindGroup && m.MsgSeq <= lo {
			break
		}
	}
	return out, nil
}

package takedown

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/webhook"
)

// API is what a takedown uses of a client: what a sweep uses, and the
// discovery endpoints. *chatrecall.Client implements it.
type API interface {
	sweep.API
	JoinedGroups(ctx context.Context, account string) iter.Seq2[chatrecall.JoinedGroup, error]
	RecentContacts(ctx context.Context, account string) iter.Seq2[chatrecall.Contact, error]
}

var _ API = (*chatrecall.Client)(nil)

// Ledger is a webhook ledger that can say where an account posted: a
// *webhook.MemoryLedger or a *redisledger.Ledger.
type Ledger interface {
	webhook.Ledger
	webhook.SenderIndex
}

// DefaultContactCap is how many recent conversations the service keeps
// for an account unless the app's edition raises it (spec section 6.2).
const DefaultContactCap = 100

// DefaultConversations is how many groups a takedown works on at once;
// it works on eight times as many one-to-one conversations (each is a few
// requests one after another, where a group keeps many in flight itself).
const DefaultConversations = 16

// c2cFactor is how many one-to-one conversations run per group slot.
const c2cFactor = 8

// Options tune a Runner.
type Options struct {
	// Reason is sent with group recalls (at most 100 bytes).
	Reason string
	// SkipVerify leaves the outcomes as the recalls answered them.
	SkipVerify bool
	// Settle and Rounds are the sweep's (sweep.Options).
	Settle time.Duration
	Rounds int
	// Ledger, when set, is a discovery source (live-stream groups, peers
	// past the conversation-list cap, topics) and the plan of every
	// conversation without history.
	Ledger Ledger
	// ContactCap is the app's conversation-list cap; a list that reaches
	// it is treated as cut short. 0 means DefaultContactCap.
	ContactCap int
	// Conversations is how many groups are worked on at once, and an
	// eighth of how many one-to-one conversations; 0 means
	// DefaultConversations. They share the client's rate limiter, so the
	// run moves at the busiest endpoint's limit.
	Conversations int
	// OnPlan, when set, is called once per conversation with its plan
	// before any of it is recalled (a journal writes it down); an error
	// stops that conversation before anything is sent. Calls may be
	// concurrent (each conversation's own).
	OnPlan func(*ConversationPlan) error
	// OnRecall and OnOutcome are the sweep's, for every conversation;
	// OnOutcome's calls are serialized across conversations.
	OnRecall  func(sweep.Outcome)
	OnOutcome func(sweep.Outcome)
	// OnConversation, when set, is called as each conversation ends.
	// Calls are serialized.
	OnConversation func(ConversationResult)
	// Done, when set, names items an earlier run settled for good: they
	// are not recalled again (a resumed run reports them itself).
	Done func(sweep.Item) bool
	// PossiblyApplied names items an earlier run may have recalled.
	PossiblyApplied func(sweep.Item) bool
	// Clock paces verification and stamps discovery; nil means the
	// system clock.
	Clock chatrecall.Clock
}

// Runner discovers, plans, recalls and verifies an account's messages
// across every conversation it found. It is safe for concurrent use.
type Runner struct {
	api    API
	o      Options
	hist   *sweep.Sweeper // conversations with history
	ledger *sweep.Sweeper // conversations planned and verified from the ledger
	outMu  sync.Mutex     // serializes OnOutcome
}

// New returns a Runner over api, with its options set by each fn in turn.
func New(api API, fns ...func(*Options)) *Runner {
	r := &Runner{api: api}
	for _, fn := range fns {
		fn(&r.o)
	}
	r.hist = sweep.New(api, r.sweepOptions)
	r.ledger = sweep.New(api, r.sweepOptions, func(o *sweep.Options) {
		if r.o.Ledger != nil {
			o.Verifier = webhook.LedgerVerifier{Ledger: r.o.Ledger}
		}
	})
	return r
}

// sweepOptions are the options of every sweep the runner makes.
func (r *Runner) sweepOptions(o *sweep.Options) {
	o.Reason, o.SkipVerify, o.Settle, o.Rounds, o.Clock = r.o.Reason, r.o.SkipVerify, r.o.Settle, r.o.Rounds, r.o.Clock
	o.OnRecall, o.PossiblyApplied, o.OnOutcome = r.o.OnRecall, r.o.PossiblyApplied, r.outcome
}

// String describes the runner without its client's secrets.
func (r *Runner) String() string {
	return fmt.Sprintf("takedown.Runner{Reason:%q SkipVerify:%t Ledger:%t Conversations:%d}", r.o.Reason, r.o.SkipVerify, r.o.Ledger != nil, r.parallel())
}

// GoString is String, so %#v prints no secret either.
func (r *Runner) GoString() string { return r.String() }

// Format makes every fmt verb print String.
func (r *Runner) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }

// LogValue makes slog print String.
func (r *Runner) LogValue() slog.Value { return slog.StringValue(r.String()) }

func (r *Runner) parallel() int {
	if r.o.Conversations > 0 {
		return r.o.Conversations
	}
	return DefaultConversations
}

func (r *Runner) contactCap() int {
	if r.o.ContactCap > 0 {
		return r.o.ContactCap
	}
	return DefaultContactCap
}

func (r *Runner) clock() chatrecall.Clock {
	if r.o.Clock == nil {
		return chatrecall.SystemClock()
	}
	return r.o.Clock
}

func (r *Runner) validate(method string) error {
	o := r.o
	switch {
	case len(o.Reason) > chatrecall.MaxReasonBytes:
		return invalidf(method, "Reason", "is %d bytes; the service takes at most %d", len(o.Reason), chatrecall.MaxReasonBytes)
	case o.ContactCap < 0:
		return invalidf(method, "ContactCap", "is %d; give 0 for the default (%d) or the app's cap", o.ContactCap, DefaultContactCap)
	case o.Conversations < 0:
		return invalidf(method, "Conversations", "is %d; give 0 for the default (%d) or a positive number", o.Conversations, DefaultConversations)
	case o.Settle < 0:
		return invalidf(method, "Settle", "is %s; give 0 for the default or a positive duration", o.Settle)
	case o.Rounds < 0:
		return invalidf(method, "Rounds", "is %d; give 0 for the default or a positive number", o.Rounds)
	}
	return chatrecall.CheckText(method, "Reason", o.Reason)
}

// checkWindow refuses what cannot be a takedown's scope.
func checkWindow(method, account string, since, until time.Time) error {
	if account == "" {
		return invalidf(method, "account", "is required (the account whose messages to take back), got an empty string")
	}
	if err := chatrecall.CheckText(method, "account", account); err != nil {
		return err
	}
	if since.IsZero() {
		return invalidf(method, "since", "is required (when the incident started): a takedown without it would take back everything the account ever sent")
	}
	if !until.IsZero() && !until.After(since) {
		return invalidf(method, "until", "is %s, not after since (%s): the window is empty", until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// API returns the client the runner works through.
func (r *Runner) API() API { return r.api }

// Options returns a function that gives a new runner r's options, so that
// New(r.API(), r.Options(), more) derives one (a resumed run's, with Done
// and PossiblyApplied set).
func (r *Runner) Options() func(*Options) {
	o := r.o
	return func(p *Options) { *p = o }
}

package sweep

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatrecall/chatrecall"
	"golang.org/x/time/rate"
)

// API is what a sweep uses of a client: the history pages, the recalls and
// delete-by-sender, and the client's rate limits (to size how many
// requests it keeps in flight). *chatrecall.Client implements it; tests
// may stub it.
type API interface {
	GroupHistoryPage(ctx context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error)
	C2CHistoryPage(ctx context.Context, r chatrecall.C2CHistoryPageRequest) (*chatrecall.C2CHistoryPage, error)
	OfficialHistoryPage(ctx context.Context, r chatrecall.OfficialHistoryPageRequest) (*chatrecall.OfficialHistoryPage, error)
	RecallGroupMessages(ctx context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error)
	RecallOfficialAccountMessages(ctx context.Context, r chatrecall.OfficialAccountRecall) (*chatrecall.OfficialAccountRecallResult, error)
	RecallC2CMessage(ctx context.Context, r chatrecall.C2CRecall) (*chatrecall.Result, error)
	DeleteGroupMessagesBySender(ctx context.Context, r chatrecall.GroupDeleteBySender) (*chatrecall.Result, error)
	RateLimit(endpoint string) rate.Limit
}

var _ API = (*chatrecall.Client)(nil)

// DefaultSettle is how long verification waits, by default, for history to
// show a recall the service answered as done (Options.Settle).
const DefaultSettle = 5 * time.Second

// DefaultMaxInFlight caps the requests a sweep keeps in flight per
// endpoint (Options.MaxInFlight).
const DefaultMaxInFlight = 128

// Options tune a Sweeper.
type Options struct {
	// Reason is sent with group and official-account recalls (at most 100
	// bytes).
	Reason string
	// SkipVerify leaves the outcomes as the recalls answered them.
	SkipVerify bool
	// Rounds caps how many times a message that verification finds still
	// there, after a recall whose outcome was unknown, not sent, or failed
	// for a reason that may pass, is recalled again. 0 means 2.
	Rounds int
	// Settle is how long verification keeps reading back, with backoff, a
	// message the service answered as recalled (or gone) while history
	// still shows it, before it reports CheckStillVisible. A read never
	// turns the service's own "done" into "not recalled". 0 means
	// DefaultSettle.
	Settle time.Duration
	// Verifier reads states back instead of the conversation's history
	// (webhook.LedgerVerifier for live-stream groups).
	Verifier Verifier
	// PossiblyApplied marks items an earlier run may have recalled (a
	// resumed run): "already gone" then confirms them.
	PossiblyApplied func(Item) bool
	// OnRecall, when set, is called once per item as its first recall
	// ends, before verification, from the goroutine that recalled it: for
	// journals.
	OnRecall func(Outcome)
	// OnOutcome, when set, is called once per item with its final
	// outcome: for reports written as they are made. Calls are serialized.
	OnOutcome func(Outcome)
	// DeleteBySender is an opt-in fast path for groups: a sender is asked
	// for with one delete_group_msg_by_sender only when a read of the
	// group's last 1,000 messages shows every visible message of that
	// sender there is in the plan, so it can take nothing the plan leaves
	// out; other senders' messages are recalled one by one, and the report
	// says why (Report.Senders). What it takes back goes silently (members
	// get no recall notice). It needs verification.
	DeleteBySender bool
	// MaxInFlight caps the requests kept in flight per endpoint; 0 means
	// DefaultMaxInFlight. The sweep keeps as many in flight as the
	// client's rate limit needs at the measured round trip, up to this.
	MaxInFlight int
	// Clock paces verification's waits; nil means the system clock.
	// chatrecalltest.Clock makes them instant in tests.
	Clock chatrecall.Clock
}

// Sweeper plans, recalls and verifies messages through a client's public
// API. It is safe for concurrent use; each call has its own state.
type Sweeper struct {
	api API
	o   Options
}

// New returns a Sweeper over api (a *chatrecall.Client), with its options
// set by each fn in turn.
func New(api API, fns ...func(*Options)) *Sweeper {
	s := &Sweeper{api: api}
	for _, fn := range fns {
		fn(&s.o)
	}
	return s
}

// String describes the sweeper without its client's secrets.
func (s *Sweeper) String() string {
	return fmt.Sprintf("sweep.Sweeper{Reason:%q SkipVerify:%t DeleteBySender:%t}", s.o.Reason, s.o.SkipVerify, s.o.DeleteBySender)
}

// GoString is String, so %#v prints no secret either.
func (s *Sweeper) GoString() string { return s.String() }

// Format makes every fmt verb print String.
func (s *Sweeper) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// LogValue makes slog print String.
func (s *Sweeper) LogValue() slog.Value { return slog.StringValue(s.String()) }

func (s *Sweeper) validate(method string) error {
	o := s.o
	if len(o.Reason) > chatrecall.MaxReasonBytes {
		return invalidf(method, "Reason", "is %d bytes; the service takes at most %d", len(o.Reason), chatrecall.MaxReasonBytes)
	}
	if err := chatrecall.CheckText(method, "Reason", o.Reason); err != nil {
		return err
	}
	switch {
	case o.Rounds < 0:
		return invalidf(method, "Rounds", "is %d; give 0 for the default (2) or a positive number", o.Rounds)
	case o.Settle < 0:
		return invalidf(method, "Settle", "is %s; give 0 for the default (%s) or a positive duration", o.Settle, DefaultSettle)
	case o.MaxInFlight < 0:
		return invalidf(method, "MaxInFlight", "is %d; give 0 for the default (%d) or a positive number", o.MaxInFlight, DefaultMaxInFlight)
	case o.DeleteBySender && o.SkipVerify:
		return invalidf(method, "DeleteBySender", "needs verification (SkipVerify is set): the service's answer names no messages, and only reading the history back shows which went")
	case o.DeleteBySender && o.Verifier != nil:
		return invalidf(method, "DeleteBySender", "reads the group's history to know what it may take; it cannot work with a Verifier in place of history")
	}
	return nil
}

func (s *Sweeper) rounds() int {
	if s.o.Rounds == 0 {
		return 2
	}
	return s.o.Rounds
}

func (s *Sweeper) settle() time.Duration {
	if s.o.Settle == 0 {
		return DefaultSettle
	}
	return s.o.Settle
}

func (s *Sweeper) clock() chatrecall.Clock {
	if s.o.Clock == nil {
		return chatrecall.SystemClock()
	}
	return s.o.Clock
}

func (s *Sweeper) newGate(endpoint string) *gate {
	most := s.o.MaxInFlight
	if most == 0 {
		most = DefaultMaxInFlight
	}
	return newGate(float64(s.api.RateLimit(endpoint)), most)
}

func invalidf(method, field, format string, args ...any) error {
	return &chatrecall.ValidationError{Method: method, Field: field, Problem: fmt.Sprintf(format, args...)}
}

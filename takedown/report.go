package takedown

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
)

// ErrIncomplete matches the error of a takedown that did not see
// everything it was asked to cover (sweep.ErrIncomplete).
var ErrIncomplete = sweep.ErrIncomplete

// Report is how a takedown ended: a result per conversation, in the order
// they ended, and the totals. Each message's outcome went to
// Options.OnOutcome as it was final; the report keeps only the counts, so
// its size does not grow with the messages.
type Report struct {
	// Discovery is the snapshot the run took back from (nil for Apply).
	Discovery     *Discovery
	Conversations []ConversationResult
	// Total counts every conversation's outcomes; Skipped the messages an
	// earlier run had settled.
	Total   sweep.Summary
	Skipped int

	mu       sync.Mutex
	onResult func(ConversationResult)
}

func (r *Runner) newReport(d *Discovery) *Report {
	return &Report{Discovery: d, onResult: r.o.OnConversation}
}

func (rep *Report) add(_ *Runner, res ConversationResult) {
	rep.mu.Lock()
	defer rep.mu.Unlock()
	rep.Conversations = append(rep.Conversations, res)
	addSummary(&rep.Total, res.Summary)
	rep.Skipped += res.Skipped
	if rep.onResult != nil {
		rep.onResult(res)
	}
}

func (rep *Report) finish(context.Context) (*Report, error) {
	if err := rep.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

func addSummary(a *sweep.Summary, b sweep.Summary) {
	a.Total += b.Total
	a.Recalled += b.Recalled
	a.Verified += b.Verified
	a.StillVisible += b.StillVisible
	a.DeletedBySender += b.DeletedBySender
	a.Deleted += b.Deleted
	a.NotRecalled += b.NotRecalled
	a.Failed += b.Failed
	a.Unknown += b.Unknown
	a.NotSent += b.NotSent
	a.Missing += b.Missing
	a.Settled += b.Settled
	a.Extra += b.Extra
}

// Incomplete lists what the run did not see in full: discovery's gaps it
// knows of, and each conversation whose history was not all read (or whose
// sweep stopped), with why.
func (rep *Report) Incomplete() []string {
	var out []string
	if rep.Discovery != nil {
		out = append(out, rep.Discovery.Unseen...)
	}
	for _, c := range rep.Conversations {
		if !c.Incomplete() {
			continue
		}
		var why []string
		if c.Err != "" {
			why = append(why, c.Err)
		}
		for _, u := range c.Unseen {
			why = append(why, u.String())
		}
		out = append(out, c.Name()+": "+strings.Join(why, "; "))
	}
	return out
}

// Err is nil when every planned message was taken back and nothing known
// went unseen; otherwise an *Error with the numbers.
func (rep *Report) Err() error {
	t := rep.Total
	inc := rep.Incomplete()
	if t.Failed == 0 && t.Unknown == 0 && t.NotSent == 0 && len(inc) == 0 {
		return nil
	}
	return &Error{Messages: t.Total, NotDone: t.Failed + t.Unknown + t.NotSent + t.NotRecalled,
		Failed: t.Failed, Unknown: t.Unknown, NotSent: t.NotSent, NotRecalled: t.NotRecalled, Incomplete: inc}
}

// Error is a takedown that did not take back every message it planned, or
// did not see everything it covered. It matches ErrIncomplete when
// Incomplete is not empty, chatrecall.ErrOutcomeUnknown when some outcome
// is unknown, chatrecall.ErrNotSent when some message was not sent, and
// chatrecall.ErrNotRecalled when verification found one still there.
type Error struct {
	Messages int // planned (and not settled by an earlier run)
	// NotDone counts the messages not taken back: Failed + Unknown +
	// NotSent + NotRecalled, the words of sweep.Summary and the CLI.
	NotDone                               int
	Failed, Unknown, NotSent, NotRecalled int
	Incomplete                            []string
}

// Error reads like "takedown: 3 of 31,000 messages not taken back (1
// outcome unknown, 0 not sent); incomplete: 2 (first: ...)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "takedown: %d of %d messages not taken back (%d failed, %d outcome unknown, %d not sent, %d read back still there)", e.NotDone, e.Messages, e.Failed, e.Unknown, e.NotSent, e.NotRecalled)
	if n := len(e.Incomplete); n > 0 {
		fmt.Fprintf(&b, "; incomplete: %d thing(s) not seen in full, first: %s", n, e.Incomplete[0])
	}
	return b.String()
}

// Is matches ErrIncomplete, chatrecall.ErrOutcomeUnknown, chatrecall.ErrNotSent
// and chatrecall.ErrNotRecalled as the counts say.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrIncomplete:
		return len(e.Incomplete) > 0
	case chatrecall.ErrOutcomeUnknown:
		return e.Unknown > 0
	case chatrecall.ErrNotSent:
		return e.NotSent > 0
	case chatrecall.ErrNotRecalled:
		return e.NotRecalled > 0
	}
	return false
}

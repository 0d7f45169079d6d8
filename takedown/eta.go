package takedown

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
)

// This file is what a dry run says before anything is sent: what the plan
// holds, and how long applying it will take, from the requests it needs
// at each endpoint, the client's limits and the round trip measured while
// planning.

// Estimate is how long applying a plan should take.
type Estimate struct {
	// Requests is how many requests applying the plan needs, per endpoint
	// (recalls, and the history pages that verify them).
	Requests map[string]int `json:"requests"`
	// Busiest is the endpoint whose requests take longest at its limit;
	// Floor is that time: no run can be faster.
	Busiest string        `json:"busiest"`
	Floor   time.Duration `json:"floor_ns"`
	// RoundTrip is a typical history request's round trip while planning.
	RoundTrip time.Duration `json:"round_trip_ns"`
	// ETA is the estimate: the floor, plus the round trips a conversation
	// needs from its first recall to its last read-back.
	ETA time.Duration `json:"eta_ns"`
}

// PlanSummary is what Plan found.
type PlanSummary struct {
	Discovery     *Discovery
	Conversations int // planned
	Messages      int // the account's messages to take back
	// Empty counts conversations where the account posted nothing in the
	// window (nothing to do there).
	Empty int
	// Pages counts the history pages read.
	Pages int
	// Incomplete lists what the plan could not see, with why.
	Incomplete []string
	Estimate   Estimate

	emitErr error
}

func newPlanSummary(d *Discovery) *PlanSummary {
	s := &PlanSummary{Discovery: d, Estimate: Estimate{Requests: map[string]int{}}}
	s.Incomplete = append(s.Incomplete, d.Unseen...)
	return s
}

// add counts one conversation's plan and the requests applying it needs.
func (s *PlanSummary) add(p *ConversationPlan, r *Runner) {
	s.Conversations++
	s.Messages += len(p.Items)
	s.Pages += p.Stats.Pages
	if len(p.Items) == 0 {
		s.Empty++
	}
	res := ConversationResult{Target: p.Target, Unseen: p.Unseen}
	if p.Err != nil {
		res.Err = p.Err.Error()
	}
	if res.Incomplete() {
		s.Incomplete = append(s.Incomplete, (&Report{Conversations: []ConversationResult{res}}).Incomplete()...)
	}
	for ep, n := range requestsFor(p, !r.o.SkipVerify) {
		s.Estimate.Requests[ep] += n
	}
}

// requestsFor counts the requests applying p needs per endpoint, as the
// sweep sends them: group recalls 10 seqs a request, one-to-one recalls one
// message each; verification reads a group back one page per run of seqs
// within 20 of each other, and a one-to-one conversation a page per 100
// messages of each window.
func requestsFor(p *ConversationPlan, verify bool) map[string]int {
	n := len(p.Items)
	if n == 0 {
		return nil
	}
	out := map[string]int{}
	if p.Kind() == chatrecall.KindC2C {
		out[chatrecall.EndpointC2CRecall] = n
		if verify {
			out[chatrecall.EndpointC2CHistory] = (n+127)/128 + n/100
		}
		return out
	}
	out[chatrecall.EndpointGroupRecall] = (n + chatrecall.MaxRecallItems - 1) / chatrecall.MaxRecallItems
	if verify && !p.NoHistory {
		seqs := make([]uint64, n)
		for i, it := range p.Items {
			seqs[i] = it.MsgSeq
		}
		slices.Sort(seqs)
		slices.Reverse(seqs)
		segs := 0
		for k := 0; k < len(seqs); {
			hi := seqs[k]
			for k < len(seqs) && seqs[k]+19 >= hi {
				k++
			}
			segs++
		}
		out[chatrecall.EndpointGroupHistory] = segs
	}
	return out
}

// roundTrips is how many round trips a run adds to its busiest endpoint's
// floor: the first recall's, the last conversation's read-back, and the
// queue's start.
const roundTrips = 3

func (s *PlanSummary) finish(r *Runner, rtt time.Duration) {
	e := &s.Estimate
	e.RoundTrip = rtt
	for ep, n := range e.Requests {
		limit := float64(r.api.RateLimit(ep))
		if limit <= 0 {
			continue
		}
		if d := time.Duration(float64(n) / limit * float64(time.Second)); d > e.Floor {
			e.Floor, e.Busiest = d, ep
		}
	}
	if len(e.Requests) > 0 {
		e.ETA = e.Floor + roundTrips*rtt
	}
}

func (s *PlanSummary) err(ctx context.Context) error {
	var errs []error
	if s.emitErr != nil {
		errs = append(errs, s.emitErr)
	}
	if len(s.Incomplete) > 0 {
		errs = append(errs, &Error{Incomplete: s.Incomplete})
	}
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return errors.Join(errs...)
}

// timedAPI measures the history round trips a plan's reads take.
type timedAPI struct {
	API
	mu    sync.Mutex
	times []time.Duration
}

func (t *timedAPI) note(start time.Time) {
	d := time.Since(start)
	t.mu.Lock()
	t.times = append(t.times, d)
	if len(t.times) > 1<<12 {
		t.times = []time.Duration{slices.Min(t.times)}
	}
	t.mu.Unlock()
}

func (t *timedAPI) GroupHistoryPage(ctx context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error) {
	defer t.note(time.Now())
	return t.API.GroupHistoryPage(ctx, r)
}

func (t *timedAPI) C2CHistoryPage(ctx context.Context, r chatrecall.C2CHistoryPageRequest) (*chatrecall.C2CHistoryPage, error) {
	defer t.note(time.Now())
	return t.API.C2CHistoryPage(ctx, r)
}

// roundTrip is the round trip without queueing: the fastest call. (A call
// also waits for the client's rate limiter, and while planning at the
// limit nearly every call waits; only the fastest waited for nothing.)
func (t *timedAPI) roundTrip() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.times) == 0 {
		return 0
	}
	return slices.Min(t.times)
}

var _ sweep.API = (*timedAPI)(nil)

package sweep

import (
	"context"
	"iter"
	"time"

	"github.com/chatrecall/chatrecall"
)

// PlanStats counts what a plan read.
type PlanStats struct {
	Read            int // messages read in the time window
	Matched         int // of them, sent by the senders and accepted by Match
	AlreadyRecalled int // matched, but recalled already: not planned
	Deleted         int // matched, but deleted or expired: not planned
	Planned         int
	Pages           int    // history pages answered
	Stop            string // why the read ended
}

// Plan reads conv's history in f's window and yields every message f
// selects that is neither recalled nor deleted yet, newest first for
// groups and official accounts (one-to-one: as the time slices read them).
// Nothing is recalled. A failure is yielded once, as the last value; a
// read that could not see part of the history yields an *IncompleteError
// last. st, when not nil, receives what the read did.
func (s *Sweeper) Plan(ctx context.Context, conv chatrecall.Conversation, f Filter, st *PlanStats) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		if err := s.check("Plan", ctx, conv, f); err != nil {
			yield(Item{}, err)
			return
		}
		var stats PlanStats
		defer func() {
			if st != nil {
				*st = stats
			}
		}()
		stopped := false
		rs, err := s.read(ctx, conv, f, &stats, func(_ int, it Item) bool {
			stopped = !yield(it, nil)
			return !stopped
		}, nil)
		switch {
		case stopped:
		case err != nil:
			yield(Item{}, err)
		case len(rs.Unseen) > 0:
			yield(Item{}, &IncompleteError{Conversation: conv, Unseen: rs.Unseen})
		}
	}
}

func (s *Sweeper) check(method string, ctx context.Context, conv chatrecall.Conversation, f Filter) error {
	if ctx == nil {
		return invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	if err := conv.Validate(); err != nil {
		return renamed(err, method, "")
	}
	if err := f.validate(method); err != nil {
		return err
	}
	if err := s.validate(method); err != nil {
		return err
	}
	if s.o.DeleteBySender && conv.Kind() != chatrecall.KindGroup {
		return invalidf(method, "DeleteBySender", "is for groups; %s is not one", conv)
	}
	return nil
}

// read walks conv's history for f, calling plan with each planned item and
// the lane it was read in (one-to-one time slices; 0 elsewhere), and
// laneEnd as each lane finishes.
func (s *Sweeper) read(ctx context.Context, conv chatrecall.Conversation, f Filter, stats *PlanStats, plan func(lane int, it Item) bool, laneEnd func(int)) (readStats, error) {
	return s.readWith(ctx, conv, f, stats, s.newGate(historyEndpoint(conv)), plan, laneEnd, nil)
}

// readWith reads through the gate g; issued, when set, is called once the
// read will send no more pages (the last may still be in flight).
func (s *Sweeper) readWith(ctx context.Context, conv chatrecall.Conversation, f Filter, stats *PlanStats, g *gate, plan func(lane int, it Item) bool, laneEnd func(int), issued func()) (readStats, error) {
	senders := make(map[string]bool, len(f.Senders))
	for _, id := range f.Senders {
		senders[id] = true
	}
	take := func(lane int, msgs []chatrecall.Message) bool {
		for _, m := range msgs {
			if !f.Since.IsZero() && m.Time.Before(f.Since) || !f.Until.IsZero() && m.Time.After(f.Until) {
				continue
			}
			stats.Read++
			if !f.accepts(m, senders) {
				continue
			}
			stats.Matched++
			switch m.State {
			case chatrecall.MessageRecalled:
				stats.AlreadyRecalled++
				continue
			case chatrecall.MessageDeleted:
				stats.Deleted++
				continue
			}
			stats.Planned++
			if !plan(lane, itemOf(conv, m)) {
				return false
			}
		}
		return true
	}
	var (
		rs  readStats
		err error
	)
	switch conv.Kind() {
	case chatrecall.KindGroup:
		gw := &groupWalk{groupPager: &groupPager{api: s.api, gate: g, conv: conv}, since: f.Since, ahead: func() int { return 2*g.window() + 4 }, issued: issued}
		rs, err = gw.run(ctx, func(msgs []chatrecall.Message) bool { return take(0, msgs) })
	case chatrecall.KindC2C:
		till := f.Until
		if till.IsZero() {
			// No upper bound: read past now, so a message stamped by a
			// service clock ahead of ours is not missed unseen.
			till = s.clock().Now().Add(clockMargin)
		}
		w := &c2cWalk{api: s.api, gate: g, conv: conv, since: max(0, f.Since.Unix()), till: till.Unix(), slices: g.window}
		if f.Since.IsZero() {
			w.since = 0
		}
		// Each page of a slice ends a verification window: the recalls are
		// the busier endpoint, and windows verified early leave no backlog
		// of reads for the end.
		rs, err = w.run(ctx, func(lane int, msgs []chatrecall.Message) bool {
			ok := take(lane, msgs)
			if laneEnd != nil {
				laneEnd(lane)
			}
			return ok
		}, laneEnd)
	default:
		ow := &officialWalk{api: s.api, gate: g, conv: conv, since: f.Since}
		rs, err = ow.run(ctx, func(msgs []chatrecall.Message) bool { return take(0, msgs) })
	}
	stats.Pages, stats.Stop = rs.Pages, rs.Stop
	return rs, err
}

// clockMargin is how far past now a read with no upper bound reaches.
const clockMargin = time.Hour

// kindEndpoints are the endpoints a sweep of each kind of conversation
// uses: its history, and its recall.
var kindEndpoints = map[string][2]string{
	chatrecall.KindGroup:    {chatrecall.EndpointGroupHistory, chatrecall.EndpointGroupRecall},
	chatrecall.KindC2C:      {chatrecall.EndpointC2CHistory, chatrecall.EndpointC2CRecall},
	chatrecall.KindOfficial: {chatrecall.EndpointOfficialHistory, chatrecall.EndpointOfficialRecall},
}

func historyEndpoint(conv chatrecall.Conversation) string { return kindEndpoints[conv.Kind()][0] }

func endpointOf(conv chatrecall.Conversation) string { return kindEndpoints[conv.Kind()][1] }

// officialWalk reads an official account newest first, one page after
// another (each page's LastMsgKey names the next: the spec gives no way to
// start in the middle), down to since or to the message with seq stopAt.
type officialWalk struct {
	api    API
	gate   *gate
	conv   chatrecall.Conversation
	since  time.Time
	stopAt uint64
}

// OfficialHistoryPage paces one page through the gate.
func (w *officialWalk) OfficialHistoryPage(ctx context.Context, r chatrecall.OfficialHistoryPageRequest) (*chatrecall.OfficialHistoryPage, error) {
	start, err := w.gate.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer w.gate.release(start)
	return w.api.OfficialHistoryPage(ctx, r)
}

func (w *officialWalk) run(ctx context.Context, emit func([]chatrecall.Message) bool) (readStats, error) {
	var st readStats
	var hs chatrecall.HistoryStats
	var page []chatrecall.Message
	var err error
	q := chatrecall.OfficialHistoryQuery{Account: w.conv.Official, Since: w.since, Stats: &hs}
	for m, e := range chatrecall.WalkOfficialHistory(ctx, w, q) {
		if e != nil {
			err = e
			break
		}
		page = append(page, m)
		if len(page) == chatrecall.MaxGroupHistoryPage {
			if !emit(page) {
				st.Stop = "caller stopped"
				return st, nil
			}
			page = page[:0]
		}
		if seq, ok := chatrecall.KeySeq(m.MsgKey); w.stopAt != 0 && ok && seq <= w.stopAt {
			break
		}
	}
	if len(page) > 0 && !emit(page) {
		st.Stop = "caller stopped"
		return st, nil
	}
	st.Pages, st.Stop = hs.Pages, hs.Stop
	if err != nil {
		st.Stop = err.Error()
		st.Unseen = append(st.Unseen, Range{Why: "not read: " + err.Error()})
	}
	return st, err
}

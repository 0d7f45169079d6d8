package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
)

// This file runs a sweep from history as the SDK does: planning, recalls
// and verification at once, each outcome printed as it is final, and, with
// --journal, every request's items on disk before it is sent, so that
// chatrecall group|official|c2c --resume finishes a run cut short.

// journaled is the client as the sweep sees it, with each recall request's
// items journaled (planned, then sent) before the request goes out.
type journaled struct {
	*chatrecall.Client
	jr      *journal
	mu      sync.Mutex
	planned map[string]bool
}

// record journals the items of one request before it is sent.
func (j *journaled) record(names, from, to []string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var l journalLine
	for n, name := range names {
		if j.planned[name] {
			continue
		}
		j.planned[name] = true
		l.Plan = append(l.Plan, name)
		if from != nil {
			l.From, l.To = append(l.From, from[n]), append(l.To, to[n])
		}
	}
	if l.Plan != nil {
		if err := j.jr.writeSync(l); err != nil {
			return err
		}
	}
	return j.jr.writeSync(journalLine{Sent: names})
}

// groupNotJournaled is a group recall's result when its journal line could
// not be written: no message of it was sent.
func groupNotJournaled(r chatrecall.GroupRecall, err error) (*chatrecall.GroupRecallResult, error) {
	res := &chatrecall.GroupRecallResult{GroupID: r.GroupID}
	for _, s := range r.MsgSeqs {
		res.Items = append(res.Items, chatrecall.GroupRecallItem{MsgSeq: s, Err: notJournaled(err)})
	}
	return res, notJournaled(err)
}

// notJournaled is the outcome of a request whose journal line could not be
// written: it was not sent.
func notJournaled(err error) error {
	return &chatrecall.NotSentError{Cause: fmt.Errorf("the journal could not record it: %w", err)}
}

func (j *journaled) RecallGroupMessages(ctx context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	names := make([]string, len(r.MsgSeqs))
	for n, s := range r.MsgSeqs {
		names[n] = fmt.Sprint(s)
	}
	if err := j.record(names, nil, nil); err != nil {
		return groupNotJournaled(r, err)
	}
	return j.Client.RecallGroupMessages(ctx, r)
}

func (j *journaled) RecallOfficialAccountMessages(ctx context.Context, r chatrecall.OfficialAccountRecall) (*chatrecall.OfficialAccountRecallResult, error) {
	if err := j.record(r.MsgKeys, nil, nil); err != nil {
		res := &chatrecall.OfficialAccountRecallResult{Account: r.Account}
		for _, k := range r.MsgKeys {
			res.Items = append(res.Items, chatrecall.OfficialAccountRecallItem{MsgKey: k, Err: notJournaled(err)})
		}
		return res, notJournaled(err)
	}
	return j.Client.RecallOfficialAccountMessages(ctx, r)
}

func (j *journaled) RecallC2CMessage(ctx context.Context, r chatrecall.C2CRecall) (*chatrecall.Result, error) {
	if err := j.record([]string{r.MsgKey}, []string{r.From}, []string{r.To}); err != nil {
		return nil, notJournaled(err)
	}
	return j.Client.RecallC2CMessage(ctx, r)
}

// fitSweep sizes a table for a sweep's rows: their items are found as the
// sweep reads, so the columns take the widest such values can be.
func fitSweep(rep *reporter, endpoint string, conv chatrecall.Conversation) {
	target, item := conv.GroupID+conv.Official, "4294967295" // a group's seqs
	if conv.Kind() == chatrecall.KindC2C {
		target = conv.Account + "->" + conv.Peer
	}
	if conv.Kind() != chatrecall.KindGroup {
		item = "31906_833502_1572869830" // a message key
	}
	rep.fit(endpoint, target, item)
}

// outcomeRow is a sweep outcome as printed.
func outcomeRow(endpoint string, o sweep.Outcome) row {
	target := o.GroupID + o.Official
	if o.Kind() == chatrecall.KindC2C {
		target = o.Sender + "->" + o.To
	}
	rw := newRow(endpoint, target, o.ID(), "recalled", o.Err, o.ConfirmedByRetry)
	switch {
	case o.Extra:
		rw.Detail = "not in the plan: taken back by delete_group_msg_by_sender"
	case o.DeletedBySender:
		rw.Detail = "taken back silently by delete_group_msg_by_sender"
	case o.Check != sweep.CheckNone:
		rw.Detail = "read back: " + o.Check.String()
	}
	if rw.Error != "" && o.Check != sweep.CheckNone {
		rw.Error = "read back " + o.Check.String() + ": " + rw.Error
	}
	return rw
}

// streamSweep plans, recalls and verifies conv from its history.
func (a *app) streamSweep(kind string, conv chatrecall.Conversation, filter sweep.Filter, f *sweepFlags, extra []chatrecall.Option) error {
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil, extra...)
	if err != nil {
		return err
	}
	defer cleanup()
	return a.streamRun(kind, conv, f, client, nil, func(s *sweep.Sweeper) (*sweep.Report, error) {
		return s.Sweep(context.Background(), conv, filter)
	})
}

// streamRun runs a sweep through client (run calls the Sweeper), with the
// journal, the streamed outcomes and the summary every sweep command
// shares; opts, when set, tunes the sweeper further.
func (a *app) streamRun(kind string, conv chatrecall.Conversation, f *sweepFlags, client *chatrecall.Client, opts func(*sweep.Options),
	run func(*sweep.Sweeper) (*sweep.Report, error)) error {
	var err error
	endpoint := map[string]string{"group": chatrecall.EndpointGroupRecall, "c2c": chatrecall.EndpointC2CRecall, "official": chatrecall.EndpointOfficialRecall}[kind]
	var api sweep.API = client
	var jr *journal
	if f.journal != "" {
		if jr, err = createJournal(f.journal); err != nil {
			return err
		}
		h := journalHeader{Journal: journalVersion, Command: kind, Target: conv.GroupID + conv.Official + conv.Account, Topic: conv.TopicID,
			Peer: conv.Peer, Reason: f.reason, Streamed: true}
		if err := jr.writeSync(journalLine{journalHeader: h}); err != nil {
			_ = jr.close()
			return usagef("--journal: %v; nothing was sent", err)
		}
		api = &journaled{Client: client, jr: jr, planned: map[string]bool{}}
	}
	rep := newReporter(a, 0)
	fitSweep(rep, endpoint, conv)
	s := sweep.New(api, func(o *sweep.Options) {
		o.Reason, o.SkipVerify, o.DeleteBySender = f.reason, f.noVerify, f.deleteBySender
		if jr != nil {
			o.OnRecall = func(out sweep.Outcome) {
				rw := outcomeRow(endpoint, out)
				jr.writeThen(journalLine{Row: &rw}, func() {})
			}
		}
		o.OnOutcome = func(out sweep.Outcome) {
			rw := outcomeRow(endpoint, out)
			if jr == nil {
				rep.emit(rw)
				return
			}
			jr.writeThen(journalLine{Row: &rw, Shown: true}, func() { rep.shownFrom(jr, rw) })
		}
	}, func(o *sweep.Options) {
		if opts != nil {
			opts(o)
		}
	})
	res, err := run(s)
	if jr != nil {
		if cerr := rep.closeShown(jr); cerr != nil {
			fmt.Fprintf(a.e.stderr, "chatrecall: %v: outcomes after the failure were not recorded or printed\n", cerr)
		}
	}
	if res == nil {
		return usagef("sweep %s: %v", kind, err)
	}
	st := res.Plan
	fmt.Fprintf(a.e.stderr, "chatrecall: read %d messages in %d pages (%d in flight at most): %d matched, %d planned, %d already recalled, %d deleted\n",
		st.Read, st.Pages, res.PagesInFlight, st.Matched, st.Planned, st.AlreadyRecalled, st.Deleted)
	for _, n := range res.Senders {
		verb := "recalled one by one"
		if n.Deleted {
			verb = "delete_group_msg_by_sender (silent: members get no recall notice)"
		}
		fmt.Fprintf(a.e.stderr, "chatrecall: sender %s: %s: %s\n", n.Sender, verb, n.Why)
	}
	if !f.noVerify {
		sum := res.Summary()
		fmt.Fprintf(a.e.stderr, "verified: %d read back gone, %d taken back by delete-by-sender, %d answered recalled but still shown by history, %d still there, %d not found in history\n",
			sum.Verified, sum.DeletedBySender, sum.StillVisible, sum.NotRecalled, sum.Missing)
		if sum.Extra > 0 {
			fmt.Fprintf(a.e.stderr, "chatrecall: %d messages NOT in the plan were taken back by delete_group_msg_by_sender (sent between its check and the delete); they are listed above\n", sum.Extra)
		}
	}
	a.code = rep.finish(a.e.stderr, a.stop.why)
	if len(res.Unseen) > 0 {
		a.code = max(a.code, exitFailed)
		var parts []string
		for i, u := range res.Unseen {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("and %d more", len(res.Unseen)-5))
				break
			}
			parts = append(parts, u.String())
		}
		fmt.Fprintf(a.e.stderr, "chatrecall: INCOMPLETE: %d range(s) of the history were not seen, so messages there were neither planned nor checked: %s\n", len(res.Unseen), strings.Join(parts, "; "))
	}
	if res.Len() == 0 && len(res.Unseen) == 0 {
		fmt.Fprintln(a.e.stderr, "chatrecall: nothing to recall")
	}
	if jr != nil && a.code != exitOK {
		fmt.Fprintf(a.e.stderr, "chatrecall: to finish what was sent without an answer: chatrecall %s --resume %s\n", kind, f.journal)
	}
	return nil
}

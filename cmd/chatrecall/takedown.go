package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/takedown"
)

// This file is chatrecall takedown: find every conversation an account
// posted in since the incident started, take back its messages there, and
// verify they are gone, with a plan to review, a journal to resume and a
// report to paste into the incident ticket.

type takedownFlags struct {
	account, since, until, reason          string
	plan, planOut, journal, resume, report string
	redisURL, prefix                       string
	contactCap, conversations              int
	noVerify                               bool
	settle                                 time.Duration
}

func (a *app) takedownCmd() *cobra.Command {
	var f takedownFlags
	c := &cobra.Command{
		Use:   "takedown --account ID --since WHEN [--until WHEN] [--dry-run --plan-out FILE | --plan FILE] [--journal FILE] [--report FILE] | --resume FILE",
		Short: "Take back everything an account sent since the incident started, in every conversation, verified",
		Long: `Takedown finds every conversation the account may have posted in since --since: its joined groups
(get_joined_group_list), its recent one-to-one conversations (recentcontact/get_list, capped by the app's
edition), and, with --redis, the webhook ledger (live-stream groups, topics, and peers past the cap). It
says what each source cannot have covered, in numbers, and never claims to have found every conversation.

Then, many conversations at once under one rate limiter, it reads each conversation's history for the
account's messages in the window, recalls them and reads them back. One outcome per message (a table, or
JSON Lines with --json); with --report FILE, the outcomes and a summary per conversation in JSON Lines,
and FILE.md, a short summary for the incident ticket.

The incident:
  1. chatrecall contain --account mallory            (mute everywhere, log out)
  2. chatrecall takedown --account mallory --since 3h --dry-run --plan-out mallory.plan
     (nothing is sent but history reads: the plan, per conversation, and how long applying it takes)
  3. chatrecall takedown --plan mallory.plan --journal mallory.journal --report mallory.report
     (after a crash or Ctrl-C: chatrecall takedown --resume mallory.journal --report mallory.report)

Large takedowns ask for confirmation on a terminal (--yes skips it); without a terminal nothing is asked.`,
		Example: "  chatrecall takedown --demo --account mallory --since 3h --dry-run\n" +
			"  chatrecall takedown --account mallory --since 2026-12-02T06:00:00Z --redis redis://ledger:6379/0 --journal mallory.journal --report mallory.report",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runTakedown(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.account, "account", "", "the account whose messages to take back")
	fl.StringVar(&f.since, "since", "", "from WHEN (the incident's start): a duration back from now (3h) or an RFC 3339 time")
	fl.StringVar(&f.until, "until", "", "until WHEN (default: now)")
	fl.StringVar(&f.reason, "reason", "", "the reason sent with group recalls (at most 100 bytes)")
	fl.StringVar(&f.plan, "plan", "", "apply the plan in FILE (as --dry-run --plan-out wrote it) instead of discovering and reading again")
	fl.StringVar(&f.planOut, "plan-out", "", "with --dry-run: write the plan to FILE instead of standard output")
	fl.StringVar(&f.journal, "journal", "", "record each conversation's plan, each request's items before it is sent, and each outcome, in FILE")
	fl.StringVar(&f.resume, "resume", "", "finish the run FILE journaled: nothing with a definite outcome is sent again, and what it recorded but did not print is printed")
	fl.StringVar(&f.report, "report", "", "write every outcome and a summary per conversation to FILE (JSON Lines), and a Markdown summary to FILE.md")
	fl.StringVar(&f.redisURL, "redis", "", "read the webhook ledger in this Redis (redis://host:6379/0) to find live-stream groups, topics and peers past the cap")
	fl.StringVar(&f.prefix, "prefix", redisledger.DefaultPrefix, "the ledger's key prefix, as its receivers were given it")
	fl.IntVar(&f.contactCap, "contact-cap", takedown.DefaultContactCap, "the app's conversation-list cap (100, or up to 500 on higher editions)")
	fl.IntVar(&f.conversations, "conversations", takedown.DefaultConversations, "conversations of each kind worked on at once")
	fl.BoolVar(&f.noVerify, "no-verify", false, "do not read the messages back after recalling them")
	fl.DurationVar(&f.settle, "settle", sweep.DefaultSettle, "how long to keep reading back a message the service answered recalled (history lags; live-stream groups wait for the after-recall callback)")
	return c
}

// check refuses a bad command line before anything is sent.
func (f *takedownFlags) check(dry bool) error {
	sel := f.account != "" || f.since != "" || f.until != ""
	switch {
	case f.resume != "" && (sel || f.plan != "" || f.journal != ""):
		return usagef("takedown: --resume takes the account, window and plan from its journal; give it alone (with --report)")
	case f.plan != "" && sel:
		return usagef("takedown: --plan takes the account and window from the plan; leave out --account, --since and --until")
	case f.resume == "" && f.plan == "" && f.account == "":
		return usagef("takedown: --account is required: the account whose messages to take back (or --plan FILE, or --resume FILE)")
	case f.resume == "" && f.plan == "" && f.since == "":
		return usagef("takedown: --since is required: when the incident started (3h, or an RFC 3339 time); without it every message the account ever sent would be taken back")
	case f.planOut != "" && !dry:
		return usagef("takedown: --plan-out needs --dry-run")
	case dry && (f.journal != "" || f.resume != "" || f.plan != ""):
		return usagef("takedown: --dry-run sends nothing: leave out --journal, --resume and --plan")
	case f.contactCap < 1:
		return usagef("takedown: --contact-cap %d: give the app's conversation-list cap (100 unless the edition raises it)", f.contactCap)
	case f.settle <= 0:
		return usagef("takedown: --settle %s: give a positive duration", f.settle)
	case f.conversations < 1:
		return usagef("takedown: --conversations %d: give a positive number", f.conversations)
	case len(f.reason) > chatrecall.MaxReasonBytes:
		return usagef("takedown: --reason is %d bytes; the service takes at most %d", len(f.reason), chatrecall.MaxReasonBytes)
	}
	if err := chatrecall.CheckText("takedown", "--reason", f.reason); err != nil {
		return usagef("%v", err)
	}
	if f.account != "" {
		if err := chatrecall.CheckText("takedown", "--account", f.account); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}

func (a *app) runTakedown(f *takedownFlags) error {
	if err := f.check(a.o.dryRun); err != nil {
		return err
	}
	h := &tdHeader{Account: f.account, Reason: f.reason, NoVerify: f.noVerify, ContactCap: f.contactCap, Ledger: f.redisURL != "" || a.o.demo}
	var st *tdState
	switch {
	case f.resume != "":
		var err error
		if st, err = readTakedown("--resume", f.resume); err != nil {
			return err
		}
		*h = st.header
	case f.plan != "":
		var err error
		if st, err = readTakedown("--plan", f.plan); err != nil {
			return err
		}
		*h = st.header
		h.Reason, h.NoVerify = cmp(f.reason, h.Reason), f.noVerify || h.NoVerify
	default:
		sw := sweepFlags{since: f.since, until: f.until}
		var err error
		if h.Since, h.Until, err = sw.window("takedown"); err != nil {
			return err
		}
	}
	var redisOpt *redis.Options
	if f.redisURL != "" {
		var err error
		if redisOpt, err = redis.ParseURL(f.redisURL); err != nil {
			return usagef("takedown: --redis: %v", err)
		}
	}
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	var ledger takedown.Ledger
	switch {
	case redisOpt != nil:
		rdb := redis.NewClient(redisOpt)
		defer rdb.Close()
		ledger = redisledger.New(rdb, redisledger.WithPrefix(f.prefix))
	case a.o.demo:
		ledger = a.demoLedger
	}
	out := newTDOut(a, f.report)
	api := takedown.API(client)
	var jr *journal
	if f.journal != "" || f.resume != "" {
		if f.resume != "" {
			jr, err = reopenJournal(f.resume, st.validLen)
		} else {
			jr, err = createJournal(f.journal)
		}
		if err != nil {
			return err
		}
		api = &tdJournaled{Client: client, jr: jr}
		out.jr = jr
	}
	r := takedown.New(api, func(o *takedown.Options) {
		o.Reason, o.SkipVerify, o.ContactCap, o.Conversations, o.Ledger = h.Reason, h.NoVerify, cmpInt(h.ContactCap, f.contactCap), f.conversations, ledger
		o.OnOutcome, o.OnConversation, o.Settle = out.outcome, out.conversation, f.settle
		if jr != nil {
			o.OnPlan = func(p *takedown.ConversationPlan) error { return jr.writeSyncAll(planLines(p)) }
		}
	})
	ctx := context.Background()
	if st == nil {
		d, derr := r.Discover(ctx, h.Account, h.Since, h.Until)
		if d == nil {
			closeJournal(a, jr)
			return serviceFailure(fmt.Errorf("takedown: discovery: %w", derr))
		}
		a.printDiscovery(d, derr)
		if a.o.dryRun {
			return a.dryTakedown(r, d, h, f.planOut)
		}
		if !a.confirm(fmt.Sprintf("Take back %s's messages since %s in %d conversations?", h.Account, h.Since.UTC().Format(time.RFC3339), len(d.Targets)), len(d.Targets) > 20, a.o.yes) {
			closeJournal(a, jr)
			return usagef("takedown: not confirmed; nothing was sent")
		}
		if jr != nil {
			if err := writeHead(jr.writeSync, h, d); err != nil {
				closeJournal(a, jr)
				return usagef("--journal: %v; nothing was sent", err)
			}
		}
		out.begin(len(d.Targets), 0)
		rep, _ := r.Run(ctx, d)
		return a.endTakedown(out, jr, rep, d)
	}
	return a.applyTakedown(ctx, r, out, jr, st, f, h)
}

// applyTakedown applies a plan file, or finishes a journaled run.
func (a *app) applyTakedown(ctx context.Context, r *takedown.Runner, out *tdOut, jr *journal, st *tdState, f *takedownFlags, h *tdHeader) error {
	messages := 0
	for _, p := range st.plans {
		messages += len(p.Items)
	}
	if f.plan != "" {
		a.printDiscovery(st.discovery, nil)
		if !a.confirm(fmt.Sprintf("Take back %d messages of %s in %d conversations?", messages, h.Account, len(st.plans)), messages > 100, a.o.yes) {
			closeJournal(a, jr)
			return usagef("takedown: not confirmed; nothing was sent")
		}
		if jr != nil {
			err := writeHead(jr.writeSync, h, st.discovery)
			for _, p := range st.plans {
				for _, l := range planLines(p) {
					if err == nil {
						err = jr.writeSync(l)
					}
				}
			}
			if err != nil {
				closeJournal(a, jr)
				return usagef("--journal: %v; nothing was sent", err)
			}
		}
	}
	out.begin(len(st.plans)+len(rest(st, f.resume != "")), messages)
	out.earlier(st)
	r2 := takedown.New(r.API(), r.Options(), func(o *takedown.Options) {
		o.Done = func(it sweep.Item) bool { rw, ok := st.outcome[tdKey(it)]; return ok && definite(rw.Outcome) }
		o.PossiblyApplied = func(it sweep.Item) bool { return st.sent[tdKey(it)] }
	})
	rep, _ := r2.Apply(ctx, slices.Values(st.plans))
	if rest := rest(st, f.resume != ""); len(rest) > 0 && !a.stop.stopped() {
		d := *st.discovery
		d.Targets = rest
		more, _ := r2.Run(ctx, &d)
		rep.Conversations = append(rep.Conversations, more.Conversations...)
	}
	rep.Discovery = st.discovery
	return a.endTakedown(out, jr, rep, st.discovery)
}

// rest are the conversations the discovery found that a killed run had not
// planned yet: a resumed run plans them.
func rest(st *tdState, resumed bool) []takedown.Target {
	var out []takedown.Target
	if resumed {
		for _, t := range st.discovery.Targets {
			if !st.planned[t.Name()] {
				out = append(out, t)
			}
		}
	}
	return out
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func closeJournal(a *app, jr *journal) {
	if jr == nil {
		return
	}
	if err := jr.close(); err != nil {
		fmt.Fprintf(a.e.stderr, "chatrecall: %v: outcomes after the failure were not recorded or printed\n", err)
	}
}

// roundETA rounds an estimate as a person reads it.
func roundETA(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

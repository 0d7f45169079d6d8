package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sweepFlags select what a sweep recalls.
type sweepFlags struct {
	group, topic, official, account, peer string
	senders                               []string
	since, until                          string
	plan, planOut, reason, journal        string
	noVerify, deleteBySender              bool
	rateLimit                             int
}

func (a *app) sweepCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sweep (group | c2c | official | verify | ledger) [flags]",
		Short: "Find what senders posted, recall it, and verify it is gone",
		Long: `Sweep reads a conversation's history (group_msg_get_simple, admin_getroammsg or
official_account_msg_get_simple), plans every message of the given senders in the time window
that is not recalled yet, recalls the plan with the same journal and resume as the group and
official commands, and reads the range back to verify each message is recalled.

The incident workflow:
  1. chatrecall sweep group --group G --sender u123 --since 2h --dry-run --plan-out spam.plan
     (review spam.plan: one JSON line per message; nothing is sent)
  2. chatrecall sweep group --plan spam.plan --journal spam.journal
     (recalls the reviewed plan, then verifies it; after a crash: chatrecall group --resume spam.journal,
     or chatrecall official / c2c --resume for those sweeps)
  3. chatrecall sweep verify --plan spam.plan
     (reads the messages back: recalled, still there, deleted, or missing)

Live-stream groups (AVChatRoom) keep no history: chatrecall sweep ledger plans from the webhook
ledger the receivers share in Redis, or a plan from package webhook's SweepPlan is given with --plan.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(a.sweepKindCmd("group"), a.sweepKindCmd("c2c"), a.sweepKindCmd("official"), a.sweepVerifyCmd(), a.sweepLedgerCmd())
	return c
}

func (a *app) sweepKindCmd(kind string) *cobra.Command {
	var f sweepFlags
	use := map[string]string{
		"group":    "group --group ID (--sender ACCOUNT... --since WHEN | --plan FILE) [flags]",
		"c2c":      "c2c --account A --peer B (--sender ACCOUNT... --since WHEN | --plan FILE) [flags]",
		"official": "official --official ID (--since WHEN | --plan FILE) [flags]",
	}[kind]
	c := &cobra.Command{
		Use:   use,
		Short: "Sweep " + map[string]string{"group": "a group", "c2c": "a one-to-one conversation", "official": "an official account"}[kind],
		Example: map[string]string{
			"group":    "  chatrecall sweep group --group @TGS#2J4SZEAEL --sender u123 --since 2h --dry-run\n  chatrecall sweep group --plan spam.plan --journal spam.journal",
			"c2c":      "  chatrecall sweep c2c --account alice --peer mallory --sender mallory --since 24h",
			"official": "  chatrecall sweep official --official @TOA#_2J4SZEAEL --since 30m --reason 'wrong push'",
		}[kind],
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runSweep(kind, &f) },
	}
	fl := c.Flags()
	switch kind {
	case "group":
		fl.StringVar(&f.group, "group", "", "the group, such as @TGS#2J4SZEAEL")
		fl.StringVar(&f.topic, "topic", "", "a topic of a topic-enabled Community group")
	case "c2c":
		fl.StringVar(&f.account, "account", "", "whose view of the conversation is read (Operator_Account)")
		fl.StringVar(&f.peer, "peer", "", "the other party (Peer_Account)")
	case "official":
		fl.StringVar(&f.official, "official", "", "the official account, such as @TOA#_2J4SZEAEL")
	}
	f.addFilter(fl)
	fl.StringVar(&f.plan, "plan", "", "recall the plan in FILE (JSON lines, as --dry-run --plan-out wrote it) instead of reading history")
	fl.StringVar(&f.planOut, "plan-out", "", "with --dry-run: write the plan to FILE instead of standard output")
	if kind != "c2c" { // admin_msgwithdraw takes no reason
		fl.StringVar(&f.reason, "reason", "", "the reason sent with the recall (at most 100 bytes)")
	}
	fl.StringVar(&f.journal, "journal", "", "record each request's items before it is sent, and each outcome, in FILE (resume with chatrecall "+kind+" --resume FILE)")
	fl.IntVar(&f.rateLimit, "rate-limit", 0, "the app's recall limit in calls per second, when a paid add-on raised it")
	fl.BoolVar(&f.noVerify, "no-verify", false, "do not read the messages back after recalling them")
	if kind == "group" {
		fl.BoolVar(&f.deleteBySender, "delete-by-sender", false, "fast path (opt-in): first ask delete_group_msg_by_sender once per sender, then recall only what the read-back finds still there. "+
			"What it takes back goes SILENTLY (members get no recall notice; they see it on their next roaming pull), it reaches only the group's last 1,000 messages, "+
			"and it does nothing in an AVChatRoom group. No --journal: a cut run is finished by running the sweep again")
	}
	return c
}

// addFilter adds the flags that say whose messages, and when: --sender,
// --since, --until.
func (f *sweepFlags) addFilter(fl *pflag.FlagSet) {
	fl.StringSliceVar(&f.senders, "sender", nil, "an account whose messages are swept (repeat or separate with commas)")
	fl.StringVar(&f.since, "since", "", "sweep messages sent since WHEN: a duration back from now (2h, 30m) or an RFC 3339 time")
	fl.StringVar(&f.until, "until", "", "and until WHEN (default: now)")
}

// window reads --since (required) and --until (optional, after --since).
func (f *sweepFlags) window(cmd string) (since, until time.Time, err error) {
	now := time.Now()
	if since, err = parseWhen(cmd, "since", f.since, now); err != nil {
		return
	}
	if until, err = parseWhen(cmd, "until", f.until, now); err != nil {
		return
	}
	switch {
	case since.IsZero():
		err = usagef("%s: --since is required: how far back to sweep (2h, or an RFC 3339 time)", cmd)
	case !until.IsZero() && !until.After(since):
		err = usagef("%s: --until %s is not after --since %s: the window is empty", cmd, until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return
}

// parseWhen reads a duration back from now or an RFC 3339 time.
func parseWhen(cmd, flag, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("%s: --%s %q: give a duration back from now (2h, 90m) or an RFC 3339 time (2026-11-22T10:00:00Z)", cmd, flag, v)
}

func (a *app) runSweep(kind string, f *sweepFlags) error {
	if f.planOut != "" && !a.o.dryRun {
		return usagef("sweep %s: --plan-out writes the plan of a --dry-run", kind)
	}
	if f.journal != "" && a.o.dryRun {
		return usagef("sweep %s: --dry-run sends nothing, so there is nothing to journal", kind)
	}
	if f.deleteBySender && f.noVerify {
		return usagef("sweep %s: --delete-by-sender needs the read-back (only it shows what went): give it without --no-verify", kind)
	}
	var extra []chatrecall.Option
	if f.rateLimit > 0 {
		ep := map[string]string{"group": chatrecall.EndpointGroupRecall, "c2c": chatrecall.EndpointC2CRecall, "official": chatrecall.EndpointOfficialRecall}[kind]
		extra = append(extra, chatrecall.WithRateLimit(ep, f.rateLimit, time.Second))
	}
	if f.plan != "" {
		if f.group != "" || f.account != "" || f.official != "" || len(f.senders) > 0 || f.since != "" || f.until != "" {
			return usagef("sweep %s: --plan takes the conversation and the messages from FILE; give it without --group, --sender, --since or --until", kind)
		}
		if f.deleteBySender {
			return usagef("sweep %s: --delete-by-sender reads the group's history to know what it may take; give --group --sender --since instead of --plan", kind)
		}
		plan, err := readPlan(f.plan)
		if err != nil {
			return err
		}
		for _, it := range plan {
			if it.Kind() != kind {
				return usagef("sweep %s: --plan %s holds %s messages; use chatrecall sweep %s", kind, f.plan, it.Kind(), it.Kind())
			}
		}
		return a.applyPlan(kind, plan, f)
	}
	since, until, err := f.window("sweep " + kind)
	if err != nil {
		return err
	}
	if kind == "official" && len(f.senders) == 0 {
		f.senders = []string{f.official} // an official account's messages are its own
	}
	if len(f.senders) == 0 {
		return usagef("sweep %s: --sender is required: whose messages to sweep", kind)
	}
	conv := chatrecall.Conversation{GroupID: f.group, TopicID: f.topic, Official: f.official, Account: f.account, Peer: f.peer}
	if err := conv.Validate(); err != nil {
		return usagef("sweep %s: %v (flags --%s)", kind, err, map[string]string{"group": "group", "c2c": "account and --peer", "official": "official"}[kind])
	}
	filter := sweep.Filter{Senders: f.senders, Since: since, Until: until}
	if !a.o.dryRun {
		return a.streamSweep(kind, conv, filter, f, extra)
	}
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil, extra...)
	if err != nil {
		return err
	}
	defer cleanup()
	w := a.e.stdout
	if f.planOut != "" {
		file, err := os.Create(f.planOut)
		if err != nil {
			return usagef("sweep %s: --plan-out: %v", kind, err)
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var st sweep.PlanStats
	n := 0
	for it, err := range sweep.New(client).Plan(context.Background(), conv, filter, &st) {
		if err != nil {
			_ = bw.Flush()
			if _, incomplete := err.(*sweep.IncompleteError); incomplete {
				a.code = exitFailed
				fmt.Fprintf(a.e.stderr, "chatrecall: INCOMPLETE: %v\n", err)
				break
			}
			return serviceFailure(err)
		}
		if err := enc.Encode(it); err != nil {
			return err
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stderr, "chatrecall: read %d messages in %d pages: %d matched, %d planned, %d already recalled, %d deleted\n",
		st.Read, st.Pages, st.Matched, st.Planned, st.AlreadyRecalled, st.Deleted)
	fmt.Fprintf(a.e.stderr, "dry run: %d messages would be recalled; nothing was sent\n", n)
	return nil
}

// applyPlan recalls a reviewed plan through the bulk engine (journal,
// resume, progress), then reads it back.
func (a *app) applyPlan(kind string, plan []sweep.Item, f *sweepFlags) error {
	if len(plan) == 0 {
		fmt.Fprintln(a.e.stderr, "chatrecall: nothing to recall")
		return nil
	}
	// One client for the run: with --demo, the recalls and the read-back
	// go to the same fake.
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	conv := plan[0].Conversation
	in := &items{src: "plan"}
	for _, it := range plan {
		switch kind {
		case "group":
			in.seqs = append(in.seqs, uint32(it.MsgSeq))
		case "c2c":
			in.keys, in.from, in.to = append(in.keys, it.MsgKey), append(in.from, it.Sender), append(in.to, it.To)
		default:
			in.keys = append(in.keys, it.MsgKey)
		}
		in.pos = append(in.pos, uint32(len(in.pos)+1))
	}
	b := &bulk{command: kind, endpoint: chatrecall.EndpointGroupRecall, target: conv.GroupID, topic: conv.TopicID, reason: f.reason, in: in,
		journal: f.journal, rateLimit: f.rateLimit}
	switch kind {
	case "official":
		b.target, b.endpoint = conv.Official, chatrecall.EndpointOfficialRecall
	case "c2c":
		b.target, b.peer, b.endpoint = conv.Account, conv.Peer, chatrecall.EndpointC2CRecall
	}
	if err := a.runBulk(b); err != nil {
		return err
	}
	if f.noVerify || a.stop.stopped() {
		return nil
	}
	return a.verifyPlan(client, plan)
}

// verifyPlan reads plan back and prints what it finds.
func (a *app) verifyPlan(client *chatrecall.Client, plan []sweep.Item) error {
	rep, err := sweep.New(client).Check(context.Background(), slices.Values(plan))
	if rep == nil {
		return serviceFailure(err)
	}
	a.printCheck(rep)
	return nil
}

// checkFormat aligns a verify's rows: an item (a seq, or a message key of
// up to 23 characters), what reading it back showed, and why.
const checkFormat = "%-23s  %-13s  %s\n"

// printCheck prints every item not read back recalled, and the counts.
func (a *app) printCheck(rep *sweep.Report) {
	counts := map[sweep.Check]int{}
	header := false
	for it := range rep.Outcomes() {
		counts[it.Check]++
		if it.Check == sweep.CheckRecalled {
			continue
		}
		if a.o.json {
			a.out().put(map[string]any{"item": it.ID(), "check": it.Check.String(), "error": errText(it.Err)})
			continue
		}
		if !header {
			header = true
			fmt.Fprintf(a.e.stdout, checkFormat, "ITEM", "READ BACK", "DETAIL")
		}
		fmt.Fprintf(a.e.stdout, checkFormat, it.ID(), it.Check, errText(it.Err))
	}
	fmt.Fprintf(a.e.stderr, "verified: %d recalled, %d still there, %d deleted or expired, %d not found in history, %d unverified\n",
		counts[sweep.CheckRecalled], counts[sweep.CheckNotRecalled], counts[sweep.CheckDeleted], counts[sweep.CheckMissing], counts[sweep.CheckNone])
	// The exit code says what verification found: it replaces the
	// recalls' own (an unknown the read-back settled is no longer unknown).
	switch {
	case counts[sweep.CheckRecalled]+counts[sweep.CheckDeleted] == rep.Len() && len(rep.Unseen) == 0:
		a.code = exitOK
	case counts[sweep.CheckNotRecalled] > 0:
		a.code = max(a.code, exitFailed)
	default:
		a.code = max(a.code, exitUnknown)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (a *app) sweepVerifyCmd() *cobra.Command {
	var planFile string
	c := &cobra.Command{
		Use:     "verify --plan FILE",
		Short:   "Read a sweep's messages back: recalled, still there, deleted, or missing",
		Example: "  chatrecall sweep verify --plan spam.plan",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planFile == "" {
				return usagef("sweep verify: --plan is required")
			}
			plan, err := readPlan(planFile)
			if err != nil {
				return err
			}
			return a.withClient(len(plan), func(client *chatrecall.Client) error { return a.verifyPlan(client, plan) })
		},
	}
	c.Flags().StringVar(&planFile, "plan", "", "the plan FILE (JSON lines)")
	return c
}

// readPlan reads a plan file: one sweep.Item per line, all of one
// conversation, each valid.
func readPlan(path string) ([]sweep.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("sweep: --plan: %v", err)
	}
	defer f.Close()
	var plan []sweep.Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var it sweep.Item
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it); err != nil {
			return nil, usagef("sweep: --plan %s line %d: %v", path, line, err)
		}
		if err := it.Validate(); err != nil {
			return nil, usagef("sweep: --plan %s line %d: %v", path, line, err)
		}
		if len(plan) > 0 && it.Conversation != plan[0].Conversation {
			return nil, usagef("sweep: --plan %s line %d: %s, but the plan began with %s: one plan, one conversation", path, line, it.Conversation, plan[0].Conversation)
		}
		plan = append(plan, it)
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("sweep: --plan %s: %v", path, err)
	}
	return plan, nil
}

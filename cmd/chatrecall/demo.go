package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/webhook"
)

// This file seeds --demo's fake and describes what it holds (chatrecall
// demo), from the same numbers.

// The demo's seed, relative to its epoch.
const (
	demoSpamGroup    = "@TGS#spam"
	demoSpamMessages = 5000
	demoSpamSenders  = 20
	demoSpamDays     = 7
	demoAccount      = "mallory" // the account the demo's footprint belongs to
	demoPeers        = 30
	demoGroups       = 8
	demoLiveGroups   = 2
)

// demoSeed is the fake --demo runs against, seeded at epoch.
func demoSeed(epoch time.Time, opts ...chatrecalltest.Option) (*chatrecalltest.Server, *chatrecalltest.Trail) {
	srv := chatrecalltest.NewServer(opts...)
	seqs := make([]uint64, 2000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#demo", seqs...)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom", NoRecall: true})
	srv.AddGroupMessages("@TGS#live", 1, 2, 3)
	// A live-stream group whose messages can be recalled, for sweep ledger:
	// user01 and user00 take turns over the last half hour.
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#stream", Type: "AVChatRoom"})
	srv.FillGroup("@TGS#stream", chatrecalltest.Fill{Messages: 6, Senders: 2, From: epoch.Add(-30 * time.Minute), To: epoch})
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i+1)
	}
	srv.AddOfficialMessages("@TOA#_demo", keys...)
	srv.AddC2CMessage("alice", "bob", "1_1_1")
	srv.AddC2CMessage("alice", "bob", "1_1_2")
	// For sweep: a week of chatter from 20 senders, the last hours included.
	srv.FillGroup(demoSpamGroup, chatrecalltest.Fill{Messages: demoSpamMessages, Senders: demoSpamSenders, From: epoch.Add(-demoSpamDays * 24 * time.Hour), To: epoch, Seed: 1})
	srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 200, From: epoch.Truncate(time.Hour).Add(-24 * time.Hour), To: epoch.Truncate(time.Hour), Seed: 2})
	srv.FillOfficial("@TOA#_news", chatrecalltest.Fill{Messages: 100, From: epoch.Add(-24 * time.Hour), To: epoch})
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task", KeptCopies: true, PushedAt: epoch})
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task-bare", PushedAt: epoch})
	for _, t := range demoTPNSTasks(epoch) {
		srv.AddTPNSTask(t)
	}
	// For takedown: mallory, taken over two hours ago, posted in 8 groups,
	// to 30 peers (the conversation list keeps 20: the others, and 2
	// live-stream groups, only the demo's webhook ledger knows).
	hour := epoch.Truncate(time.Hour)
	trail := srv.AddFootprint(chatrecalltest.Footprint{Account: demoAccount, Groups: demoGroups, GroupMessages: 200, Own: 20,
		Peers: demoPeers, PeerMessages: 2, PeerReplies: 1, LiveGroups: demoLiveGroups, LiveMessages: 3,
		From: hour.Add(-2 * time.Hour), To: hour.Add(-time.Minute), Seed: 3})
	for _, t := range demoSchedTasks(epoch) {
		srv.AddSchedTask(t)
	}
	return srv, trail
}

func demoTPNSTasks(epoch time.Time) []chatrecalltest.TPNSTask {
	return []chatrecalltest.TPNSTask{
		{ID: "1001", PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted},
		{ID: "1002", PushType: "tag", Status: chatrecalltest.TPNSStatusFinished},
		{ID: "1003", PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: epoch.Add(time.Hour)},
		{ID: "1004", PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42, Title: "50% off"},
		{ID: "1005", PushType: "token_list", Status: chatrecalltest.TPNSStatusFinished},
		{ID: "1006", PushType: "tag", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 43, Title: "VIP only"},
	}
}

// demoSchedTasks: a sale push still pending, a digest that went out half an
// hour before the epoch, and two promos a keyword cannot tell apart.
func demoSchedTasks(epoch time.Time) []chatrecalltest.SchedTask {
	return []chatrecalltest.SchedTask{
		{ID: 101, Title: "Flash sale", Desc: "50% off everything", SchedAt: epoch.Add(time.Hour)},
		{ID: 102, Type: "Tag", Title: "Weekly digest", SchedAt: epoch.Add(-30 * time.Minute), Users: []string{"alice", "bob"}, Reach: 120000},
		{ID: 103, Title: "Spring promo", SchedAt: epoch.Add(2 * time.Hour)},
		{ID: 104, Title: "Spring promo VIP", SchedAt: epoch.Add(3 * time.Hour)},
	}
}

// startDemo seeds the demo at its state's epoch and replays the changes
// earlier runs made. A state that no longer replays (made by another
// version's seed) is started again, with a note.
func (a *app) startDemo(now time.Time) (*chatrecalltest.Server, *webhook.MemoryLedger, func(), error) {
	st, err := a.openDemoState(now)
	if err != nil {
		return nil, nil, nil, err
	}
	// Each change is kept in the state file and, as a receiver of the
	// after-recall callbacks would, marked in the demo's ledger.
	var ledger atomic.Pointer[webhook.MemoryLedger]
	changed := chatrecalltest.WithChangeLog(func(r chatrecalltest.Request) {
		st.record(r)
		if l := ledger.Load(); l != nil {
			markRecalled(l, r)
		}
	})
	srv, trail := demoSeed(st.epoch, changed)
	if err := srv.Replay(st.changes...); err != nil {
		srv.Close()
		fmt.Fprintf(a.e.stderr, "chatrecall: --demo: the demo state in %s cannot be replayed (%v; made by another version?): starting a new one\n", st.path, err)
		st.epoch, st.changes = now.Truncate(time.Minute), nil
		if err := st.restart(); err != nil {
			return nil, nil, nil, err
		}
		srv, trail = demoSeed(st.epoch, changed)
	}
	ledger.Store(demoLedger(srv, trail))
	switch {
	case st.path == "":
		fmt.Fprintln(a.e.stderr, "chatrecall: --demo: no cache directory: this run's demo starts fresh and is not kept (--demo-state FILE keeps it)")
	case len(st.changes) > 0:
		fmt.Fprintf(a.e.stderr, "chatrecall: --demo: the demo seeded %s, with the %d changes earlier runs made (chatrecall demo reset starts over)\n",
			st.epoch.Local().Format("Jan 2 15:04"), len(st.changes))
	}
	cleanup := func() {
		srv.Close()
		if err := st.close(); err != nil {
			fmt.Fprintf(a.e.stderr, "chatrecall: --demo: could not keep this run's changes in %s: %v\n", st.path, err)
		}
	}
	st.changes = nil // replayed: not needed again
	return srv, ledger.Load(), cleanup, nil
}

// demoLedger is --demo's webhook ledger: what an after-send webhook
// recorded of the demo's footprint (its live-stream groups and the peers
// past the conversation-list cap are found only there), with what earlier
// runs recalled marked, as after-recall callbacks would have.
func demoLedger(srv *chatrecalltest.Server, trail *chatrecalltest.Trail) *webhook.MemoryLedger {
	ctx := context.Background()
	l := webhook.NewMemoryLedger(0, 0)
	for _, s := range trail.Sent {
		m := webhook.SentMessage{Kind: webhook.KindGroup, Conversation: s.Group, Sender: s.Sender, Seq: uint32(s.Seq), Time: s.Time}
		if s.Group == "" {
			m = webhook.SentMessage{Kind: webhook.KindC2C, Conversation: webhook.C2CConversation(s.Sender, s.To), Sender: s.Sender, Key: s.Key, Time: s.Time}
		}
		_ = l.Record(ctx, m)
		switch {
		case s.Group != "" && srv.GroupMessage(s.Group, s.Seq) == chatrecalltest.MessageRecalled:
			_ = l.MarkRecalled(ctx, m.Kind, m.Conversation, m.Ref())
		case s.Group == "" && srv.C2CMessage(s.Key) == chatrecalltest.MessageRecalled:
			_ = l.MarkRecalled(ctx, m.Kind, m.Conversation, m.Ref())
		}
	}
	return l
}

// markRecalled marks in the ledger what a recall the fake just made took
// back: the after-recall callback a receiver would record.
func markRecalled(l *webhook.MemoryLedger, r chatrecalltest.Request) {
	ctx := context.Background()
	var body struct {
		GroupID string `json:"GroupId"`
		TopicID string `json:"TopicId"`
		From    string `json:"From_Account"`
		To      string `json:"To_Account"`
	}
	if json.Unmarshal(r.Body, &body) != nil {
		return
	}
	switch r.Endpoint {
	case chatrecall.EndpointGroupRecall:
		_ = l.MarkRecalled(ctx, webhook.KindGroup, webhook.GroupConversation(body.GroupID, body.TopicID), r.AppliedItems...)
	case chatrecall.EndpointC2CRecall:
		_ = l.MarkRecalled(ctx, webhook.KindC2C, webhook.C2CConversation(body.From, body.To), r.AppliedItems...)
	}
}

func (a *app) demoCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "demo [reset]",
		Short: "Show what --demo's fake service holds, and commands to rehearse an incident with",
		Long: `chatrecall demo lists what the built-in fake service (--demo) is seeded with: the groups,
senders, accounts, pushes and the windows their messages fall in, with commands to try.

--demo keeps its fake's state between runs (in --demo-state, by default in your cache
directory), so an incident can be rehearsed as it would happen: sweep a group, verify it,
take an account down, take a push back. "chatrecall demo reset" starts over. A demo state is
kept for a day; then the next run seeds a new one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDemoInfo() },
	}
	reset := &cobra.Command{
		Use:   "reset",
		Short: "Start the demo over: forget what earlier --demo runs changed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st := &demoState{path: a.demoStatePath()}
			if st.path == "" {
				return usagef("demo reset: no cache directory, so no demo state is kept (give --demo-state FILE)")
			}
			if err := st.reset(); err != nil {
				return usagef("demo reset: cannot remove %s: %v", st.path, err)
			}
			fmt.Fprintf(a.e.stdout, "The demo starts over: the next --demo run seeds a new one (%s removed).\n", st.path)
			return nil
		},
	}
	c.AddCommand(reset)
	return c
}

// runDemoInfo fixes the demo's epoch (so the times it prints hold for the
// next runs) and prints the catalogue.
func (a *app) runDemoInfo() error {
	now := time.Now()
	st, err := a.openDemoState(now)
	if err != nil {
		return err
	}
	defer st.close()
	writeDemoInfo(a.e.stdout, st, now)
	return nil
}

func writeDemoInfo(w io.Writer, st *demoState, now time.Time) {
	e := st.epoch
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	day := func(t time.Time) string { return t.Local().Format("Jan 2 15:04") }
	switch {
	case st.path == "":
		fmt.Fprintf(w, "The demo (--demo) is seeded at each run (no cache directory: give --demo-state FILE to keep it).\n")
	default:
		fmt.Fprintf(w, "The demo (--demo) was seeded %s (%s ago) and is kept in %s:\n%d changes made by earlier runs%s. chatrecall demo reset starts over.\n",
			day(e), now.Sub(e).Round(time.Minute), st.path, len(st.changes), changeCounts(st.changes))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nWHAT\tWHERE\tSEEDED")
	fmt.Fprintf(tw, "group spam\t%s\t%d messages from %s to %s over the %d days to %s\n", demoSpamGroup, demoSpamMessages,
		chatrecalltest.SenderName(0), chatrecalltest.SenderName(demoSpamSenders-1), demoSpamDays, day(e))
	fmt.Fprintf(tw, "group\t@TGS#demo\tsequence numbers 1-2000\n")
	fmt.Fprintf(tw, "live-stream group\t@TGS#live\trecall refused (10033): seqs 1-3\n")
	fmt.Fprintf(tw, "live-stream group\t@TGS#stream\t6 messages by user00 and user01 in the half hour to %s (no history: sweep ledger)\n", day(e))
	fmt.Fprintf(tw, "official account\t@TOA#_demo\tkeys k1-k20\n")
	fmt.Fprintf(tw, "official account\t@TOA#_news\t100 messages in the day to %s\n", day(e))
	fmt.Fprintf(tw, "one-to-one\talice -> bob\tkeys 1_1_1, 1_1_2\n")
	fmt.Fprintf(tw, "compromised account\t%s\tposted from %s to %s in %d groups (@TGS#fp0000...), to %d peers (peer0000...), in %d live-stream groups only the ledger knows\n",
		demoAccount, day(e.Truncate(time.Hour).Add(-2*time.Hour)), day(e.Truncate(time.Hour).Add(-time.Minute)), demoGroups, demoPeers, demoLiveGroups)
	fmt.Fprintf(tw, "Chat push tasks\tdemo-task, demo-task-bare\tpushed %s; demo-task-bare kept no copies (a revoke needs --title/--desc)\n", day(e))
	for _, t := range demoSchedTasks(e) {
		fmt.Fprintf(tw, "scheduled push\t%d\t%q, %s at %s\n", t.ID, t.Title, schedKind(t), day(t.SchedAt))
	}
	for _, t := range demoTPNSTasks(e) {
		fmt.Fprintf(tw, "TPNS push\t%s\t%s audience, %s%s\n", t.ID, t.PushType, t.Status, collapseNote(t))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, `
Rehearse (each line runs as shown; the times are the demo's):
  chatrecall --demo sweep group --group %[1]s --sender user03 --since %[2]s --dry-run --plan-out spam.plan
  chatrecall --demo sweep group --plan spam.plan --journal spam.journal
  chatrecall --demo sweep verify --plan spam.plan
  chatrecall --demo contain --account %[3]s --receipt %[3]s.receipt
  chatrecall --demo takedown --account %[3]s --since %[4]s --report %[3]s.report
  chatrecall --demo push takeback --keyword "Flash sale" --since %[5]s --title Correction --desc "Please ignore the last message"
  chatrecall --demo tpns stop --push 1001
`, demoSpamGroup, at(e.Add(-6*time.Hour)), demoAccount, at(e.Truncate(time.Hour).Add(-3*time.Hour)), at(e.Add(-2*time.Hour)))
}

func schedKind(t chatrecalltest.SchedTask) string {
	if t.Type == "" {
		return "all users"
	}
	return strings.ToLower(t.Type)
}

func collapseNote(t chatrecalltest.TPNSTask) string {
	if t.CollapseID == 0 {
		return ""
	}
	return fmt.Sprintf(" (%q; can be overridden)", t.Title)
}

// changeCounts says which endpoints the changes went to.
func changeCounts(changes []chatrecalltest.Request) string {
	if len(changes) == 0 {
		return ""
	}
	n := map[string]int{}
	for _, c := range changes {
		n[c.Endpoint]++
	}
	eps := make([]string, 0, len(n))
	for ep := range n {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	parts := make([]string, len(eps))
	for i, ep := range eps {
		parts[i] = fmt.Sprintf("%d %s", n[ep], ep)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

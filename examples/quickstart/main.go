// Command quickstart calls every recall method of chatrecall once and
// prints what was asked, what happened and the error category of each item.
// It exits 0 only when every item ended as it should: against the fake, as
// seeded (two of its sequence numbers never existed, to show a partial
// failure); against the real service, done.
//
//	go run ./examples/quickstart
//
// With no credentials in the environment it starts the SDK's fake service
// (chatrecalltest) in-process, seeds it, and runs against it: no setup, no
// network. With CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY and
// CHATRECALL_REGION set (and CHATRECALL_TPNS_* for TPNS) it talks to the real
// service instead, and runs only the calls whose targets are given as flags:
//
//	go run ./examples/quickstart -group @TGS#2J4SZEAEL -seqs 100,101
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// targets are what a real-service run recalls; the demo seeds its own.
type targets struct {
	group, seqs, account, keys, task, c2c                      string
	tpnsStop, tpnsRevoke, tpnsCancel, tpnsRecord, tpnsOverride string
	// gone are the items the demo seeded to fail with ErrGone.
	gone map[string]bool
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var tg targets
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&tg.group, "group", "", "real service: group ID to recall from")
	fs.StringVar(&tg.seqs, "seqs", "", "real service: comma-separated group message sequence numbers")
	fs.StringVar(&tg.account, "account", "", "real service: official account ID")
	fs.StringVar(&tg.keys, "keys", "", "real service: comma-separated official-account MsgKeys")
	fs.StringVar(&tg.task, "task", "", "real service: timpush TaskId to revoke")
	fs.StringVar(&tg.c2c, "c2c", "", "real service: FROM:TO:MSGKEY of a one-to-one message")
	fs.StringVar(&tg.tpnsStop, "tpns-stop", "", "real service: TPNS push ID to stop")
	fs.StringVar(&tg.tpnsRevoke, "tpns-revoke", "", "real service: TPNS push ID to recall (documented as unavailable)")
	fs.StringVar(&tg.tpnsCancel, "tpns-cancel", "", "real service: scheduled TPNS push ID to cancel")
	fs.StringVar(&tg.tpnsRecord, "tpns-record", "", "real service: TPNS push ID to look up")
	fs.StringVar(&tg.tpnsOverride, "tpns-override", "", "real service: TPNS push ID to override with a correction")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, real, err := chatrecall.ConfigFromEnv(getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if !real {
		srv := chatrecalltest.NewServer()
		defer srv.Close()
		tg = seed(srv)
		cfg = srv.Config()
		fmt.Fprintln(stdout, "chatrecall quickstart: against the built-in fake service (set CHATRECALL_* to use the real one)")
		fmt.Fprintln(stdout)
	}
	client, err := chatrecall.NewClient(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	t := newTable(stdout, tg.gone)
	recallAll(ctx, client, tg, t)
	t.flush()
	if t.bad > 0 {
		return 1
	}
	return 0
}

// seed fills the fake with something for every call to act on, including
// an over-10 group recall with two missing messages (a partial failure).
func seed(srv *chatrecalltest.Server) targets {
	seqs := make([]string, 12)
	for i := range seqs {
		seqs[i] = strconv.Itoa(101 + i)
	}
	for i := uint64(101); i <= 110; i++ {
		srv.AddGroupMessages("@TGS#spam", i)
	}
	srv.AddOfficialMessages("@TOA#_news", "1_1_1", "1_1_2")
	srv.AddC2CMessage("alice", "bob", "31906_833502_1572869830")
	task := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
	stop := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted})
	revoke := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "tag", Status: chatrecalltest.TPNSStatusFinished})
	cancel := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: time.Now().Add(time.Hour)})
	wrong := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42, Title: "50% off"})
	return targets{group: "@TGS#spam", seqs: strings.Join(seqs, ","), account: "@TOA#_news", keys: "1_1_1,1_1_2",
		task: task, c2c: "alice:bob:31906_833502_1572869830", tpnsStop: stop, tpnsRevoke: revoke, tpnsCancel: cancel,
		tpnsRecord: wrong, tpnsOverride: wrong, gone: map[string]bool{"@TGS#spam seq 111": true, "@TGS#spam seq 112": true}}
}

func recallAll(ctx context.Context, c *chatrecall.Client, tg targets, t *table) {
	if tg.group != "" {
		seqs, err := parseSeqs(tg.seqs)
		if err != nil {
			t.row("RecallGroupMessages", tg.group, err)
		} else {
			res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: tg.group, MsgSeqs: seqs, Reason: "spam"})
			if res == nil {
				t.row("RecallGroupMessages", tg.group, err)
			}
			for _, it := range itemsOf(res) {
				t.row("RecallGroupMessages", fmt.Sprintf("%s seq %d", tg.group, it.MsgSeq), it.Err)
			}
		}
	}
	if tg.account != "" {
		res, err := c.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: tg.account, MsgKeys: strings.Split(tg.keys, ",")})
		if res == nil {
			t.row("RecallOfficialAccountMessages", tg.account, err)
		} else {
			for _, it := range res.Items {
				t.row("RecallOfficialAccountMessages", tg.account+" "+it.MsgKey, it.Err)
			}
		}
	}
	if tg.task != "" {
		t.row("RevokeChatPush", "task "+tg.task, errOf(c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: tg.task})))
	}
	if tg.c2c != "" {
		parts := strings.SplitN(tg.c2c, ":", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		t.row("RecallC2CMessage", parts[0]+" -> "+parts[1]+" "+parts[2],
			errOf(c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: parts[0], To: parts[1], MsgKey: parts[2]})))
	}
	if tg.tpnsStop != "" {
		t.row("StopTPNSPush", "push "+tg.tpnsStop, errOf(c.StopTPNSPush(ctx, tg.tpnsStop)))
	}
	if tg.tpnsRevoke != "" {
		t.row("RevokeTPNSPush", "push "+tg.tpnsRevoke, errOf(c.RevokeTPNSPush(ctx, tg.tpnsRevoke)))
	}
	if tg.tpnsCancel != "" {
		t.row("CancelTPNSScheduledPush", "push "+tg.tpnsCancel, errOf(c.CancelTPNSScheduledPush(ctx, tg.tpnsCancel)))
	}
	if tg.tpnsRecord != "" {
		rec, err := c.GetTPNSPushRecord(ctx, tg.tpnsRecord)
		what := "push " + tg.tpnsRecord
		if err == nil {
			what += fmt.Sprintf(" (%s, %s, collapse ID %d)", rec.PushType, rec.Status, rec.CollapseID)
		}
		t.row("GetTPNSPushRecord", what, err)
	}
	if tg.tpnsOverride != "" {
		res, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: tg.tpnsOverride, ForceCollapse: true,
			Push: chatrecall.TPNSPush{AudienceType: chatrecall.TPNSAudienceAll, Title: "5% off", Content: "Sorry: the discount is 5%, not 50%."}})
		what := "push " + tg.tpnsOverride
		if err == nil {
			what += " -> " + strings.Join(res.PushIDs, ",")
		}
		t.row("OverrideTPNSPush", what, err)
	}
}

func itemsOf(res *chatrecall.GroupRecallResult) []chatrecall.GroupRecallItem {
	if res == nil {
		return nil
	}
	return res.Items
}

func parseSeqs(s string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("-seqs: %q is not a sequence number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

type table struct {
	tw                *tabwriter.Writer
	gone              map[string]bool // items expected to fail with ErrGone
	ok, expected, bad int
}

func newTable(w io.Writer, gone map[string]bool) *table {
	t := &table{tw: tabwriter.NewWriter(w, 2, 4, 2, ' ', 0), gone: gone}
	fmt.Fprintln(t.tw, "CALL\tITEM\tOUTCOME\tCATEGORY")
	return t
}

func (t *table) row(call, item string, err error) {
	outcome, category := "done", "-"
	switch {
	case err == nil:
		t.ok++
	case t.gone[item] && errors.Is(err, chatrecall.ErrGone):
		t.expected++
		outcome = "not done, as seeded: " + shorten(err)
	default:
		t.bad++
		outcome = "FAILED: " + shorten(err)
	}
	if c := chatrecall.Category(err); c != nil {
		category = c.Error()
	} else if errors.Is(err, context.Canceled) {
		category = "cancelled"
	}
	fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\n", call, item, outcome, category)
}

func shorten(err error) string {
	s := strings.TrimPrefix(err.Error(), "chatrecall: ")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}

func (t *table) flush() {
	_ = t.tw.Flush()
	fmt.Fprintf(t.tw, "\n%d done, %d not done as seeded (they never existed), %d failed\n", t.ok, t.expected, t.bad)
	_ = t.tw.Flush()
}

// errOf keeps the error of a single-item call: the table shows outcomes.
func errOf(_ *chatrecall.Result, err error) error { return err }

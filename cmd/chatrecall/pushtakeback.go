package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/pushback"
)

// This file is chatrecall push takeback: find a wrong all-user or tag push,
// stop what has not gone out, overwrite what is showing, and say how far
// it got, one outcome line per step.

type takebackFlags struct {
	task, keyword, since, until string
	sched                       int64
	title, desc, ext, journal   string
	users                       []string
	noOverwrite                 bool
}

func (a *app) pushCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "push takeback [flags]",
		Short: "Take back a wrong all-user or tag push (Chat timpush)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.pushTakebackCmd())
	return c
}

func (a *app) pushTakebackCmd() *cobra.Command {
	var f takebackFlags
	c := &cobra.Command{
		Use:   "takeback (--task ID | --sched-task ID | --keyword TEXT --since WHEN) --title T --desc D [--check-user U]... [flags]",
		Short: "Find the push, stop what has not gone out, overwrite what is showing, report reach",
		Long: `Takeback resolves the push and acts on its state, one outcome line per step:
  - a scheduled task still pending is deleted, then read back (if it started going out meanwhile,
    its push task is waited for and revoked instead);
  - a dispatched push (within 24 hours) is revoked with the replacement notification (--title,
    --desc): delivery to users not yet reached stops, and the notification already shown is
    overwritten on ` + pushback.Overwritable + `; not on ` + pushback.NotOverwritable + `;
  - a single send (batch_ or wbat@ TaskIds, User tasks) or a push older than 24 hours is refused
    before any request;
  - then the push's statistics, and the trace of up to three --check-user accounts.
With --keyword, the scheduled tasks due in the window whose title or description match are listed;
if more than one matches, they are printed and nothing is done. The revoke asks for confirmation on
a terminal (--yes skips it). The 5/s (scheduled tasks) and 1/s (revoke, statistics, trace) limits are
kept, and the command says when it waits for them.`,
		Example: "  chatrecall --demo push takeback --keyword \"Flash sale\" --since 2h --title Correction --desc \"Please ignore the last message\"\n" +
			"  chatrecall push takeback --task 660cc447_537ed82a_1 --title Correction --desc \"Sorry\" --check-user u1 --journal push.journal",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runTakeback(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.task, "task", "", "the push task's TaskId (from timpush/push)")
	fl.Int64Var(&f.sched, "sched-task", 0, "the scheduled task's TaskID")
	fl.StringVar(&f.keyword, "keyword", "", "find the scheduled task whose title or description matches TEXT")
	fl.StringVar(&f.since, "since", "", "with --keyword: tasks due from WHEN (a duration back from now, or an RFC 3339 time)")
	fl.StringVar(&f.until, "until", "", "with --keyword: and until WHEN (default: a day from now)")
	fl.StringVar(&f.title, "title", "", "title of the notification that replaces the one shown")
	fl.StringVar(&f.desc, "desc", "", "text of the notification that replaces the one shown")
	fl.StringVar(&f.ext, "ext", "", "a JSON document passed to the devices with the replacement")
	fl.StringSliceVar(&f.users, "check-user", nil, "read how the push reached this account (up to 3)")
	fl.StringVar(&f.journal, "journal", "", "append each step's outcome to FILE as it ends (JSON Lines)")
	fl.BoolVar(&f.noOverwrite, "no-overwrite", false, "revoke without a replacement: delivery stops, notifications already shown stay (instead of --title/--desc)")
	return c
}

// flagOf names the flag that fixes a request field.
var flagOf = map[string]string{"PushTaskID": "--task", "SchedTaskID": "--sched-task", "Keyword": "--keyword", "Since": "--since", "Until": "--until",
	"Overwrite": "--title/--desc", "Overwrite.Title": "--title", "Overwrite.Desc": "--desc", "CheckUsers": "--check-user"}

func (a *app) runTakeback(f *takebackFlags) error {
	r := pushback.Request{PushTaskID: f.task, SchedTaskID: f.sched, Keyword: f.keyword, CheckUsers: f.users, DryRun: a.o.dryRun, NoOverwrite: f.noOverwrite}
	if !f.noOverwrite || f.title != "" || f.desc != "" || f.ext != "" {
		r.Overwrite = &chatrecall.OfflinePushInfo{Title: f.title, Desc: f.desc, Ext: f.ext}
	}
	now := time.Now()
	var err error
	if r.Since, err = parseWhen("push takeback", "since", f.since, now); err != nil {
		return err
	}
	if f.until != "" {
		if r.Until, err = time.Parse(time.RFC3339, f.until); err != nil {
			if d, derr := time.ParseDuration(f.until); derr == nil {
				r.Until = now.Add(d)
			} else {
				return usagef("push takeback: --until %q: give an RFC 3339 time, or a duration from now (2h)", f.until)
			}
		}
	}
	if f.ext != "" && !json.Valid([]byte(f.ext)) {
		return usagef("push takeback: --ext is not a JSON document")
	}
	if err := r.Validate(); err != nil {
		var ve *chatrecall.ValidationError
		if errors.As(err, &ve) && ve.Field == "Overwrite" && !f.noOverwrite {
			return usagef("push takeback: --title or --desc is required: the notification that replaces the one shown (a revoke without it overwrites nothing); --no-overwrite revokes without one")
		}
		if errors.As(err, &ve) {
			field := ve.Field
			if fl := flagOf[field]; fl != "" {
				field = fl
			}
			return usagef("push takeback: %s %s", field, ve.Problem)
		}
		return usagef("push takeback: %v", err)
	}
	var journal io.Writer
	if f.journal != "" {
		jf, err := os.OpenFile(f.journal, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return usagef("push takeback: --journal: %v", err)
		}
		defer jf.Close()
		journal = jf
	}
	waits := chatrecall.Hooks{LimiterWait: func(_ context.Context, w chatrecall.LimiterWait) {
		if w.Wait >= 200*time.Millisecond {
			fmt.Fprintf(a.e.stderr, "chatrecall: waited %s for the %s limit\n", w.Wait.Round(10*time.Millisecond), w.Endpoint)
		}
	}}
	client, cleanup, err := a.newClient(false, waits, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	worst := pushback.Done
	rep, terr := pushback.TakeBackPush(context.Background(), client, r, pushback.Options{
		OnStep: func(s pushback.Step) {
			a.printStep(s)
			if journal != nil {
				_ = jsonLines(journal)(stepJSON(s))
			}
			if s.Outcome == pushback.Unknown || (s.Outcome == pushback.NotDone && worst != pushback.Unknown) {
				worst = s.Outcome
			}
		},
		Confirm: func(id string) bool {
			if !a.o.yes && !a.e.ask {
				fmt.Fprintf(a.e.stderr, "chatrecall: push takeback: revoking push %s changes what every user it reached sees: confirm on a terminal, or give --yes\n", id)
				return false
			}
			return a.confirm(fmt.Sprintf("Revoke push %s for every user it reached, and overwrite its notification?", id), true, a.o.yes)
		},
	})
	if rep != nil && a.o.json {
		a.out().summary = takebackJSON(rep)
		if a.o.output == outJSONL {
			a.out().put(map[string]any{"summary": takebackJSON(rep)})
		}
	}
	if rep != nil && len(rep.Candidates) > 0 {
		fmt.Fprintf(a.e.stderr, "chatrecall: %d scheduled tasks match; nothing was done. Give one with --sched-task:\n", len(rep.Candidates))
		for _, c := range rep.Candidates {
			fmt.Fprintf(a.e.stderr, "  --sched-task %-8s due %s  %-10s %q\n", strconv.FormatInt(c.TaskID, 10), c.SchedAt.UTC().Format(time.RFC3339), c.Status, c.Title)
		}
	}
	switch {
	case terr == nil:
		a.code = exitOK
	case errors.Is(terr, chatrecall.ErrOutcomeUnknown) || worst == pushback.Unknown:
		a.code = exitUnknown
	default:
		a.code = exitFailed
	}
	if terr != nil {
		fmt.Fprintf(a.e.stderr, "chatrecall: push takeback: %v\n", terr)
	}
	return nil
}

// takebackJSON is a take-back's outcome as fields: what was found, what
// became of it, and its reach.
func takebackJSON(rep *pushback.Report) map[string]any {
	m := map[string]any{"deleted": rep.Deleted, "revoked": rep.Revoked}
	if rep.Task != nil {
		m["sched_task_id"] = rep.Task.TaskID
		m["status"] = rep.Task.Status
		m["title"] = rep.Task.Title
	}
	if rep.PushTaskID != "" {
		m["push_task_id"] = rep.PushTaskID
	}
	if s := rep.Statistics; s != nil {
		m["statistics"] = map[string]int64{"targeted": int64(s.Total), "sent": int64(s.Sent), "delivered": int64(s.Delivered), "clicked": int64(s.Clicked)}
	}
	if len(rep.Candidates) > 0 {
		ids := make([]int64, len(rep.Candidates))
		for i, c := range rep.Candidates {
			ids[i] = c.TaskID
		}
		m["candidates"] = ids
	}
	return m
}

func stepJSON(s pushback.Step) map[string]any {
	m := map[string]any{"step": s.Name, "outcome": s.Outcome}
	if s.Detail != "" {
		m["detail"] = s.Detail
	}
	if s.Err != nil {
		m["error"] = s.Err.Error()
		var apiErr *chatrecall.APIError
		if errors.As(s.Err, &apiErr) {
			m["code"] = int(apiErr.Code)
		}
	}
	return m
}

func (a *app) printStep(s pushback.Step) {
	if a.o.json {
		a.out().put(stepJSON(s))
		return
	}
	detail := s.Detail
	if s.Err != nil {
		detail = s.Err.Error() + map[bool]string{true: " (" + s.Detail + ")"}[s.Detail != ""]
	}
	fmt.Fprintf(a.e.stdout, "%-10s  %-8s  %s\n", s.Name, s.Outcome, dash(detail))
}

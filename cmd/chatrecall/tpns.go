package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

func (a *app) tpnsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "tpns",
		Short: "Stop, revoke, cancel, look up or override a TPNS push",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("tpns: give an operation: stop, revoke, cancel, record or override")
		},
	}
	task := func(use, short, long, endpoint string, op func(*chatrecall.Client) func(context.Context, string) (*chatrecall.Result, error)) *cobra.Command {
		var push string
		sc := &cobra.Command{
			Use: use + " --push ID", Short: short, Long: long, Args: cobra.NoArgs,
			Example: "  chatrecall tpns " + use + " --push 133703",
			RunE: func(cmd *cobra.Command, _ []string) error {
				if push == "" {
					return usagef("tpns %s: --push is required", use)
				}
				ask := fmt.Sprintf("%ss push %s for its whole audience", use, push)
				return a.single(true, "", "tpns "+use, ask, func(ctx context.Context, c *chatrecall.Client) (row, error) {
					res, err := op(c)(ctx, push)
					rw := newRow(endpoint, "", push, "done", err, false)
					rw.Detail = confirmation(res)
					return rw, err
				})
			},
		}
		sc.Flags().StringVar(&push, "push", "", "the TPNS push ID")
		return sc
	}
	c.AddCommand(
		task("stop", "Stop delivering a push (Android)", "Terminate a TPNS push being delivered (stop_push_msg): devices not yet reached do not get it. Android only.",
			chatrecall.EndpointTPNSStop, func(c *chatrecall.Client) func(context.Context, string) (*chatrecall.Result, error) {
				return c.StopTPNSPush
			}),
		task("revoke", "Revoke a push", "Recall a TPNS push (revoke_push_msg). Tencent documents this API as unavailable; expect a refusal and prefer override or stop.",
			chatrecall.EndpointTPNSRevoke, func(c *chatrecall.Client) func(context.Context, string) (*chatrecall.Result, error) {
				return c.RevokeTPNSPush
			}),
		task("cancel", "Cancel a scheduled push", "Cancel a scheduled TPNS push that has not been dispatched (cancel_timing_task).",
			chatrecall.EndpointTPNSCancel, func(c *chatrecall.Client) func(context.Context, string) (*chatrecall.Result, error) {
				return c.CancelTPNSScheduledPush
			}),
		a.tpnsRecordCmd(),
		a.tpnsOverrideCmd(),
	)
	return c
}

func (a *app) tpnsRecordCmd() *cobra.Command {
	var push string
	c := &cobra.Command{
		Use: "record --push ID", Short: "Look up a push task", Args: cobra.NoArgs,
		Long:    "Read a TPNS push task's record (get_push_record): status, audience, collapse ID. 200 lookups per hour.",
		Example: "  chatrecall tpns record --push 133703",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if push == "" {
				return usagef("tpns record: --push is required")
			}
			return a.single(true, "", "", "", func(ctx context.Context, c *chatrecall.Client) (row, error) {
				rec, err := c.GetTPNSPushRecord(ctx, push)
				rw := newRow(chatrecall.EndpointTPNSRecord, "", push, "done", err, false)
				if err == nil {
					rw.Status, rw.Audience, rw.CollapseID = rec.Status, rec.PushType, rec.CollapseID
					rw.Detail = fmt.Sprintf("status %s, audience %s, collapse ID %d", rec.Status, rec.PushType, rec.CollapseID)
				}
				return rw, err
			})
		},
	}
	c.Flags().StringVar(&push, "push", "", "the TPNS push ID")
	return c
}

func (a *app) tpnsOverrideCmd() *cobra.Command {
	var push, title, content, audience, tagRules, tokens, accounts, platform, environment string
	var forceCollapse, sameTargets bool
	c := &cobra.Command{
		Use:   "override --push ID --desc TEXT [--title TEXT] [flags]",
		Short: "Replace the notification of a push",
		Long: `Replace the notification an earlier push showed (override): the task's record gives its
collapse ID, then a new push with that collapse_id goes to the same audience. The audience
is never assumed: without --audience it is the original's, from its record; an --audience
that differs from the original's is refused, so a correction of a VIP-only push cannot reach
every user. A tag push's rules are not in its record: give --tag-rules, and --same-targets to
vouch that they are the original's (broader rules would reach users it never did). A package
push goes to its record's upload.`,
		Example: `  chatrecall tpns override --push 133703 --title "Correction" --desc "The sale ends today, not tomorrow" --dry-run
  chatrecall tpns override --push 133704 --desc "Fixed" --same-targets --tag-rules '[{"tag_items":[{"tags":["vip"],"is_not":false,"tags_operator":"OR","items_operator":"OR","tag_type":"xg_user_define"}],"operator":"OR"}]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if push == "" {
				return usagef("tpns override: --push is required")
			}
			if cmd.Flags().Changed("content") {
				fmt.Fprintln(a.e.stderr, "chatrecall: tpns override: --content is now --desc (the name push-revoke and push takeback use); --content still works for now")
			}
			p := chatrecall.TPNSPush{AudienceType: audience, Title: title, Content: content, Platform: platform, Environment: environment}
			if tagRules != "" {
				p.TagRules = json.RawMessage(tagRules)
			}
			if tokens != "" {
				p.TokenList = strings.Split(tokens, ",")
			}
			if accounts != "" {
				p.AccountList = strings.Split(accounts, ",")
			}
			note := fmt.Sprintf("the override reaches the audience of push %s, read from its record when run", push)
			if audience == chatrecall.TPNSAudienceAll {
				note = "the override goes to EVERY user of the app (audience all), and only if push " + push + " went to all users"
			} else if audience != "" {
				note = fmt.Sprintf("the override goes to audience %q, and only if push %s went to that audience", audience, push)
			}
			ask := fmt.Sprintf("replaces the notification of push %s on every device of its audience", push)
			return a.single(true, note, "tpns override", ask, func(ctx context.Context, c *chatrecall.Client) (row, error) {
				res, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: push, Push: p, ForceCollapse: forceCollapse, SameTargets: sameTargets})
				rw := newRow(chatrecall.EndpointTPNSPush, "", push, "done", err, false)
				if err == nil {
					rw.NewPushIDs, rw.CollapseID = res.PushIDs, res.CollapseID
					rw.Detail = fmt.Sprintf("new push %s, collapse ID %d", strings.Join(res.PushIDs, ","), res.CollapseID)
				}
				return rw, err
			})
		},
	}
	f := c.Flags()
	f.StringVar(&push, "push", "", "the push whose notification is replaced")
	f.StringVar(&title, "title", "", "title of the new notification")
	f.StringVar(&content, "desc", "", "text of the new notification (TPNS calls it content)")
	f.StringVar(&content, "content", "", "text of the new notification (the old name of --desc)")
	_ = f.MarkHidden("content")
	f.StringVar(&audience, "audience", "", "the original's audience (all, tag, token_list, account_list, ...); default: read from its record")
	f.StringVar(&tagRules, "tag-rules", "", "the tag rules (JSON) of a tag push")
	f.StringVar(&tokens, "tokens", "", "device tokens, comma-separated, for token audiences")
	f.StringVar(&accounts, "accounts", "", "accounts, comma-separated, for account audiences")
	f.StringVar(&platform, "platform", "", "android or ios (default both)")
	f.StringVar(&environment, "environment", "", "product or dev (required for ios)")
	f.BoolVar(&forceCollapse, "force-collapse", false, "still deliver to devices that cannot override (OPPO, vivo), as a second notification")
	f.BoolVar(&sameTargets, "same-targets", false, "vouch that --tag-rules are the original push's (its record holds none to compare)")
	return c
}

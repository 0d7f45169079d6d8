package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
)

// bulkFlags are the flags of group and official, named alike: --items-file
// is "items from a file" for both.
type bulkFlags struct {
	inline, itemsFile, reason, journal, resume string
	rateLimit                                  int
}

func (f *bulkFlags) add(c *cobra.Command, inlineName, inlineHelp string) {
	c.Flags().StringVar(&f.inline, inlineName, "", inlineHelp)
	c.Flags().StringVar(&f.itemsFile, "items-file", "", "read the items from FILE (- for stdin): separated by commas, spaces or newlines")
	c.Flags().StringVar(&f.reason, "reason", "", "the reason sent with the recall (at most 100 bytes)")
	c.Flags().StringVar(&f.journal, "journal", "", "record each request's items before it is sent, and each outcome, in FILE (for --resume)")
	c.Flags().StringVar(&f.resume, "resume", "", "finish the run recorded in FILE: send only items without a definite outcome")
	c.Flags().IntVar(&f.rateLimit, "rate-limit", 0, "the app's limit for this API in calls per second, when a paid add-on raised it (default: the documented 200)")
}

// check refuses flags that conflict with --resume or --dry-run.
func (f *bulkFlags) check(cmd string, a *app, target string, more ...string) error {
	if f.resume != "" {
		if f.rateLimit < 0 {
			return usagef("%s: --rate-limit must be positive", cmd)
		}
		for _, v := range append([]string{f.inline, f.itemsFile, f.reason, f.journal, target}, more...) {
			if v != "" {
				return usagef("%s: --resume takes the target, the items and the reason from the journal; give it alone", cmd)
			}
		}
	}
	if f.journal != "" && a.o.dryRun {
		return usagef("%s: --dry-run sends nothing, so there is nothing to journal", cmd)
	}
	return nil
}

func (a *app) groupCmd() *cobra.Command {
	var f bulkFlags
	var group, topic string
	c := &cobra.Command{
		Use:   "group --group ID (--seq LIST | --items-file FILE) [flags]",
		Short: "Recall group messages by sequence number",
		Long: `Recall messages of a group (group_msg_recall), any number: 10 per request, several at
a time, at the documented 200 requests per second. Every sequence number is checked first
(1 to 2^32-1, each once, across the whole input); a problem names its position and nothing
is sent. Each message's outcome is printed as soon as it is known.`,
		Example: `  chatrecall group --group @TGS#2J4SZEAEL --seq 100,101,200-210 --reason spam --dry-run
  chatrecall group --group @TGS#2J4SZEAEL --items-file seqs.txt --journal spam.journal
  chatrecall group --resume spam.journal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check("group", a, group, topic); err != nil {
				return err
			}
			if f.resume != "" {
				b, err := fromJournal("group", f.resume)
				if err != nil {
					return err
				}
				b.endpoint, b.rateLimit = chatrecall.EndpointGroupRecall, f.rateLimit
				return a.runBulk(b)
			}
			if group == "" {
				return usagef("group: --group is required")
			}
			if err := (chatrecall.GroupRecall{GroupID: group, TopicID: topic, Reason: f.reason, MsgSeqs: []uint64{1}}).Validate(); err != nil {
				return err
			}
			in, err := readSeqs("group", f.inline, f.itemsFile, a.e.stdin)
			if err != nil {
				return err
			}
			return a.runBulk(&bulk{command: "group", endpoint: chatrecall.EndpointGroupRecall, target: group, topic: topic,
				reason: f.reason, in: in, journal: f.journal, rateLimit: f.rateLimit})
		},
	}
	c.Flags().StringVar(&group, "group", "", "the group, such as @TGS#2J4SZEAEL")
	c.Flags().StringVar(&topic, "topic", "", "a topic of a topic-enabled Community group")
	f.add(c, "seq", "sequence numbers and ranges: 100,101,200-210")
	return c
}

func (a *app) officialCmd() *cobra.Command {
	var f bulkFlags
	var account string
	c := &cobra.Command{
		Use:   "official --account ID (--key LIST | --items-file FILE) [flags]",
		Short: "Recall official-account messages by message key",
		Long: `Recall messages an official account sent (official_account_msg_recall), any number,
10 per request. Every key is checked first (each once, valid text); a problem names its
position and nothing is sent.`,
		Example: `  chatrecall official --account @TOA#_2J4SZEAEL --key 71_1_1698741698,72_1_1698741699
  chatrecall official --account @TOA#_2J4SZEAEL --items-file keys.txt --journal oa.journal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check("official", a, account); err != nil {
				return err
			}
			if f.resume != "" {
				b, err := fromJournal("official", f.resume)
				if err != nil {
					return err
				}
				b.endpoint, b.rateLimit = chatrecall.EndpointOfficialRecall, f.rateLimit
				return a.runBulk(b)
			}
			if account == "" {
				return usagef("official: --account is required")
			}
			if err := (chatrecall.OfficialAccountRecall{Account: account, Reason: f.reason, MsgKeys: []string{"k"}}).Validate(); err != nil {
				return err
			}
			in, err := readKeys("official", f.inline, f.itemsFile, a.e.stdin)
			if err != nil {
				return err
			}
			return a.runBulk(&bulk{command: "official", endpoint: chatrecall.EndpointOfficialRecall, target: account,
				reason: f.reason, in: in, journal: f.journal, rateLimit: f.rateLimit})
		},
	}
	c.Flags().StringVar(&account, "account", "", "the official account, such as @TOA#_2J4SZEAEL")
	f.add(c, "key", "message keys: K1,K2")
	return c
}

// single runs a one-item call and prints its row.
func (a *app) single(tpns bool, note string, call func(ctx context.Context, c *chatrecall.Client) (row, error)) error {
	var dry *dryRun
	if a.o.dryRun {
		dry = &dryRun{out: a.e.stdout, json: a.o.json}
	}
	c, cleanup, err := a.newClient(tpns, chatrecall.Hooks{}, dry)
	if err != nil {
		return err
	}
	defer cleanup()
	rw, err := call(context.Background(), c)
	var ve *chatrecall.ValidationError
	if errorsAs(err, &ve) {
		return err
	}
	if dry != nil {
		dry.finish(note)
		return nil
	}
	rep := newReporter(a, 1)
	rep.emit(rw)
	a.code = rep.finish(a.e.stderr, a.stop.why)
	return nil
}

func (a *app) c2cCmd() *cobra.Command {
	var from, to, key string
	c := &cobra.Command{
		Use:     "c2c --from USER --to USER --key MSGKEY",
		Short:   "Recall a one-to-one message",
		Long:    "Recall a one-to-one message as the App admin (admin_msgwithdraw).",
		Example: "  chatrecall c2c --from vinson --to dramon --key 31906_833502_1572869830",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := chatrecall.C2CRecall{From: from, To: to, MsgKey: key}
			if err := r.Validate(); err != nil {
				return err
			}
			return a.single(false, "", func(ctx context.Context, c *chatrecall.Client) (row, error) {
				res, err := c.RecallC2CMessage(ctx, r)
				rw := newRow(chatrecall.EndpointC2CRecall, from+"->"+to, key, "recalled", err, false)
				rw.Detail = confirmation(res)
				return rw, err
			})
		},
	}
	c.Flags().StringVar(&from, "from", "", "the sender (From_Account)")
	c.Flags().StringVar(&to, "to", "", "the receiver (To_Account)")
	c.Flags().StringVar(&key, "key", "", "the message key")
	return c
}

func (a *app) pushRevokeCmd() *cobra.Command {
	var task, title, desc, ext string
	c := &cobra.Command{
		Use:   "push-revoke --task TASKID [--title T --desc D [--ext JSON]]",
		Short: "Revoke an all-user or tag push task (Chat)",
		Long: `Revoke a push task of v4/timpush within 24 hours: delivery to accounts not yet reached
stops, and with --title/--desc the notification devices already show is overwritten. It
acts on every device the push reached. Give --title and --desc: without them nothing is
overwritten, and a push that kept no copies is refused (90053).`,
		Example: `  chatrecall push-revoke --task 2026112201 --title "Correction" --desc "Please ignore the last message" --dry-run`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := chatrecall.ChatPushRevoke{TaskID: task}
			if title != "" || desc != "" || ext != "" {
				r.OfflinePushInfo = &chatrecall.OfflinePushInfo{Title: title, Desc: desc, Ext: ext}
			}
			if err := r.Validate(); err != nil {
				return err
			}
			note := fmt.Sprintf("this revokes push task %s for every account and device it reached", task)
			if r.OfflinePushInfo == nil {
				note += "; no --title/--desc: notifications already shown are not overwritten"
			}
			return a.single(false, note, func(ctx context.Context, c *chatrecall.Client) (row, error) {
				res, err := c.RevokeChatPush(ctx, r)
				rw := newRow(chatrecall.EndpointPushRevoke, "", task, "recalled", err, false)
				rw.Detail = confirmation(res)
				return rw, err
			})
		},
	}
	c.Flags().StringVar(&task, "task", "", "the TaskId returned by v4/timpush/push")
	c.Flags().StringVar(&title, "title", "", "title of the notification that replaces the one shown")
	c.Flags().StringVar(&desc, "desc", "", "text of the notification that replaces the one shown")
	c.Flags().StringVar(&ext, "ext", "", "a JSON document passed to the devices")
	return c
}

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
				return a.single(true, "", func(ctx context.Context, c *chatrecall.Client) (row, error) {
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
			return a.single(true, "", func(ctx context.Context, c *chatrecall.Client) (row, error) {
				rec, err := c.GetTPNSPushRecord(ctx, push)
				rw := newRow(chatrecall.EndpointTPNSRecord, "", push, "done", err, false)
				if err == nil {
					rw.Detail = fmt.Sprintf("status %s, type %s, collapse ID %d", rec.Status, rec.PushType, rec.CollapseID)
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
	var forceCollapse bool
	c := &cobra.Command{
		Use:   "override --push ID --content TEXT [--title TEXT] [flags]",
		Short: "Replace the notification of a push",
		Long: `Replace the notification an earlier push showed (override): the task's record gives its
collapse ID, then a new push with that collapse_id goes to the same audience. The audience
is never assumed: without --audience it is the original's, from its record; an --audience
that differs from the original's is refused, so a correction of a VIP-only push cannot reach
every user. A tag push's rules are not in its record: give --tag-rules.`,
		Example: `  chatrecall tpns override --push 133703 --title "Correction" --content "The sale ends today, not tomorrow" --dry-run
  chatrecall tpns override --push 133704 --content "Fixed" --tag-rules '[{"tag_items":[{"tags":["vip"],"is_not":false,"tags_operator":"OR","items_operator":"OR","tag_type":"xg_user_define"}],"operator":"OR"}]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if push == "" {
				return usagef("tpns override: --push is required")
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
			return a.single(true, note, func(ctx context.Context, c *chatrecall.Client) (row, error) {
				res, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: push, Push: p, ForceCollapse: forceCollapse})
				rw := newRow(chatrecall.EndpointTPNSPush, "", push, "done", err, false)
				if err == nil {
					rw.Detail = fmt.Sprintf("new push %s, collapse ID %d", strings.Join(res.PushIDs, ","), res.CollapseID)
				}
				return rw, err
			})
		},
	}
	f := c.Flags()
	f.StringVar(&push, "push", "", "the push whose notification is replaced")
	f.StringVar(&title, "title", "", "title of the new notification")
	f.StringVar(&content, "content", "", "text of the new notification")
	f.StringVar(&audience, "audience", "", "the original's audience (all, tag, token_list, account_list, ...); default: read from its record")
	f.StringVar(&tagRules, "tag-rules", "", "the tag rules (JSON) of a tag push")
	f.StringVar(&tokens, "tokens", "", "device tokens, comma-separated, for token audiences")
	f.StringVar(&accounts, "accounts", "", "accounts, comma-separated, for account audiences")
	f.StringVar(&platform, "platform", "", "android or ios (default both)")
	f.StringVar(&environment, "environment", "", "product or dev (required for ios)")
	f.BoolVar(&forceCollapse, "force-collapse", false, "still deliver to devices that cannot override (OPPO, vivo), as a second notification")
	return c
}

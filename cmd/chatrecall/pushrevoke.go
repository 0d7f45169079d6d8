package main

import (
	"context"
	"fmt"

	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

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
			ask := fmt.Sprintf("revokes push task %s for every account and device it reached", task)
			return a.single(false, note, "push-revoke", ask, func(ctx context.Context, c *chatrecall.Client) (row, error) {
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

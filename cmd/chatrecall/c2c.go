package main

import (
	"context"

	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

func (a *app) c2cCmd() *cobra.Command {
	var from, to, key, resume string
	var rateLimit int
	c := &cobra.Command{
		Use:   "c2c (--from USER --to USER --key MSGKEY | --resume FILE)",
		Short: "Recall a one-to-one message",
		Long: `Recall a one-to-one message as the App admin (admin_msgwithdraw).

With --resume, finish a one-to-one sweep recorded by chatrecall sweep c2c --journal FILE:
only the messages without a definite outcome are sent, and those an interrupted run may
have recalled are confirmed rather than reported failed.`,
		Example: `  chatrecall c2c --from vinson --to dramon --key 31906_833502_1572869830
  chatrecall c2c --resume mallory.journal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if resume != "" {
				if from != "" || to != "" || key != "" {
					return usagef("c2c: --resume takes the messages from the journal; give it without --from, --to or --key")
				}
				if rateLimit < 0 {
					return usagef("c2c: --rate-limit must be positive")
				}
				b, err := fromJournal("c2c", resume)
				if err != nil {
					return err
				}
				b.endpoint, b.rateLimit = chatrecall.EndpointC2CRecall, rateLimit
				return a.runBulk(b)
			}
			r := chatrecall.C2CRecall{From: from, To: to, MsgKey: key}
			if err := r.Validate(); err != nil {
				return err
			}
			return a.single(false, "", "", "", func(ctx context.Context, c *chatrecall.Client) (row, error) {
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
	c.Flags().StringVar(&resume, "resume", "", "finish the one-to-one sweep recorded in FILE: send only messages without a definite outcome")
	c.Flags().IntVar(&rateLimit, "rate-limit", 0, "with --resume: the app's admin_msgwithdraw limit in calls per second, when a paid add-on raised it")
	return c
}

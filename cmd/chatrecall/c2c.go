package main

import (
	"context"

	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

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

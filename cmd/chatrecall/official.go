package main

import (
	"fmt"

	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

func (a *app) officialCmd() *cobra.Command {
	var f bulkFlags
	var account string
	c := &cobra.Command{
		Use:   "official --official ID (--key LIST | --items-file FILE) [flags]",
		Short: "Recall official-account messages by message key",
		Long: `Recall messages an official account sent (official_account_msg_recall), any number,
10 per request. Every key is checked first (each once, valid text); a problem names its
position and nothing is sent.`,
		Example: `  chatrecall official --official @TOA#_2J4SZEAEL --key 71_1_1698741698,72_1_1698741699
  chatrecall official --official @TOA#_2J4SZEAEL --items-file keys.txt --journal oa.journal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("account") {
				fmt.Fprintln(a.e.stderr, "chatrecall: official: --account is now --official (the name sweep official uses); --account still works for now")
			}
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
				return usagef("official: --official is required: the official account, such as @TOA#_2J4SZEAEL")
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
	c.Flags().StringVar(&account, "official", "", "the official account, such as @TOA#_2J4SZEAEL (as sweep official takes it)")
	c.Flags().StringVar(&account, "account", "", "the official account (the old name of --official)")
	_ = c.Flags().MarkHidden("account")
	f.add(c, "key", "message keys: K1,K2")
	return c
}

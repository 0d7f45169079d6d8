package main

import (
	"github.com/chatrecall/chatrecall"
	"github.com/spf13/cobra"
)

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

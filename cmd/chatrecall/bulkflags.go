package main

import "github.com/spf13/cobra"

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

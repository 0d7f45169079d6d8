package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/takedown"
)

// This file is chatrecall contain: mute an account everywhere and log it
// out, with a receipt that --undo restores.

func (a *app) containCmd() *cobra.Command {
	var account, receipt, undo string
	var mute time.Duration
	var noKick bool
	var groups []string
	c := &cobra.Command{
		Use:   "contain (--account ID [--mute DURATION] [--group ID...] [--receipt FILE] | --undo FILE)",
		Short: "Stop an account sending: mute it everywhere and log it out, with a receipt to undo it",
		Long: `Contain reads the account's global mutes, mutes it for one-to-one and group messages
(setnospeaking; until undone, or for --mute), never shortening a mute already longer, then
invalidates its logins (kick), then, with --group, mutes it in those groups too (forbid_send_msg,
read first with get_group_muted_account, never shortened either). The receipt (--receipt, JSON) records what was there before;
chatrecall contain --undo FILE restores it: none stays none, permanent stays permanent, a timed
mute ends when it would have ended. Running contain again changes no mute and logs the account
out again.

What it cannot do: a UserSig your app issues after the kick logs the account in again. Stop
issuing them too. It removes nothing: take back what the account sent with chatrecall sweep.`,
		Example: "  chatrecall contain --account mallory --receipt mallory.receipt\n  chatrecall contain --undo mallory.receipt",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if undo != "" {
				if account != "" || cmd.Flags().Changed("mute") || noKick || receipt != "" || len(groups) > 0 {
					return usagef("contain: --undo takes the account and what to restore from FILE; give it alone")
				}
				return a.runUndo(undo)
			}
			return a.runContain(account, receipt, mute, noKick, groups)
		},
	}
	fl := c.Flags()
	fl.StringVar(&account, "account", "", "the account to contain")
	fl.DurationVar(&mute, "mute", 0, "mute for this long (such as 24h) instead of until undone")
	fl.BoolVar(&noKick, "no-kick", false, "leave the account's logins as they are")
	fl.StringSliceVar(&groups, "group", nil, "also mute the account in this group (repeat or separate with commas; not Work groups)")
	fl.StringVar(&receipt, "receipt", "", "write the receipt to FILE (default contain-ACCOUNT.json); an existing file is never overwritten")
	fl.StringVar(&undo, "undo", "", "restore the mutes the receipt in FILE records")
	return c
}

func (a *app) runContain(account, receipt string, mute time.Duration, noKick bool, groups []string) error {
	if account == "" {
		return usagef("contain: --account is required: the account to contain (or --undo FILE)")
	}
	if err := chatrecall.CheckText("contain", "--account", account); err != nil {
		return usagef("%v", err)
	}
	secs := uint64(mute / time.Second)
	if mute < 0 || mute%time.Second != 0 || secs >= uint64(chatrecall.MuteForever) {
		return usagef("contain: --mute %s: give whole seconds, below %d s (leave it out to mute until undone)", mute, chatrecall.MuteForever)
	}
	if receipt == "" {
		receipt = "contain-" + account + ".json"
	}
	if a.o.dryRun {
		what := "until undone"
		if secs > 0 {
			what = "for " + mute.String()
		}
		fmt.Fprintf(a.e.stdout, "dry run: would read %q's mutes, mute it for one-to-one and group messages %s (never shortening a longer mute)", account, what)
		if !noKick {
			fmt.Fprint(a.e.stdout, ", and log it out")
		}
		if len(groups) > 0 {
			fmt.Fprintf(a.e.stdout, ", then mute it in %d group(s) %s", len(groups), what)
		}
		fmt.Fprintf(a.e.stdout, "; the receipt would go to %s. Nothing was sent.\n", receipt)
		return nil
	}
	f, err := os.OpenFile(receipt, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return usagef("contain: --receipt %s exists: it may be the receipt of an earlier containment; give another FILE", receipt)
	}
	if err != nil {
		return usagef("contain: --receipt: %v", err)
	}
	defer f.Close()
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	r, cerr := takedown.Contain(context.Background(), client, account, takedown.ContainOptions{Mute: uint32(secs), NoKick: noKick, Groups: groups})
	if r != nil {
		b, _ := json.MarshalIndent(r, "", "  ")
		if _, err := f.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("contain: writing the receipt %s: %w", receipt, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("contain: writing the receipt %s: %w", receipt, err)
		}
		a.printContain(r, receipt)
	} else {
		_ = os.Remove(receipt)
	}
	if cerr != nil {
		var ve *chatrecall.ValidationError
		if errors.As(cerr, &ve) {
			return usagef("contain: %v", cerr)
		}
		return serviceFailure(cerr)
	}
	return nil
}

func (a *app) printContain(r *takedown.Receipt, file string) {
	if a.o.json {
		a.out().put(map[string]any{"receipt": file, "account": r.Account, "before": r.Before.String(),
			"set_c2c": r.SetC2C, "set_group": r.SetGroup, "kicked": r.Kicked, "groups": r.Groups})
		return
	}
	fmt.Fprintf(a.e.stdout, "%s: mutes before: %s\n", r.Account, r.Before)
	switch {
	case r.SetC2C == nil && r.SetGroup == nil:
		fmt.Fprintf(a.e.stdout, "%s: mutes left as they were (already as long as asked)\n", r.Account)
	default:
		after := r.Before
		if r.SetC2C != nil {
			after.C2C = *r.SetC2C
		}
		if r.SetGroup != nil {
			after.Group = *r.SetGroup
		}
		fmt.Fprintf(a.e.stdout, "%s: muted: %s\n", r.Account, after)
	}
	if r.Kicked {
		fmt.Fprintf(a.e.stdout, "%s: logged out (a UserSig issued from now on logs it in again: stop issuing them)\n", r.Account)
	}
	for _, g := range r.Groups {
		if g.Set == nil {
			fmt.Fprintf(a.e.stdout, "%s: in group %s: left as it was (%s)\n", r.Account, g.GroupID, muteWords(g.Before))
			continue
		}
		fmt.Fprintf(a.e.stdout, "%s: in group %s: muted (%s)\n", r.Account, g.GroupID, muteWords(*g.Set))
	}
	fmt.Fprintf(a.e.stdout, "receipt: %s (undo: chatrecall contain --undo %s)\n", file, file)
}

func (a *app) runUndo(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return usagef("contain: --undo: %v", err)
	}
	var r takedown.Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return usagef("contain: --undo %s is not a receipt: %v", file, err)
	}
	if a.o.dryRun {
		fmt.Fprintf(a.e.stdout, "dry run: would restore %q's mutes as %s records them (before: %s). Nothing was sent.\n", r.Account, file, r.Before)
		return nil
	}
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	got, err := takedown.Undo(context.Background(), client, &r, nil)
	if err != nil {
		var ve *chatrecall.ValidationError
		if errors.As(err, &ve) {
			return usagef("contain: --undo %s: %v", file, err)
		}
		return serviceFailure(err)
	}
	changed := false
	for _, g := range r.Groups {
		changed = changed || g.Set != nil
	}
	if got == nil && !changed {
		fmt.Fprintf(a.e.stdout, "%s: nothing to undo: contain changed no mute\n", r.Account)
		return nil
	}
	fmt.Fprintf(a.e.stdout, "%s: mutes restored (the expiry of a timed mute is as exact as the clocks); the login cannot be restored: the account logs in with a new UserSig\n", r.Account)
	return nil
}

// muteWords reads a mute time as "permanent", "none" or "3600s".
func muteWords(v uint32) string {
	switch v {
	case 0:
		return "none"
	case chatrecall.MuteForever:
		return "permanent"
	}
	return fmt.Sprintf("%ds", v)
}

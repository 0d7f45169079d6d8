package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/webhook"
)

// This file is chatrecall sweep ledger: a sweep planned from a Redis
// webhook ledger, the only record of a live-stream group's messages
// (AVChatRoom keeps no history), recalled and verified against the
// after-recall callbacks the ledger records.

type ledgerFlags struct {
	sweepFlags
	redisURL, prefix string
	settle           time.Duration
}

func (a *app) sweepLedgerCmd() *cobra.Command {
	var f ledgerFlags
	c := &cobra.Command{
		Use:   "ledger --redis URL (--group ID [--topic T] | --account A --peer B | --official ID) --sender ACCOUNT... --since WHEN [flags]",
		Short: "Sweep what a Redis webhook ledger recorded (live-stream groups keep no history)",
		Long: `Plans from the webhook ledger that receivers share in Redis (package redisledger): the messages the
senders posted in the window, as the after-send callbacks recorded them. It recalls them with the same
journal as every sweep (chatrecall group --resume finishes a cut run) and verifies them against the
after-recall callbacks the ledger records, waiting up to --settle for them to arrive. A message without
one is reported unverified, never "not recalled": the callback may be late or switched off.`,
		Example: "  chatrecall sweep ledger --redis redis://ledger:6379/0 --group @TGS#live --sender u123 --since 30m --journal live.journal",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return a.runLedgerSweep(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.redisURL, "redis", "", "the ledger's Redis, as a URL (redis://[user:password@]host:port/db, rediss:// for TLS)")
	fl.StringVar(&f.prefix, "prefix", redisledger.DefaultPrefix, "the ledger's key prefix, as its receivers were given it")
	fl.StringVar(&f.group, "group", "", "the group, such as @TGS#live")
	fl.StringVar(&f.topic, "topic", "", "a topic of a topic-enabled Community group")
	fl.StringVar(&f.account, "account", "", "one party of a one-to-one conversation")
	fl.StringVar(&f.peer, "peer", "", "the other party")
	fl.StringVar(&f.official, "official", "", "an official account")
	f.addFilter(fl)
	fl.StringVar(&f.reason, "reason", "", "the reason sent with the recall (at most 100 bytes)")
	fl.StringVar(&f.journal, "journal", "", "record each request's items before it is sent, and each outcome, in FILE")
	fl.BoolVar(&f.noVerify, "no-verify", false, "do not wait for the after-recall callbacks")
	fl.DurationVar(&f.settle, "settle", sweep.DefaultSettle, "how long to wait for the after-recall callbacks before reporting a message unverified")
	return c
}

func (a *app) runLedgerSweep(f *ledgerFlags) error {
	if f.redisURL == "" {
		return usagef("sweep ledger: --redis is required: the URL of the Redis the webhook receivers record into")
	}
	opt, err := redis.ParseURL(f.redisURL)
	if err != nil {
		return usagef("sweep ledger: --redis: %v", err)
	}
	if f.settle <= 0 {
		return usagef("sweep ledger: --settle must be positive, got %s", f.settle)
	}
	conv := chatrecall.Conversation{GroupID: f.group, TopicID: f.topic, Official: f.official, Account: f.account, Peer: f.peer}
	if err := conv.Validate(); err != nil {
		return usagef("sweep ledger: %v (flags --group, --account and --peer, or --official)", err)
	}
	since, until, err := f.window("sweep ledger")
	if err != nil {
		return err
	}
	if conv.Kind() == chatrecall.KindOfficial && len(f.senders) == 0 {
		f.senders = []string{f.official}
	}
	if len(f.senders) == 0 {
		return usagef("sweep ledger: --sender is required: whose messages to sweep")
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ledger := redisledger.New(rdb, redisledger.WithPrefix(f.prefix))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	plan, err := webhook.SweepPlan(ctx, ledger, conv, sweep.Filter{Senders: f.senders, Since: since, Until: until})
	cancel()
	if err != nil {
		return serviceFailure(fmt.Errorf("sweep ledger: reading the ledger: %w", err))
	}
	fmt.Fprintf(a.e.stderr, "chatrecall: the ledger lists %d messages of %v in %s in the window, not recalled yet\n", len(plan), f.senders, conv)
	return a.withClient(len(plan), func(client *chatrecall.Client) error {
		return a.streamRun(conv.Kind(), conv, &f.sweepFlags, client, func(o *sweep.Options) {
			o.Verifier, o.Settle = webhook.LedgerVerifier{Ledger: ledger}, f.settle
		}, func(s *sweep.Sweeper) (*sweep.Report, error) {
			return s.Apply(context.Background(), slices.Values(plan))
		})
	})
}

package takedown_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/takedown"
)

// Contain an account taken over: it was muted in groups for ten minutes
// already; it is muted everywhere until undone (never shortened), and
// logged out. The receipt undoes it later.
func ExampleContain() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.SetNoSpeakingState("mallory", 0, 600)
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	receipt, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{})
	if err != nil {
		log.Fatal(err) // the receipt is returned beside the error: keep it
	}
	c2c, group := srv.NoSpeaking("mallory")
	fmt.Println("groups muted before:", receipt.Before.Group > 590, "kicked:", receipt.Kicked)
	fmt.Println("now permanent:", c2c == chatrecall.MuteForever && group == chatrecall.MuteForever)

	// The incident is over: restore what was there.
	if _, err := takedown.Undo(ctx, client, receipt, nil); err != nil {
		log.Fatal(err)
	}
	c2c, group = srv.NoSpeaking("mallory")
	fmt.Println("after undo:", c2c, group > 590 && group <= 600)
	// Output:
	// groups muted before: true kicked: true
	// now permanent: true
	// after undo: 0 true
}

// Take back everything an account sent since the incident started, in
// every conversation discovery finds: its groups and its one-to-one
// conversations, each message recalled and read back.
func ExampleTakedown() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 2, GroupMessages: 20, Own: 3,
		Peers: 4, PeerMessages: 1, PeerReplies: 1, From: now.Add(-time.Hour), To: now.Add(-time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	rep, err := takedown.Takedown(context.Background(), client, "mallory", now.Add(-2*time.Hour), time.Time{})
	if err != nil {
		log.Fatal(err) // *takedown.Error: what was not taken back, what was not seen
	}
	fmt.Println(rep.Discovery.Summary())
	fmt.Printf("%d recalled, %d read back gone\n", rep.Total.Recalled, rep.Total.Verified)
	// Output:
	// 6 conversations found (2 groups, 4 one-to-one); not known to be all
	// 10 recalled, 10 read back gone
}

// A dry run first: the plan, conversation by conversation, and how long
// applying it takes; then apply the reviewed plan.
func ExampleRunner_Plan() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.AddFootprint(chatrecalltest.Footprint{Account: "mallory", Groups: 3, GroupMessages: 40, Own: 4,
		From: now.Add(-time.Hour), To: now.Add(-time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	r := takedown.New(client, func(o *takedown.Options) { o.Reason = "account compromised" })
	d, err := r.Discover(ctx, "mallory", now.Add(-2*time.Hour), time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	var plans []*takedown.ConversationPlan
	sum, err := r.Plan(ctx, d, func(p *takedown.ConversationPlan) error {
		plans = append(plans, p) // or write it to a file to review
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d messages in %d conversations; busiest: %s\n", sum.Messages, sum.Conversations, sum.Estimate.Busiest)
	rep, err := r.Apply(ctx, slices.Values(plans))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recalled:", rep.Total.Recalled)
	// Output:
	// 12 messages in 3 conversations; busiest: group_msg_get_simple
	// recalled: 12
}

package sweep_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
)

// A spammer flooded a group for the last two hours: take back everything
// they posted, and prove it gone.
func ExampleSweeper_Sweep() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillGroup("@TGS#town", chatrecalltest.Fill{Messages: 2000, Senders: 20, From: now.Add(-24 * time.Hour), To: now, Seed: 1})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	s := sweep.New(client, func(o *sweep.Options) { o.Reason = "spam" })
	rep, err := s.Sweep(context.Background(), chatrecall.Conversation{GroupID: "@TGS#town"},
		sweep.Filter{Senders: []string{"user07"}, Since: now.Add(-2 * time.Hour)})
	if err != nil {
		log.Fatal(err) // errors.Is(err, sweep.ErrIncomplete): part of the history was not seen
	}
	sum := rep.Summary()
	fmt.Println("recalled and verified:", sum.Recalled == sum.Total && sum.Verified == sum.Total)
	fmt.Println("anyone else's touched:", len(srv.RecalledGroupMessages("@TGS#town")) != sum.Total)
	// Output:
	// recalled and verified: true
	// anyone else's touched: false
}

// The reviewed-plan workflow, step 1: plan, and write the plan as JSON
// lines for a person to read. Nothing is recalled.
func ExampleSweeper_Plan() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillGroup("@TGS#town", chatrecalltest.Fill{Messages: 100, Senders: 5, From: now.Add(-99 * time.Minute), To: now, Seed: 1})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	var file bytes.Buffer // spam.plan
	enc := json.NewEncoder(&file)
	var st sweep.PlanStats
	for it, err := range sweep.New(client).Plan(context.Background(), chatrecall.Conversation{GroupID: "@TGS#town"},
		sweep.Filter{Senders: []string{"user03"}, Since: now.Add(-time.Hour)}, &st) {
		if err != nil {
			log.Fatal(err)
		}
		if err := enc.Encode(it); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("read", st.Read, "planned", st.Planned, "lines", bytes.Count(file.Bytes(), []byte("\n")))
	fmt.Println("recalled so far:", len(srv.RecalledGroupMessages("@TGS#town")))
	// Output:
	// read 60 planned 9 lines 9
	// recalled so far: 0
}

// Step 2: recall the reviewed plan, read back from its file, and verify it.
// Every line is checked before anything is sent.
func ExampleSweeper_Apply() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Now().Add(-time.Minute)
	seq := srv.SendGroupMessage("@TGS#town", "user03", at)
	file := fmt.Sprintf(`{"group":"@TGS#town","sender":"user03","seq":%d,"time":%d}`+"\n", seq, at.Unix())
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	var plan []sweep.Item
	dec := json.NewDecoder(bytes.NewBufferString(file))
	for dec.More() {
		var it sweep.Item
		if err := dec.Decode(&it); err != nil {
			log.Fatal(err)
		}
		plan = append(plan, it)
	}
	rep, err := sweep.New(client).Apply(context.Background(), slices.Values(plan))
	if err != nil {
		log.Fatal(err)
	}
	for o := range rep.Outcomes() {
		fmt.Println(o.ID(), o.Err, o.Check)
	}
	// Output:
	// 1 <nil> recalled
}

// Step 3, now or later: read a plan back without recalling anything.
func ExampleSweeper_Check() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	group := chatrecall.Conversation{GroupID: "@TGS#town"}
	var plan []sweep.Item
	for _, at := range []time.Time{now.Add(-2 * time.Minute), now.Add(-time.Minute)} {
		seq := srv.SendGroupMessage("@TGS#town", "user03", at)
		plan = append(plan, sweep.Item{Conversation: group, Sender: "user03", MsgSeq: seq, Time: at.Unix()})
	}
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#town", MsgSeqs: []uint64{plan[0].MsgSeq}}); err != nil {
		log.Fatal(err)
	}
	rep, err := sweep.New(client).Check(context.Background(), slices.Values(plan))
	for o := range rep.Outcomes() {
		fmt.Println(o.ID(), o.Check)
	}
	fmt.Println(errors.Is(err, chatrecall.ErrNotRecalled))
	// Output:
	// 1 recalled
	// 2 not recalled
	// true
}

// Outcomes can be written as they are final, so a report of a million
// messages need not be held to be saved.
func ExampleOptions_onOutcome() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 40, From: now.Add(-time.Hour), To: now, Seed: 4})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	var report bytes.Buffer // a file, in a real incident
	enc := json.NewEncoder(&report)
	s := sweep.New(client, func(o *sweep.Options) {
		o.OnOutcome = func(out sweep.Outcome) {
			_ = enc.Encode(map[string]any{"key": out.MsgKey, "from": out.Sender, "check": out.Check.String(), "ok": out.Err == nil})
		}
	})
	rep, err := s.Sweep(context.Background(), chatrecall.Conversation{Account: "alice", Peer: "mallory"},
		sweep.Filter{Senders: []string{"mallory"}, Since: now.Add(-time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Count(report.Bytes(), []byte("\n")) == rep.Len(), bytes.Count(report.Bytes(), []byte(`"check":"recalled"`)) == rep.Len())
	// Output:
	// true true
}

// Recall first and verify later: here the recall skips verification to
// finish sooner, and Verify reads the report's messages back afterwards.
func ExampleSweeper_Verify() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillGroup("@TGS#town", chatrecalltest.Fill{Messages: 50, Senders: 5, From: now.Add(-time.Hour), To: now, Seed: 2})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	fast := sweep.New(client, func(o *sweep.Options) { o.SkipVerify = true })
	rep, err := fast.Sweep(ctx, chatrecall.Conversation{GroupID: "@TGS#town"}, sweep.Filter{Senders: []string{"user02"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", rep.Summary().Verified, "of", rep.Len())
	if err := sweep.New(client).Verify(ctx, rep); err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", rep.Summary().Verified, "of", rep.Len())
	// Output:
	// verified: 0 of 9
	// verified: 9 of 9
}

package chatrecall_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// The examples run against chatrecalltest, the SDK's fake service. Against
// the real service, the Config holds your SDKAppID, secret key and region:
//
//	chatrecall.Config{SDKAppID: 1400000000, SecretKey: key, Region: chatrecall.RegionSingapore}

func ExampleNewClient() {
	client, err := chatrecall.NewClient(chatrecall.Config{
		SDKAppID:  1400000000,
		SecretKey: "your-secret-key",
		Region:    chatrecall.RegionSingapore,
	}, chatrecall.WithTimeout(5*time.Second))
	if err != nil {
		panic(err)
	}
	fmt.Println(client.Identifier())

	// A missing setting fails here, not at the first call.
	_, err = chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "k"})
	fmt.Println(err)
	// Output:
	// administrator
	// chatrecall: Config.Region is required (there is no default: an app's data lives in one region); or set Config.BaseURL
}

func ExampleClient_RecallGroupMessages() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#2J4SZEAEL", 100, 101, 102)

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{
		GroupID: "@TGS#2J4SZEAEL",
		MsgSeqs: []uint64{100, 101, 102, 103},
		Reason:  "spam",
	})
	for _, it := range res.Items {
		if it.Err != nil {
			fmt.Printf("seq %d: not recalled: %v\n", it.MsgSeq, it.Err)
			continue
		}
		fmt.Printf("seq %d: recalled\n", it.MsgSeq)
	}
	fmt.Println(errors.Is(err, chatrecall.ErrGone))
	// Output:
	// seq 100: recalled
	// seq 101: recalled
	// seq 102: recalled
	// seq 103: not recalled: chatrecall: group_msg_recall: code 10030 (message does not exist or was already recalled)
	// true
}

func ExampleClient_RecallOfficialAccountMessages() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddOfficialMessages("@TOA#_2J4SZEAEL", "1_2_3", "1_2_4")

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.RecallOfficialAccountMessages(context.Background(), chatrecall.OfficialAccountRecall{
		Account: "@TOA#_2J4SZEAEL",
		MsgKeys: []string{"1_2_3", "1_2_4"},
		Reason:  "sent by mistake",
	})
	fmt.Println(res.Summary().Recalled, err)

	// Reason is capped at 100 bytes: 34 Chinese characters are 102.
	_, err = client.RecallOfficialAccountMessages(context.Background(), chatrecall.OfficialAccountRecall{
		Account: "@TOA#_2J4SZEAEL", MsgKeys: []string{"1_2_5"},
		Reason: "撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤撤",
	})
	fmt.Println(err)
	// Output:
	// 2 <nil>
	// chatrecall: RecallOfficialAccountMessages: Reason: is 102 bytes; at most 100 bytes are allowed (bytes, not characters)
}

func ExampleClient_RevokeChatPush() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	taskID := srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: false})

	client, _ := chatrecall.NewClient(srv.Config())
	_, err := client.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: taskID})
	fmt.Println(errors.Is(err, chatrecall.ErrOfflinePushInfoRequired))

	// This push kept no copy, so overwrite the notification devices show.
	info := &chatrecall.OfflinePushInfo{Title: "Correction", Desc: "Please ignore the last message"}
	_ = info.SetExt(map[string]string{"kind": "correction"})
	res, err := client.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: taskID, OfflinePushInfo: info})
	fmt.Println(res.ConfirmedByRetry, err)
	// Output:
	// true
	// false <nil>
}

func ExampleClient_RecallC2CMessage() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("vinson", "dramon", "31906_833502_1572869830")

	client, _ := chatrecall.NewClient(srv.Config())
	recall := chatrecall.C2CRecall{From: "vinson", To: "dramon", MsgKey: "31906_833502_1572869830"}
	res, err := client.RecallC2CMessage(context.Background(), recall)
	fmt.Println(res.ConfirmedByRetry, err)
	_, err = client.RecallC2CMessage(context.Background(), recall)
	fmt.Println(errors.Is(err, chatrecall.ErrAlreadyRecalled))
	// Output:
	// false <nil>
	// true
}

func ExampleClient_StopTPNSPush() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	pushID := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Platform: "android"})

	client, _ := chatrecall.NewClient(srv.Config())
	_, err := client.StopTPNSPush(context.Background(), pushID)
	fmt.Println(err)
	// Output:
	// <nil>
}

func ExampleClient_RevokeTPNSPush() {
	// The service documents revoke as "being upgraded, not available";
	// the fake can be told to answer as the documentation warns.
	srv := chatrecalltest.NewServer(chatrecalltest.WithTPNSRevokeUnavailable())
	defer srv.Close()
	pushID := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all"})

	client, _ := chatrecall.NewClient(srv.Config())
	_, err := client.RevokeTPNSPush(context.Background(), pushID)
	fmt.Println(err)
	// Output:
	// chatrecall: tpns/revoke_push_msg: code 1008007 (parameter invalid): revoke is being upgraded and is not available
}

func ExampleClient_CancelTPNSScheduledPush() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	pushID := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "tag", Status: chatrecalltest.TPNSStatusWait,
		SendTime: time.Now().Add(time.Hour)})

	client, _ := chatrecall.NewClient(srv.Config())
	_, err := client.CancelTPNSScheduledPush(context.Background(), pushID)
	fmt.Println(err)
	st, _ := srv.TPNSTaskState(pushID)
	fmt.Println(st.Status)
	// Output:
	// <nil>
	// PUSH_CANCELED
}

func ExampleClient_GetTPNSPushRecord() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	pushID := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42})

	client, _ := chatrecall.NewClient(srv.Config())
	rec, err := client.GetTPNSPushRecord(context.Background(), pushID)
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Status, rec.PushType, rec.CollapseID)
	// Output:
	// PUSH_FINISHED all 42
}

func ExampleClient_OverrideTPNSPush() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	wrong := srv.AddTPNSTask(chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42, Title: "50% off"})

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.OverrideTPNSPush(context.Background(), chatrecall.TPNSOverride{
		PushID: wrong,
		Push: chatrecall.TPNSPush{
			AudienceType: chatrecall.TPNSAudienceAll,
			Title:        "5% off",
			Content:      "Sorry: the discount is 5%, not 50%.",
		},
		ForceCollapse: true,
	})
	if err != nil {
		panic(err)
	}
	old, _ := srv.TPNSTaskState(wrong)
	fmt.Println(len(res.PushIDs), res.CollapseID, old.Status)
	// Output:
	// 1 42 PUSH_COLLAPSED
}

func ExampleAPIError() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	client, _ := chatrecall.NewClient(srv.Config())

	_, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"})
	var apiErr *chatrecall.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.Description())
	}
	fmt.Println(errors.Is(err, chatrecall.ErrNotFound), errors.Is(err, chatrecall.ErrTemporary))
	// Output:
	// 20022 message does not exist
	// true false
}

func ExamplePartialError() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, 25)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#big", seqs[:23]...) // 24 and 25 do not exist

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#big", MsgSeqs: seqs})
	var pe *chatrecall.PartialError
	if errors.As(err, &pe) {
		fmt.Printf("%d of %d not recalled\n", pe.NotDone, pe.Total)
	}
	fmt.Println(len(res.Items), res.Summary().Recalled, len(srv.RequestsTo(chatrecall.EndpointGroupRecall)))
	// Output:
	// 2 of 25 not recalled
	// 25 23 3
}

// A loop of single-item calls stops at a failure every further call would
// repeat; a message that is not there is that message's own failure.
func ExampleRepeats() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.SecretKey = "not-the-app-key"
	client, _ := chatrecall.NewClient(cfg)

	keys := []string{"1_1_1", "1_1_2", "1_1_3"}
	for i, key := range keys {
		_, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: key})
		if chatrecall.Repeats(err) {
			fmt.Printf("stopped at %s with %d of %d not sent: %v\n", key, len(keys)-i-1, len(keys), errors.Is(err, chatrecall.ErrAuth))
			break
		}
	}
	fmt.Println(len(srv.RequestsTo(chatrecall.EndpointC2CRecall)))
	// Output:
	// stopped at 1_1_1 with 2 of 3 not sent: true
	// 1
}

func ExampleGenUserSig() {
	sig, err := chatrecall.GenUserSig(1400000000, "your-secret-key", "alice", 7*24*time.Hour)
	if err != nil {
		panic(err)
	}
	info, err := chatrecall.VerifyUserSig(1400000000, "your-secret-key", "alice", sig, time.Now())
	fmt.Println(err, info.Identifier, info.Expire)

	_, err = chatrecall.VerifyUserSig(1400000000, "another-key", "alice", sig, time.Now())
	fmt.Println(err)
	// Output:
	// <nil> alice 168h0m0s
	// chatrecall: UserSig signature does not match this secret key
}

// Example_tour is the README's tour. It has no Output line, so it is
// compiled but not run (it would call the real service); readme_test.go
// checks that the README shows exactly the code between the markers.
func Example_tour() {
	ctx := context.Background()
	seqs := []uint64{100, 101, 102}
	// README:begin
	client, err := chatrecall.NewClient(chatrecall.Config{
		SDKAppID:  1400000000,
		SecretKey: os.Getenv("CHATRECALL_SECRET_KEY"),
		Region:    chatrecall.RegionSingapore, // no default: an app lives in one region
	})
	if err != nil {
		log.Fatal(err) // names the missing or malformed field
	}

	res, err := client.RecallGroupMessages(ctx, chatrecall.GroupRecall{
		GroupID: "@TGS#2J4SZEAEL",
		MsgSeqs: seqs, // any number: sent 10 per request, 4 requests at a time
		Reason:  "spam",
	})
	for _, it := range res.Items { // one per seq, in input order, even when err != nil
		if it.Err != nil {
			log.Printf("seq %d: %v", it.MsgSeq, it.Err)
		}
	}
	if errors.Is(err, chatrecall.ErrOutcomeUnknown) {
		log.Print("some request was sent and never answered: check those items again")
	}
	// README:end
}

// Reading history: a one-to-one conversation, newest first, with the state
// of each message.
func ExampleClient_C2CHistory() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Now().Add(-time.Hour).Truncate(time.Minute)
	sent := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 3, From: at, To: at.Add(3 * time.Minute), Seed: 3})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	m := sent[1]
	if _, err := client.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: m.Sender, To: m.To, MsgKey: m.Key}); err != nil {
		log.Fatal(err)
	}
	// Alice's view of her conversation with mallory, newest first.
	for msg, err := range client.C2CHistory(ctx, chatrecall.C2CHistoryQuery{Account: "alice", Peer: "mallory"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(msg.Time.Sub(at), msg.MsgKey == m.Key, msg.State)
	}
	// Output:
	// 2m0s false normal
	// 1m0s true recalled
	// 0s false normal
}

func ExampleClient_OfficialHistory() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Now().Add(-time.Hour).Truncate(time.Minute)
	sent := srv.FillOfficial("@TOA#_news", chatrecalltest.Fill{Messages: 3, From: at, To: at.Add(3 * time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.RecallOfficialAccountMessages(ctx, chatrecall.OfficialAccountRecall{Account: "@TOA#_news", MsgKeys: []string{sent[0].Key}}); err != nil {
		log.Fatal(err)
	}
	for msg, err := range client.OfficialHistory(ctx, chatrecall.OfficialHistoryQuery{Account: "@TOA#_news"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(msg.Time.Sub(at), msg.State)
	}
	// Output:
	// 2m0s normal
	// 1m0s normal
	// 0s recalled
}

// History reads any conversation, whatever its kind: here the last ten
// minutes of a group.
func ExampleClient_History() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillGroup("@TGS#town", chatrecalltest.Fill{Messages: 30, Senders: 3, From: now.Add(-29 * time.Minute), To: now, Seed: 1})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, err := range client.History(context.Background(), chatrecall.Conversation{GroupID: "@TGS#town"}, now.Add(-10*time.Minute+time.Second), time.Time{}, nil) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "messages")
	// Output:
	// 10 messages
}

// A client prints without its secrets, whatever the verb.
func ExampleClient_String() {
	client, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "not-a-real-key", Region: chatrecall.RegionSingapore})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	out := fmt.Sprintf("%v %+v %#v %s", client, client, client, client)
	fmt.Println(bytes.Contains([]byte(out), []byte("not-a-real-key")))
	fmt.Println(client.SDKAppID(), client.Identifier())
	// Output:
	// chatrecall.Client{SDKAppID:1400000000 Identifier:"administrator" Region:singapore Host:adminapisgp.im.qcloud.com}
	// false
	// 1400000000 administrator
}

func ExampleClient_GroupHistory() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	srv.FillGroup("@TGS#h", chatrecalltest.Fill{Messages: 3, Senders: 1, From: at, To: at.Add(3 * time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#h", MsgSeqs: []uint64{2}}); err != nil {
		log.Fatal(err)
	}
	var stats chatrecall.HistoryStats
	for m, err := range client.GroupHistory(context.Background(), chatrecall.GroupHistoryQuery{GroupID: "@TGS#h", Stats: &stats}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.MsgSeq, m.Sender, m.Time.UTC().Format("15:04"), m.State)
	}
	fmt.Println(stats.Stop)
	// Output:
	// 3 user00 09:02 normal
	// 2 user00 09:01 recalled
	// 1 user00 09:00 normal
	// start of history
}

// One request takes back what a sender posted among the group's last 1,000
// messages, silently (members get no recall notice). The answer names no
// messages, so only a read of the history says what went. Package sweep
// uses it only where that takes nothing the caller did not ask for.
func ExampleClient_DeleteGroupMessagesBySender() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.FillGroup("@TGS#flood", chatrecalltest.Fill{Messages: 1500, Senders: 3, From: now.Add(-time.Hour), To: now, Seed: 3})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// On its own: accepted, which says nothing of what went.
	_, err = client.DeleteGroupMessagesBySender(ctx, chatrecall.GroupDeleteBySender{GroupID: "@TGS#flood", Sender: "user01"})
	fmt.Println("accepted:", err == nil)

	// The answer names nothing: read the history back to see what went.
	gone := 0
	for m, err := range client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "@TGS#flood"}) {
		if err != nil {
			log.Fatal(err)
		}
		if m.Sender == "user01" && m.State == chatrecall.MessageRecalled {
			gone++
		}
	}
	fmt.Println("read back gone:", gone > 0)
	// Output:
	// accepted: true
	// read back gone: true
}

// One page of a group's history: the building block package sweep reads
// many of at once.
func ExampleClient_GroupHistoryPage() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	srv.FillGroup("@TGS#p", chatrecalltest.Fill{Messages: 50, Senders: 2, From: at, To: at.Add(50 * time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.GroupHistoryPage(context.Background(), chatrecall.GroupHistoryPageRequest{GroupID: "@TGS#p", Before: 30, Count: 5})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range p.Messages {
		fmt.Print(m.MsgSeq, " ")
	}
	fmt.Println("finished:", p.IsFinished)
	// Output:
	// 26 27 28 29 30 finished: 0
}

func ExampleClient_C2CHistoryPage() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 5, From: at, To: at.Add(5 * time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.C2CHistoryPage(context.Background(), chatrecall.C2CHistoryPageRequest{Account: "alice", Peer: "mallory",
		MinTime: at, MaxTime: at.Add(2 * time.Minute), Count: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range p.Messages {
		fmt.Println(m.Time.UTC().Format("15:04"), m.Sender, "->", m.To)
	}
	fmt.Println("complete:", p.Complete, "next page before", p.LastMsgTime.UTC().Format("15:04"))
	// Output:
	// 09:02 mallory -> alice
	// 09:01 mallory -> alice
	// complete: false next page before 09:01
}

func ExampleClient_OfficialHistoryPage() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	sent := srv.FillOfficial("@TOA#_news", chatrecalltest.Fill{Messages: 3, From: at, To: at.Add(3 * time.Minute)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.OfficialHistoryPage(context.Background(), chatrecall.OfficialHistoryPageRequest{Account: "@TOA#_news", Count: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(p.Messages), p.Messages[0].MsgKey == sent[2].Key, p.LastMsgKey == sent[1].Key)
	// Output:
	// 2 true true
}

// An account posting spam everywhere: mute it for group and one-to-one
// messages, read the mute back, and log it out.
func ExampleClient_SetNoSpeaking() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	forever := chatrecall.MuteSeconds(chatrecall.MuteForever)
	if _, err := client.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "mallory", C2C: forever, Group: forever}); err != nil {
		log.Fatal(err)
	}
	mute, err := client.GetNoSpeaking(ctx, "mallory")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(mute)
	if _, err := client.Kick(ctx, "mallory"); err != nil { // every UserSig issued before stops working
		log.Fatal(err)
	}
	fmt.Println("kicked:", srv.Kicks("mallory"))
	// Output:
	// one-to-one permanent, groups permanent
	// kicked: 1
}

// Discovery: the groups an account is in, live-stream groups included.
func ExampleClient_JoinedGroups() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})
	srv.AddMembers("@TGS#live", "mallory")
	srv.AddMembers("@TGS#town", "mallory", "alice")
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	for g, err := range client.JoinedGroups(context.Background(), "mallory") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(g.GroupID, g.Type)
	}
	// Output:
	// @TGS#live AVChatRoom
	// @TGS#town Public
}

// Discovery: an account's recent conversations, newest first. The list is
// capped (100 by default): never take it for all of them.
func ExampleClient_RecentContacts() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.SendC2CMessage("mallory", "bob", now.Add(-time.Hour))
	srv.SendC2CMessage("carol", "mallory", now.Add(-time.Minute))
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	for ct, err := range client.RecentContacts(context.Background(), "mallory") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ct.Peer)
	}
	// Output:
	// carol
	// bob
}

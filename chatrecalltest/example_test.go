package chatrecalltest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// A fake with a group, a client wired to it, and the state read back.
func ExampleNewServer() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#demo", 1, 2, 3)

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#demo", MsgSeqs: []uint64{1, 2}})
	fmt.Println(res.Summary().Recalled, err)
	fmt.Println(srv.GroupMessage("@TGS#demo", 1), srv.GroupMessage("@TGS#demo", 3))
	// Output:
	// 2 <nil>
	// recalled present
}

// The hardest fault for a client: the service applies the recall, then the
// answer is lost. The retry hears "already recalled", and the client
// reports the recall done, confirmed by the retry.
func ExampleServer_FailNext() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("alice", "bob", "1_2_3")
	srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultLost})

	client, _ := chatrecall.NewClient(srv.Config())
	res, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"})
	fmt.Println(res.ConfirmedByRetry, err)
	for _, r := range srv.Requests() {
		fmt.Printf("fault %q, applied %v, code %d\n", r.Fault, r.Applied, r.Code)
	}
	// Output:
	// true <nil>
	// fault "lost", applied true, code 0
	// fault "", applied false, code 20023
}

// A service code that comes after the service acted: 91000, "internal
// error, retry". With retries off the client cannot know, and says so.
func ExampleServer_FailNext_appliedCode() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("alice", "bob", "1_2_3")
	srv.FailNext(chatrecall.EndpointC2CRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: 91000})

	client, _ := chatrecall.NewClient(srv.Config(), chatrecall.WithRetry(chatrecall.NoRetry()))
	_, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"})
	fmt.Println(errors.Is(err, chatrecall.ErrOutcomeUnknown), srv.C2CMessage("1_2_3"))
	// Output:
	// true recalled
}

// A seeded mix of faults; the same seed gives the same faults in the same
// order of requests.
func ExampleServer_FailRandomly() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, 100)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#storm", seqs...)
	srv.FailRandomly(chatrecall.EndpointGroupRecall, 42,
		chatrecalltest.Chance{P: 0.2, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		chatrecalltest.Chance{P: 0.1, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}})

	client, _ := chatrecall.NewClient(srv.Config(), chatrecall.WithConcurrency(1),
		chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	res, _ := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#storm", MsgSeqs: seqs})
	s := res.Summary()
	fmt.Println(s.Total, s.Recalled+s.Failed+s.Unknown+s.NotSent == s.Total, len(srv.RecalledGroupMessages("@TGS#storm")) >= s.Recalled)
	// Output:
	// 100 true true
}

// A host that accepts connections and never completes TLS: a request to
// it was never sent, so it cannot have taken effect.
func ExampleNewUnresponsivePeer() {
	peer := chatrecalltest.NewUnresponsivePeer()
	defer peer.Close()

	client, _ := chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "key", BaseURL: peer.URL},
		chatrecall.WithTimeout(200*time.Millisecond), chatrecall.WithRetry(chatrecall.NoRetry()))
	_, err := client.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "1_2_3"})
	fmt.Println(errors.Is(err, chatrecall.ErrNotSent), errors.Is(err, chatrecall.ErrOutcomeUnknown))
	// Output:
	// true false
}

package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/webhook"
)

// The fake service calls back as Tencent does, signed with the token.
func ExampleNewHandler() {
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "callback-token"})
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	h.OnGroupAfterSend(func(_ context.Context, e *webhook.GroupAfterSend) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s sent seq %d in %s", e.From, e.MsgSeq, e.GroupID))
		return nil
	})
	receiver := &settled{h: h}               // waits for dispatch: the handler answers Tencent first
	endpoint := httptest.NewServer(receiver) // in production: http.Handle("/chat/callback", h)
	defer endpoint.Close()

	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(endpoint.URL, "callback-token"))
	defer srv.Close()
	srv.SendGroupMessage("@TGS#live", "spammer", time.Now())
	srv.WaitCallbacks()
	receiver.wait()
	fmt.Println(seen)
	// Output:
	// [spammer sent seq 1 in @TGS#live]
}

// A live-stream group (AVChatRoom) keeps no history: what a sender posted is
// known only from the after-send callbacks a ledger recorded. The plan comes
// from the ledger, and so does the verification, from the after-recall
// callbacks.
func ExampleSweepPlan() {
	ledger := webhook.NewMemoryLedger(0, 0)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "callback-token"})
	if err != nil {
		log.Fatal(err)
	}
	webhook.Record(h, ledger, nil)
	receiver := &settled{h: h} // waits for dispatch: the handler answers Tencent first
	endpoint := httptest.NewServer(receiver)
	defer endpoint.Close()

	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(endpoint.URL, "callback-token"))
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom"})
	start := time.Now().Add(-10 * time.Minute).Truncate(time.Second) // callbacks carry whole seconds
	for i := range 6 {
		srv.SendGroupMessage("@TGS#live", []string{"spammer", "alice"}[i%2], start.Add(time.Duration(i)*time.Minute))
	}
	srv.WaitCallbacks()
	receiver.wait()

	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	live := chatrecall.Conversation{GroupID: "@TGS#live"}
	plan, err := webhook.SweepPlan(ctx, ledger, live, sweep.Filter{Senders: []string{"spammer"}, Since: start})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := sweep.New(client, func(o *sweep.Options) { o.SkipVerify = true }).Apply(ctx, slices.Values(plan))
	if err != nil {
		log.Fatal(err)
	}
	srv.WaitCallbacks() // the after-recall callbacks
	receiver.wait()
	verifier := sweep.New(client, func(o *sweep.Options) { o.Verifier = webhook.LedgerVerifier{Ledger: ledger} })
	if err := verifier.Verify(ctx, rep); err != nil {
		log.Fatal(err)
	}
	s := rep.Summary()
	fmt.Println("planned", len(plan), "recalled", s.Recalled, "verified", s.Verified)
	// Output:
	// planned 3 recalled 3 verified 3
}

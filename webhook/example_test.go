package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"slices"
	"strings"
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

// A production receiver: the token, a pool sized for slow ledgers, and the
// numbers to alert on. A callback with a wrong Sign is refused, and counted
// by reason (with the otel module, chatrecall.webhook.refused{reason}).
func ExampleHandler_Stats() {
	h, err := webhook.NewHandler(webhook.Config{
		SDKAppID: chatrecalltest.DefaultSDKAppID,
		Token:    "callback-token", // the console's callback authentication token
		Workers:  32,               // event functions at once: size for the ledger's latency
		Queue:    50_000,           // callbacks waiting for a worker; beyond, answered and counted as overflow
	})
	if err != nil {
		log.Fatal(err)
	}
	receiver := &settled{h: h}
	endpoint := httptest.NewServer(receiver)
	defer endpoint.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(endpoint.URL, "not-the-token")) // a misconfigured console
	defer srv.Close()
	srv.SendGroupMessage("@TGS#g", "alice", time.Now())
	srv.WaitCallbacks()
	receiver.wait()
	st := h.Stats()
	// Alert on any refusal (a wrong token refuses every callback) and on
	// any overflow: each is a message the ledger does not know of.
	fmt.Println("refused:", st.Refusals, "overflow:", st.Overflow)
	// Output:
	// refused: map[bad_sign:1] overflow: 0
}

// Moderation verdicts that recall: a blocked message named by the cloud
// moderation's ResultNotify is recalled, in the conversations allowed, and
// every verdict gets an outcome.
func ExampleNewVerdictRecaller() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	key := srv.SendC2CMessage("spammer", "bob", time.Now())
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	v, err := webhook.NewVerdictRecaller(client, webhook.VerdictOptions{
		Allow: func(c chatrecall.Conversation) bool { return c.Kind() == chatrecall.KindC2C }, // one-to-one only
		Outcome: func(o webhook.VerdictOutcome) {
			fmt.Println(strings.TrimSpace(o.Result + " " + o.Conversation.String() + " " + o.Why))
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID})
	if err != nil {
		log.Fatal(err)
	}
	h.OnResultNotify(v.Handle)
	post := func(body string) {
		r := httptest.NewRequest("POST", "/cb?SdkAppid=1400000000&CallbackCommand=ContentCallback.ResultNotify", strings.NewReader(body))
		h.ServeHTTP(httptest.NewRecorder(), r)
		h.Wait()
		v.Wait()
	}
	post(`{"Scene":"C2C","From_Account":"spammer","ContactItem":{"ContactType":1,"To_Account":"bob"},"MsgID":"` + key + `","CtxcbResult":1,"CtxcbRequestId":"r1"}`)
	post(`{"Scene":"Group","From_Account":"spammer","ContactItem":{"ContactType":2,"ToGroupId":"@TGS#g"},"MsgID":"7","CtxcbResult":1,"CtxcbRequestId":"r2"}`)
	fmt.Println("recalled in the fake:", srv.C2CMessage(key) == chatrecalltest.MessageRecalled)
	// Output:
	// recalled one-to-one "spammer" and "bob"
	// skipped group "@TGS#g" not allowed: group "@TGS#g" is outside VerdictOptions.Allow
	// recalled in the fake: true
}

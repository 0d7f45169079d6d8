package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall/webhook"
)

// FuzzCallback: any body under any command is answered 200 or 400, never
// a panic, and a dispatched event always carries its command.
func FuzzCallback(f *testing.F) {
	for _, seed := range []struct{ command, body string }{
		{webhook.CommandGroupAfterSend, groupSample},
		{webhook.CommandC2CAfterSend, `{"CallbackCommand":"C2C.CallbackAfterSendMsg","MsgKey":"1_2_3","SendMsgResult":0}`},
		{webhook.CommandGroupAfterRecall, `{"CallbackCommand":"Group.CallbackAfterRecallMsg","MsgSeqList":[{"MsgSeq":1}],"EventTime":1}`},
		{webhook.CommandOfficialAfterWithdraw, `{"WithdrawMsgList":[{"MsgKey":"k"}],"EventTime":"12"}`},
		{"State.StateChange", `{}`},
		{webhook.CommandGroupAfterSend, `{"MsgSeq":-1,"EventTime":"x"}`},
	} {
		f.Add(seed.command, seed.body)
	}
	f.Fuzz(func(t *testing.T, command, body string) {
		h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return now }, DedupeSize: 16})
		if err != nil {
			t.Fatal(err)
		}
		check := func(m webhook.Meta) {
			if m.Command != command {
				t.Fatalf("dispatched %q for %q", m.Command, command)
			}
		}
		h.OnGroupAfterSend(func(_ context.Context, e *webhook.GroupAfterSend) error { check(e.Meta); return nil })
		h.OnC2CAfterSend(func(_ context.Context, e *webhook.C2CAfterSend) error { check(e.Meta); return nil })
		h.OnGroupAfterRecall(func(_ context.Context, e *webhook.GroupAfterRecall) error { check(e.Meta); return nil })
		h.OnOther(func(_ context.Context, e *webhook.Other) error { check(e.Meta); return nil })
		webhook.Record(h, webhook.NewMemoryLedger(10, 0), nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callback(command, body, nil))
		h.Wait()
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", w.Code)
		}
	})
}

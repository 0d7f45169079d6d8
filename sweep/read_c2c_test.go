package sweep_test

import (
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
)

// TestC2CReadListsEachMessageOnce: under short, empty, stale and failed
// pages, while slices are cut, with and without history lag, a one-to-one
// plan never lists a message twice. (A stuck page could list seconds
// below the slice's cursor; a cut then gave them to a new slice, or a
// short page moved the cursor past the memory of them, and they were
// listed again.)
func TestC2CReadListsEachMessageOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		seeds uint64
		opts  []chatrecalltest.Option
	}{
		{"no lag", 100, nil},
		{"lag", 400, []chatrecalltest.Option{chatrecalltest.WithHistoryLag(1500 * time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < tc.seeds; seed++ {
				srv, client, clock := fake(t, tc.opts...)
				srv.FillC2C("mallory", "peer", chatrecalltest.Fill{Messages: 3, From: epoch.Add(-2 * time.Hour), To: epoch.Add(-time.Minute), Seed: seed})
				srv.FailRandomly(chatrecall.EndpointC2CHistory, seed,
					chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
					chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}},
					chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
					chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
					chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
				)
				seen := map[string]bool{}
				conv, f := chatrecall.Conversation{Account: "mallory", Peer: "peer"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-2 * time.Hour)}
				for it, err := range sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).Plan(bg, conv, f, nil) {
					if err != nil {
						continue
					}
					if seen[it.MsgKey] {
						t.Fatalf("seed %d: %s listed twice", seed, it.MsgKey)
					}
					seen[it.MsgKey] = true
				}
				srv.Close()
			}
		})
	}
}

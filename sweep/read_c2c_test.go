package sweep_test

import (
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
)

// TestC2CReadListsEachMessageOnce: under short, empty, stale and failed
// pages, while slices are cut, a one-to-one plan never lists a message
// twice. (A stuck page could list seconds below the slice's cursor; a cut
// then gave them to a new slice, which listed them again.)
func TestC2CReadListsEachMessageOnce(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		srv, client, clock := fake(t)
		srv.FillC2C("mallory", "peer", chatrecalltest.Fill{Messages: 3, From: epoch.Add(-2 * time.Hour), To: epoch.Add(-time.Minute), Seed: seed})
		srv.FailRandomly(chatrecall.EndpointC2CHistory, seed,
			chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
			chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}},
			chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
			chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
			chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		)
		seen := map[string]bool{}
		for it, err := range sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).Plan(bg, chatrecall.Conversation{Account: "mallory", Peer: "peer"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-2 * time.Hour)}, nil) {
			if err != nil {
				continue
			}
			if seen[it.MsgKey] {
				t.Errorf("seed %d: dup %s", seed, it.MsgKey)
				return
			}
			seen[it.MsgKey] = true
		}
		srv.Close()
	}
}

// TestC2CReadListsEachMessageOnceUnderLag: as above, with history lag; a
// stuck page's messages below the cursor, then a short page, listed a
// message twice before the slice kept every key below its cursor.
func TestC2CReadListsEachMessageOnceUnderLag(t *testing.T) {
	for seed := uint64(0); seed < 400; seed++ {
		srv, client, clock := fake(t, chatrecalltest.WithHistoryLag(1500*time.Millisecond))
		srv.FillC2C("mallory", "peer", chatrecalltest.Fill{Messages: 3, From: epoch.Add(-2 * time.Hour), To: epoch.Add(-time.Minute), Seed: seed})
		srv.FailRandomly(chatrecall.EndpointC2CHistory, seed,
			chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultShortPage}},
			chatrecalltest.Chance{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultEmptyPage}},
			chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultStalePage}},
			chatrecalltest.Chance{P: 0.03, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
			chatrecalltest.Chance{P: 0.02, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		)
		seen := map[string]bool{}
		for it, err := range sweep.New(client, func(o *sweep.Options) { o.Clock = clock }).Plan(bg, chatrecall.Conversation{Account: "mallory", Peer: "peer"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-2 * time.Hour)}, nil) {
			if err != nil {
				continue
			}
			if seen[it.MsgKey] {
				t.Errorf("seed %d: dup %s", seed, it.MsgKey)
				return
			}
			seen[it.MsgKey] = true
		}
		srv.Close()
	}
}

package pushback_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/pushback"
)

// A wrong push went out half an hour ago: revoke it with a correction,
// and see how far it got.
func ExampleTakeBackPush() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	id := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "Tag", Title: "50% off", SchedAt: time.Now().Add(-30 * time.Minute), Reach: 1000})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	rep, err := pushback.TakeBackPush(context.Background(), client, pushback.Request{
		SchedTaskID: id,
		Overwrite:   &chatrecall.OfflinePushInfo{Title: "Correction", Desc: "Please ignore the last message"},
	}, pushback.Options{OnStep: func(s pushback.Step) { fmt.Println(s.Name, s.Outcome) }})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("revoked:", rep.Revoked, "targeted:", rep.Statistics.Total)
	// Output:
	// read done
	// revoke done
	// statistics done
	// revoked: true targeted: 1000
}

package chatrecall_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// Find a scheduled push by a word of its title, and delete it while it is
// still pending.
func ExampleClient_ListPushSchedTasks() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale", SchedAt: now.Add(time.Hour)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	list, err := client.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: now, End: now.Add(24 * time.Hour), Keyword: "sale"})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range list.Tasks {
		fmt.Println(t.TaskID, t.Title, "pending:", t.Pending())
	}
	// Output:
	// 1 Flash sale pending: true
}

// Read a scheduled task, and delete it if it has not started going out.
func ExampleClient_DeletePushSchedTask() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	id := srv.AddSchedTask(chatrecalltest.SchedTask{Title: "Flash sale"})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	task, err := client.GetPushSchedTask(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	if task.Pending() {
		_, err = client.DeletePushSchedTask(ctx, id, task.Type) // ErrDispatching if it started meanwhile
		fmt.Println("deleted:", err == nil)
	}
	// Output:
	// deleted: true
}

// How far a push got: its statistics, and one user's trace.
func ExampleClient_PushStatistics() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	now := time.Now()
	id := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "Tag", SchedAt: now.Add(-time.Hour), Users: []string{"alice"}, Reach: 500})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	task, err := client.GetPushSchedTask(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := client.PushStatistics(ctx, task.PushTaskID, now.Add(-2*time.Hour), now)
	if err != nil {
		log.Fatal(err)
	}
	trace, err := client.PushTrace(ctx, task.PushTaskID, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("targeted:", stats.Total, "alice's devices:", len(trace))
	// Output:
	// targeted: 500 alice's devices: 1
}

// A scheduled task that went out has the push task it became.
func ExampleClient_GetPushSchedTask() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	id := srv.AddSchedTask(chatrecalltest.SchedTask{Type: "Tag", SchedAt: time.Now().Add(-time.Hour)})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	task, err := client.GetPushSchedTask(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending:", task.Pending(), "push task:", task.PushTaskID)
	// Output:
	// pending: false push task: push-1
}

// One user's trace of a push: which devices it reached, and how.
func ExampleClient_PushTrace() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddSchedTask(chatrecalltest.SchedTask{SchedAt: time.Now().Add(-time.Hour), Users: []string{"alice"}})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	trace, err := client.PushTrace(context.Background(), "push-1", "alice")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range trace {
		fmt.Println(e.Platform, e.NotificationStatus)
	}
	// Output:
	// APNs delivered
}

// Command bulkbench recalls 10,000 group messages (1,000 requests) through
// a chatrecalltest server that enforces the documented 200 requests/s, and
// prints the wall time, the requests, the rate-limit rejections and the
// ratio to the 5.0 s floor the service's limit sets.
//
//	go run ./internal/cmd/bulkbench
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

func main() {
	n := flag.Int("n", 10000, "messages to recall")
	conc := flag.Int("concurrency", chatrecall.DefaultConcurrency, "requests in flight")
	flag.Parse()

	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, *n)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#bulk", seqs...)
	client, err := chatrecall.NewClient(srv.Config(), chatrecall.WithConcurrency(*conc))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	res, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#bulk", MsgSeqs: seqs})
	wall := time.Since(start)
	requests := len(srv.RequestsTo(chatrecall.EndpointGroupRecall))
	// The floor the service's limit sets: requests / 200 per second.
	floor := time.Duration(float64(requests) / 200 * float64(time.Second))
	fmt.Printf("items      %d (%d recalled)\n", *n, res.Summary().Recalled)
	fmt.Printf("requests   %d\n", requests)
	fmt.Printf("rejections %d (rate limited by the server)\n", srv.RateLimited())
	fmt.Printf("wall       %s\n", wall.Round(time.Millisecond))
	fmt.Printf("floor      %s (the service's 200/s)\n", floor.Round(time.Millisecond))
	fmt.Printf("ratio      %.3f\n", wall.Seconds()/floor.Seconds())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

package takedown_test

import (
	"context"
	"fmt"
	"log"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/takedown"
)

// Contain an account taken over: it was muted in groups for ten minutes
// already; it is muted everywhere until undone (never shortened), and
// logged out. The receipt undoes it later.
func ExampleContain() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.SetNoSpeakingState("mallory", 0, 600)
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	receipt, err := takedown.Contain(ctx, client, "mallory", takedown.ContainOptions{})
	if err != nil {
		log.Fatal(err) // the receipt is returned beside the error: keep it
	}
	c2c, group := srv.NoSpeaking("mallory")
	fmt.Println("groups muted before:", receipt.Before.Group > 590, "kicked:", receipt.Kicked)
	fmt.Println("now permanent:", c2c == chatrecall.MuteForever && group == chatrecall.MuteForever)

	// The incident is over: restore what was there.
	if _, err := takedown.Undo(ctx, client, receipt, nil); err != nil {
		log.Fatal(err)
	}
	c2c, group = srv.NoSpeaking("mallory")
	fmt.Println("after undo:", c2c, group > 590 && group <= 600)
	// Output:
	// groups muted before: true kicked: true
	// now permanent: true
	// after undo: 0 true
}

package chatrecall_test

import (
	"context"
	"fmt"
	"log"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// Mute an account in one group, and read the group's mutes back.
func ExampleClient_MuteInGroup() {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#lobby"})
	client, err := chatrecall.NewClient(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.MuteInGroup(ctx, chatrecall.GroupMute{GroupID: "@TGS#lobby", Accounts: []string{"mallory"}, Seconds: chatrecall.MuteForever}); err != nil {
		log.Fatal(err)
	}
	muted, err := client.GroupMutedAccounts(ctx, "@TGS#lobby", "")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range muted {
		fmt.Println(m.Account, "muted for good:", m.Until.Unix() == int64(chatrecall.MuteForever))
	}
	// Output:
	// mallory muted for good: true
}

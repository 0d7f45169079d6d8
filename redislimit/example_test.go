package redislimit_test

import (
	"context"
	"log"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/redislimit"
)

// A fleet of replicas shares the app's limits through Redis. (No Output
// line: it needs a Redis server and the real service, so it is compiled,
// not run.)
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()

	client, err := chatrecall.NewClient(chatrecall.Config{
		SDKAppID:  1400000000,
		SecretKey: os.Getenv("CHATRECALL_SECRET_KEY"),
		Region:    chatrecall.RegionSingapore,
	}, chatrecall.WithLimiter(redislimit.New(rdb)))
	if err != nil {
		log.Fatal(err)
	}
	// At most 1 revoke per second for the whole app, whichever replica asks.
	if _, err := client.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: os.Getenv("TASK_ID")}); err != nil {
		log.Print(err)
	}
}

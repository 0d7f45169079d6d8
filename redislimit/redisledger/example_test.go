package redisledger_test

import (
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/chatrecall/chatrecall/redislimit/redisledger"
	"github.com/chatrecall/chatrecall/webhook"
)

// Every replica of a webhook receiver records into the same Redis, so a
// sweep planned from any of them (webhook.SweepPlan) sees every message.
// (No Output line: it needs a Redis server and Tencent's callbacks, so it is
// compiled, not run.)
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()

	h, err := webhook.NewHandler(webhook.Config{SDKAppID: 1400000000, Token: os.Getenv("CALLBACK_TOKEN")})
	if err != nil {
		log.Fatal(err)
	}
	webhook.Record(h, redisledger.New(rdb), slog.Default())
	http.Handle("/chat/callback", h)
	log.Fatal(http.ListenAndServe(":8080", nil))
}

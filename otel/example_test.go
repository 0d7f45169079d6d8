package otel_test

import (
	"context"
	"fmt"
	"log"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	chatrecallotel "github.com/chatrecall/chatrecall/otel"
)

// A client instrumented with a tracer provider: one span per operation,
// one child per HTTP attempt. Without WithTracerProvider and
// WithMeterProvider, the global providers are used.
func ExampleInstrument() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#spam", 1, 2, 3)
	client, err := chatrecall.NewClient(srv.Config(), chatrecallotel.Instrument(chatrecallotel.WithTracerProvider(tp)))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#spam", MsgSeqs: []uint64{1, 2, 3}}); err != nil {
		log.Fatal(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// POST group_msg_recall
	// chatrecall.RecallGroupMessages
}

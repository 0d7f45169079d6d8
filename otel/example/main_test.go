package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsReachPrometheus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- serve(context.Background(), ln) }()
	var body string
	for i := 0; i < 100 && body == ""; i++ { // serve recalls first, then listens
		resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
	}
	require.NoError(t, ln.Close())
	<-done
	assert.Contains(t, body, `chatrecall_items_total{chatrecall_endpoint="group_msg_recall",chatrecall_outcome="recalled"`)
	assert.Contains(t, body, `chatrecall_outcome="gone"`)
	assert.Contains(t, body, "chatrecall_operation_duration_seconds_bucket")
}

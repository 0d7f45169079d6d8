// Command example exports chatrecall's metrics to Prometheus through the
// OpenTelemetry Prometheus exporter. It recalls a few messages from the
// built-in fake service, then serves /metrics:
//
//	go run ./otel/example -addr 127.0.0.1:9464
//	curl -s 127.0.0.1:9464/metrics | grep chatrecall_
//
// In a service, the two lines that matter are the MeterProvider with the
// exporter and chatrecallotel.Instrument in NewClient.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	chatrecallotel "github.com/chatrecall/chatrecall/otel"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9464", "where to serve /metrics")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "serving http://%s/metrics\n", ln.Addr())
	log.Fatal(serve(context.Background(), ln))
}

// serve recalls from a fake service with an instrumented client, then
// serves the metrics on ln until it fails.
func serve(ctx context.Context, ln net.Listener) error {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	fake := chatrecalltest.NewServer()
	defer fake.Close()
	fake.AddGroupMessages("@TGS#demo", 1, 2, 3)
	client, err := chatrecall.NewClient(fake.Config(), chatrecallotel.Instrument(chatrecallotel.WithMeterProvider(mp)))
	if err != nil {
		return err
	}
	// Three recalled, one gone (it never existed).
	_, _ = client.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#demo", MsgSeqs: []uint64{1, 2, 3, 4}})

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return http.Serve(ln, mux)
}

package otel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	chatrecallotel "github.com/chatrecall/chatrecall/otel"
	"github.com/chatrecall/chatrecall/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) option() chatrecall.Option {
	return chatrecallotel.Instrument(chatrecallotel.WithTracerProvider(tel.tp), chatrecallotel.WithMeterProvider(tel.mp))
}

// sums returns the values of a counter by the value of one attribute.
func (tel *telemetry) sums(t *testing.T, name string, key attribute.Key) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, chatrecallotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value(key)
				out[v.String()] += dp.Value
			}
		}
	}
	return out
}

func (tel *telemetry) histogramCount(t *testing.T, name string) uint64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
					n += dp.Count
				}
			}
		}
	}
	return n
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestGroupRecallSpanTreeAndMetrics: 25 seqs (3 requests) against the fake,
// one answered 502 and retried.
func TestGroupRecallSpanTreeAndMetrics(t *testing.T) {
	tel := newTelemetry(t)
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	seqs := make([]uint64, 25)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#g", seqs...)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502})
	c, err := chatrecall.NewClient(srv.Config(), tel.option(),
		chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	require.NoError(t, err)

	parentCtx, parent := tel.tp.Tracer("caller").Start(context.Background(), "handle incident")
	res, err := c.RecallGroupMessages(parentCtx, chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: seqs})
	parent.End()
	require.NoError(t, err)
	require.Equal(t, 25, res.Summary().Recalled)

	var op sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		switch {
		case s.Name() == "chatrecall.RecallGroupMessages":
			require.Nil(t, op, "one operation span")
			op = s
		case strings.HasPrefix(s.Name(), "POST "):
			attempts = append(attempts, s)
		}
	}
	require.NotNil(t, op)
	assert.Equal(t, parent.SpanContext().SpanID(), op.Parent().SpanID(), "a child of the caller's span")
	assert.Equal(t, codes.Unset, op.Status().Code)
	v, _ := attr(op, "chatrecall.items.recalled")
	assert.EqualValues(t, 25, v.AsInt64())
	require.Len(t, attempts, 4, "3 requests and 1 retry")
	var resent, failed int
	for _, a := range attempts {
		assert.Equal(t, op.SpanContext().SpanID(), a.Parent().SpanID(), "attempts are children of the operation")
		assert.Equal(t, "POST group_msg_recall", a.Name())
		host, _ := attr(a, "server.address")
		assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), host.AsString())
		if v, ok := attr(a, "http.request.resend_count"); ok {
			assert.EqualValues(t, 1, v.AsInt64())
			resent++
		}
		if v, ok := attr(a, "error.type"); ok {
			assert.Equal(t, "temporary", v.AsString())
			status, _ := attr(a, "http.response.status_code")
			assert.EqualValues(t, 502, status.AsInt64())
			assert.Equal(t, codes.Error, a.Status().Code)
			failed++
		}
		assert.False(t, a.StartTime().Before(op.StartTime()))
		assert.False(t, a.EndTime().After(op.EndTime()))
	}
	assert.Equal(t, 1, resent)
	assert.Equal(t, 1, failed)

	assert.Equal(t, map[string]int64{"recalled": 25}, tel.sums(t, "chatrecall.items", chatrecallotel.OutcomeKey))
	assert.Equal(t, map[string]int64{"": 3, "temporary": 1}, tel.sums(t, "chatrecall.attempts", "error.type"))
	assert.Empty(t, tel.sums(t, "chatrecall.errors", "error.type"))
	assert.EqualValues(t, 1, tel.histogramCount(t, "chatrecall.operation.duration"))
	assert.EqualValues(t, 4, tel.histogramCount(t, "chatrecall.ratelimit.wait"))
}

// TestOutcomesAndErrorsByCategory: gone, failed and unknown items are
// counted apart; a failing call counts one error of its category.
func TestOutcomesAndErrorsByCategory(t *testing.T) {
	tel := newTelemetry(t)
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#g"})
	srv.AddGroupMessages("@TGS#g", 1, 2)
	srv.FailNext(chatrecall.EndpointGroupRecall, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultOmit})
	c, err := chatrecall.NewClient(srv.Config(), tel.option(), chatrecall.WithRetry(chatrecall.NoRetry()))
	require.NoError(t, err)
	_, err = c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#g", MsgSeqs: []uint64{1, 3, 2}})
	require.Error(t, err)
	// seq 1 recalled; seq 3 never existed (gone); seq 2, last, recalled but
	// left out of the answer (unknown, with retries off).
	assert.Equal(t, map[string]int64{"recalled": 1, "unknown": 1, "gone": 1}, tel.sums(t, "chatrecall.items", chatrecallotel.OutcomeKey))
	assert.Equal(t, map[string]int64{"outcome_unknown": 1}, tel.sums(t, "chatrecall.errors", "error.type"))
}

// TestCancelledCallEndsItsSpanWithTheContextError.
func TestCancelledCallEndsItsSpanWithTheContextError(t *testing.T) {
	tel := newTelemetry(t)
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddC2CMessage("a", "b", "k")
	c, err := chatrecall.NewClient(srv.Config(), tel.option())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "a", To: "b", MsgKey: "k"})
	require.ErrorIs(t, err, context.Canceled)
	spans := tel.spans.Ended()
	require.Len(t, spans, 1, "no attempt was made")
	assert.Equal(t, "chatrecall.RecallC2CMessage", spans[0].Name())
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	assert.Contains(t, spans[0].Status().Description, "context canceled")
	et, _ := attr(spans[0], "error.type")
	assert.Equal(t, "canceled", et.AsString())
	assert.Equal(t, map[string]int64{"not_sent": 1}, tel.sums(t, "chatrecall.items", chatrecallotel.OutcomeKey))
}

// TestNoIDsInAttributes: no span or metric attribute carries a group, user,
// message or push ID.
func TestNoIDsInAttributes(t *testing.T) {
	tel := newTelemetry(t)
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	srv.AddGroupMessages("@TGS#secretgroup", 424242)
	srv.AddC2CMessage("alice-user", "bob-user", "77_88_99")
	c, err := chatrecall.NewClient(srv.Config(), tel.option())
	require.NoError(t, err)
	_, _ = c.RecallGroupMessages(context.Background(), chatrecall.GroupRecall{GroupID: "@TGS#secretgroup", MsgSeqs: []uint64{424242}})
	_, _ = c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "alice-user", To: "bob-user", MsgKey: "77_88_99"})
	var all []string
	for _, s := range tel.spans.Ended() {
		for _, kv := range s.Attributes() {
			all = append(all, kv.Value.String())
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			all = append(all, m.Name)
		}
	}
	joined := strings.Join(all, " ")
	for _, id := range []string{"secretgroup", "424242", "alice-user", "bob-user", "77_88_99"} {
		assert.NotContains(t, joined, id)
	}
}

// The benchmarks measure what instrumentation adds to a group recall.
func benchClient(b *testing.B, opts ...chatrecall.Option) *chatrecall.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RecallRetList":[{"MsgSeq":100,"RetCode":0},{"MsgSeq":101,"RetCode":0}]}`)
	}))
	b.Cleanup(srv.Close)
	base := []chatrecall.Option{chatrecall.WithRateLimit(chatrecall.EndpointGroupRecall, 1e9, time.Second),
		chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil))}
	c, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: 1400000000, SecretKey: "k", BaseURL: srv.URL}, append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchRecall(b *testing.B, c *chatrecall.Client) {
	r := chatrecall.GroupRecall{GroupID: "@TGS#2J4SZEAEL", MsgSeqs: []uint64{100, 101}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.RecallGroupMessages(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGroupRecallPlain(b *testing.B) { benchRecall(b, benchClient(b)) }

func BenchmarkGroupRecallInstrumented(b *testing.B) {
	tp := sdktrace.NewTracerProvider() // spans are recorded and dropped: no exporter
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	benchRecall(b, benchClient(b, chatrecallotel.Instrument(chatrecallotel.WithTracerProvider(tp), chatrecallotel.WithMeterProvider(mp))))
}

// TestWebhookSpansAndEvents: a callback's span is the parent of what its
// event function does; callbacks are counted by command and result; an
// unknown command is counted as _OTHER.
func TestWebhookSpansAndEvents(t *testing.T) {
	tel := newTelemetry(t)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, Token: "tok",
		Observe: chatrecallotel.WebhookObserver(chatrecallotel.WithTracerProvider(tel.tp), chatrecallotel.WithMeterProvider(tel.mp))})
	require.NoError(t, err)
	var inner trace.SpanContext
	h.OnGroupAfterSend(func(ctx context.Context, e *webhook.GroupAfterSend) error {
		_, span := tel.tp.Tracer("app").Start(ctx, "record")
		inner = span.SpanContext()
		span.End()
		return nil
	})
	var inFlight sync.WaitGroup // the handler answers first and dispatches after
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Done()
		h.ServeHTTP(w, r)
	}))
	defer receiver.Close()
	srv := chatrecalltest.NewServer(chatrecalltest.WithCallback(receiver.URL, "tok"))
	defer srv.Close()
	srv.SendGroupMessage("@TGS#g", "alice", time.Now())
	resp, err := http.Post(receiver.URL+"?SdkAppid=1&CallbackCommand=Evil.Command", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	srv.WaitCallbacks()
	inFlight.Wait()
	h.Wait()

	var cb sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == "chatrecall.webhook Group.CallbackAfterSendMsg" {
			cb = s
		}
	}
	require.NotNil(t, cb)
	assert.Equal(t, trace.SpanKindServer, cb.SpanKind())
	var record sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.SpanContext().SpanID() == inner.SpanID() {
			record = s
		}
	}
	require.NotNil(t, record)
	assert.Equal(t, cb.SpanContext().SpanID(), record.Parent().SpanID(), "the event function runs under the callback's span")
	assert.Equal(t, map[string]int64{"dispatched": 1, "refused": 1}, tel.sums(t, "chatrecall.webhook.events", chatrecallotel.WebhookResultKey))
	assert.Equal(t, map[string]int64{webhook.RefusedWrongApp: 1}, tel.sums(t, "chatrecall.webhook.refused", chatrecallotel.WebhookRefusalKey), "refusals by reason")
	assert.Equal(t, map[string]int64{"Group.CallbackAfterSendMsg": 1, "_OTHER": 1}, tel.sums(t, "chatrecall.webhook.events", chatrecallotel.WebhookCommandKey))
}

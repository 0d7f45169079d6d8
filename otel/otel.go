// Package otel instruments chatrecall clients with OpenTelemetry traces and
// metrics, following the OpenTelemetry contrib conventions: it depends on
// the OpenTelemetry API only (your service brings the SDK and exporters),
// takes a TracerProvider and a MeterProvider (the global ones by default),
// names its tracer and meter after this package, and pins its semantic
// conventions to semconv v1.40.0.
//
//	client, err := chatrecall.NewClient(cfg, chatrecallotel.Instrument())
//
// (imported as chatrecallotel "github.com/chatrecall/chatrecall/otel").
//
// Spans: one per method call (chatrecall.RecallGroupMessages, ...), a child of
// the caller's span, and under it one client span per HTTP attempt with
// http.request.resend_count, server.address, http.response.status_code,
// error.type (the SDK's error category) and the service's code. A record
// lookup made by OverrideTPNSPush or by a TPNS stop whose answer was lost is a
// child operation of its own.
//
// Metrics:
//
//	chatrecall.operation.duration  histogram, s   chatrecall.method, error.type
//	chatrecall.attempts            counter         chatrecall.endpoint, error.type
//	chatrecall.errors              counter         chatrecall.method, error.type
//	chatrecall.items               counter         chatrecall.endpoint, chatrecall.outcome
//	chatrecall.ratelimit.wait      histogram, s    chatrecall.endpoint
//	chatrecall.webhook.events      counter         chatrecall.webhook.command, chatrecall.webhook.result
//
// Webhooks: WebhookObserver, set as webhook.Config.Observe, makes a server
// span per callback ("chatrecall.webhook Group.CallbackAfterSendMsg"), the
// parent of whatever the event function does, and counts callbacks by
// command and result (dispatched, repeat, refused). A command this package
// does not know is counted as "_OTHER": the query is not trusted input.
//
// chatrecall.outcome is recalled, gone (the service says the item is not
// there), failed, unknown or not_sent. No attribute carries a group, user,
// message or push ID: they are unbounded, and personal data.
package otel

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/webhook"
)

// ScopeName is the instrumentation scope: the tracer's and the meter's name.
const ScopeName = "github.com/chatrecall/chatrecall/otel"

// Attribute keys of this package (besides the semantic conventions').
const (
	MethodKey   = attribute.Key("chatrecall.method")
	EndpointKey = attribute.Key("chatrecall.endpoint")
	OutcomeKey  = attribute.Key("chatrecall.outcome")
	CodeKey     = attribute.Key("chatrecall.code")
	ItemsKey    = attribute.Key("chatrecall.items")
)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// Option configures Instrument.
type Option func(*config)

// WithTracerProvider sets where spans go (default: otel.GetTracerProvider()).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets where metrics go (default: otel.GetMeterProvider()).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// Instrument returns the chatrecall.Option that traces and measures a
// client. An instrument the MeterProvider cannot create is reported to
// OpenTelemetry's error handler (otel.Handle) and replaced by a no-op one,
// as OpenTelemetry instrumentation does: telemetry never stops recalls.
func Instrument(opts ...Option) chatrecall.Option {
	h, err := Hooks(opts...)
	if err != nil {
		otel.Handle(err)
	}
	return chatrecall.WithHooks(h)
}

// Hooks returns the chatrecall.Hooks behind Instrument, for callers that
// combine them with their own. The hooks are usable even when err is not
// nil: err lists the instruments that were replaced by no-op ones.
func Hooks(opts ...Option) (chatrecall.Hooks, error) {
	cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, o := range opts {
		o(&cfg)
	}
	in := &instruments{tracer: cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(chatrecall.Version),
		trace.WithSchemaURL(semconv.SchemaURL))}
	m := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(chatrecall.Version), metric.WithSchemaURL(semconv.SchemaURL))
	noopMeter := noop.NewMeterProvider().Meter(ScopeName)
	var errs []error
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc))
		if err != nil || h == nil {
			errs = append(errs, err)
			h, _ = noopMeter.Float64Histogram(name)
		}
		return h
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err != nil || c == nil {
			errs = append(errs, err)
			c, _ = noopMeter.Int64Counter(name)
		}
		return c
	}
	in.duration = histogram("chatrecall.operation.duration", "Duration of chatrecall method calls.")
	in.attempts = counter("chatrecall.attempts", "{attempt}", "HTTP attempts sent, by endpoint and error type.")
	in.errors = counter("chatrecall.errors", "{call}", "Method calls that returned an error, by error category.")
	in.items = counter("chatrecall.items", "{item}", "Items by final outcome.")
	in.wait = histogram("chatrecall.ratelimit.wait", "Time spent waiting for the client-side rate limiter before an attempt.")
	return chatrecall.Hooks{
		OperationStart: in.operationStart,
		OperationEnd:   in.operationEnd,
		Attempt:        in.attempt,
		ItemOutcome:    in.itemOutcome,
		LimiterWait:    in.limiterWait,
	}, errors.Join(errs...)
}

// WebhookObserver returns the webhook.Config.Observe that traces and counts
// callbacks.
func WebhookObserver(opts ...Option) func(ctx context.Context, command string) (context.Context, func(webhook.Delivery)) {
	cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, o := range opts {
		o(&cfg)
	}
	tracer := cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(chatrecall.Version), trace.WithSchemaURL(semconv.SchemaURL))
	m := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(chatrecall.Version), metric.WithSchemaURL(semconv.SchemaURL))
	events, err := m.Int64Counter("chatrecall.webhook.events", metric.WithUnit("{callback}"),
		metric.WithDescription("Callbacks received, by command and result (dispatched, repeat, refused, overflow)."))
	if err != nil || events == nil {
		otel.Handle(err)
		events, _ = noop.NewMeterProvider().Meter(ScopeName).Int64Counter("chatrecall.webhook.events")
	}
	refused, err := m.Int64Counter("chatrecall.webhook.refused", metric.WithUnit("{callback}"),
		metric.WithDescription("Callbacks refused, by reason (bad_sign, stale_time, wrong_app, method, type, size, malformed, duplicate_param). Alert on any: a wrong token refuses every callback."))
	if err != nil || refused == nil {
		otel.Handle(err)
		refused, _ = noop.NewMeterProvider().Meter(ScopeName).Int64Counter("chatrecall.webhook.refused")
	}
	return func(ctx context.Context, command string) (context.Context, func(webhook.Delivery)) {
		name := commandName(command)
		ctx, span := tracer.Start(ctx, "chatrecall.webhook "+name, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(WebhookCommandKey.String(name)))
		return ctx, func(d webhook.Delivery) {
			events.Add(ctx, 1, metric.WithAttributes(WebhookCommandKey.String(name), WebhookResultKey.String(d.Result)))
			span.SetAttributes(WebhookResultKey.String(d.Result), semconv.HTTPResponseStatusCode(d.Status))
			switch {
			case d.Result == "refused":
				refused.Add(ctx, 1, metric.WithAttributes(WebhookRefusalKey.String(d.Refusal)))
				span.SetStatus(codes.Error, d.Reason)
			case d.Result == "overflow":
				span.SetStatus(codes.Error, d.Reason)
			case d.Err != nil:
				span.RecordError(d.Err)
				span.SetStatus(codes.Error, d.Err.Error())
			}
			span.End()
		}
	}
}

// Webhook attribute keys.
const (
	WebhookCommandKey = attribute.Key("chatrecall.webhook.command")
	WebhookResultKey  = attribute.Key("chatrecall.webhook.result")
	// WebhookRefusalKey is the reason label of chatrecall.webhook.refused:
	// one of the webhook.Refused constants.
	WebhookRefusalKey = attribute.Key("reason")
)

var knownCommands = map[string]bool{
	webhook.CommandGroupAfterSend: true, webhook.CommandC2CAfterSend: true, webhook.CommandOfficialAfterSend: true,
	webhook.CommandGroupAfterRecall: true, webhook.CommandC2CAfterWithdraw: true, webhook.CommandOfficialAfterWithdraw: true,
	webhook.CommandAlertRequestOverLimit: true,
}

func commandName(c string) string {
	if knownCommands[c] {
		return c
	}
	return "_OTHER"
}

type instruments struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
	attempts metric.Int64Counter
	errors   metric.Int64Counter
	items    metric.Int64Counter
	wait     metric.Float64Histogram
}

func (in *instruments) operationStart(ctx context.Context, op chatrecall.Operation) context.Context {
	ctx, _ = in.tracer.Start(ctx, "chatrecall."+op.Method, trace.WithTimestamp(op.Start), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(MethodKey.String(op.Method), EndpointKey.String(op.Endpoint), ItemsKey.Int(op.Items)))
	return ctx
}

func (in *instruments) operationEnd(ctx context.Context, op chatrecall.Operation, end chatrecall.OperationEnd) {
	attrs := []attribute.KeyValue{MethodKey.String(op.Method)}
	if end.Err != nil {
		et := errorType(end.Err)
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		in.errors.Add(ctx, 1, metric.WithAttributes(attrs...))
	}
	in.duration.Record(ctx, end.Duration.Seconds(), metric.WithAttributes(attrs...))
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	s := end.Summary
	span.SetAttributes(
		attribute.Int("chatrecall.items.recalled", s.Recalled),
		attribute.Int("chatrecall.items.confirmed", s.Confirmed),
		attribute.Int("chatrecall.items.failed", s.Failed),
		attribute.Int("chatrecall.items.unknown", s.Unknown),
		attribute.Int("chatrecall.items.not_sent", s.NotSent),
	)
	if end.Err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(end.Err)))
		span.RecordError(end.Err)
		span.SetStatus(codes.Error, end.Err.Error())
	}
	span.End(trace.WithTimestamp(op.Start.Add(end.Duration)))
}

func (in *instruments) attempt(ctx context.Context, a chatrecall.AttemptInfo) {
	attrs := []attribute.KeyValue{EndpointKey.String(a.Endpoint)}
	if a.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(a.Err)))
	}
	in.attempts.Add(ctx, 1, metric.WithAttributes(attrs...))
	if !trace.SpanFromContext(ctx).IsRecording() {
		return
	}
	spanAttrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodPost,
		semconv.ServerAddress(a.Host),
		EndpointKey.String(a.Endpoint),
		ItemsKey.Int(a.Items),
	}
	if a.Attempt > 1 {
		spanAttrs = append(spanAttrs, semconv.HTTPRequestResendCount(a.Attempt-1))
	}
	if a.StatusCode != 0 {
		spanAttrs = append(spanAttrs, semconv.HTTPResponseStatusCode(a.StatusCode))
	}
	if a.Code != 0 {
		spanAttrs = append(spanAttrs, CodeKey.Int(int(a.Code)))
	}
	_, span := in.tracer.Start(ctx, "POST "+a.Endpoint, trace.WithTimestamp(a.Start), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(spanAttrs...))
	if a.Err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(a.Err)))
		span.SetStatus(codes.Error, a.Err.Error())
	}
	span.End(trace.WithTimestamp(a.Start.Add(a.Duration)))
}

func (in *instruments) itemOutcome(ctx context.Context, op chatrecall.Operation, it chatrecall.ItemOutcome) {
	outcome := it.Outcome.String()
	if it.Outcome == chatrecall.OutcomeFailed && errors.Is(it.Err, chatrecall.ErrGone) {
		outcome = "gone"
	}
	in.items.Add(ctx, 1, metric.WithAttributes(EndpointKey.String(op.Endpoint), OutcomeKey.String(outcome)))
}

func (in *instruments) limiterWait(ctx context.Context, w chatrecall.LimiterWait) {
	in.wait.Record(ctx, w.Wait.Seconds(), metric.WithAttributes(EndpointKey.String(w.Endpoint)))
}

// categoryNames are the error.type values of the SDK's categories.
var categoryNames = map[error]string{
	chatrecall.ErrOutcomeUnknown: "outcome_unknown", chatrecall.ErrNotSent: "not_sent",
	chatrecall.ErrAlreadyRecalled: "already_recalled", chatrecall.ErrGone: "gone",
	chatrecall.ErrRecallWindowExpired: "recall_window_expired", chatrecall.ErrNotRecallable: "not_recallable",
	chatrecall.ErrOfflinePushInfoRequired: "offline_push_info_required", chatrecall.ErrOverrideNotSupported: "override_not_supported",
	chatrecall.ErrUserSigExpired: "usersig_expired", chatrecall.ErrNotFound: "not_found",
	chatrecall.ErrRateLimited: "rate_limited", chatrecall.ErrTemporary: "temporary", chatrecall.ErrAuth: "auth",
	chatrecall.ErrPermission: "permission", chatrecall.ErrServiceDisabled: "service_disabled",
	chatrecall.ErrTPNSNotConfigured: "tpns_not_configured", chatrecall.ErrInvalidRequest: "invalid_request",
}

// errorType is the error.type of err: the SDK's most specific error
// category (chatrecall.Category), the context's error, or "_OTHER".
func errorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	}
	if name, ok := categoryNames[chatrecall.Category(err)]; ok {
		return name
	}
	return "_OTHER"
}

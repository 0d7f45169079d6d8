// Package webhook receives Tencent Chat's callbacks (webhooks): it checks
// that each one comes from Tencent for this app, answers at once, and hands
// a typed event to the function registered for its command. It is how an app
// learns the MsgSeq or MsgKey of messages sent from clients, and for
// live-stream groups (AVChatRoom), which keep no history, the only way.
//
//	h, err := webhook.NewHandler(webhook.Config{SDKAppID: 1400000000, Token: os.Getenv("CALLBACK_TOKEN")})
//	h.OnGroupAfterSend(func(ctx context.Context, e *webhook.GroupAfterSend) error { ... })
//	http.Handle("/chat/callback", h)
//
// Every request is checked before anything is dispatched: POST, a JSON
// content type, a body of at most MaxBodyBytes, the SdkAppid, and, when a
// token is configured, the Sign (SHA-256 of token and RequestTime, compared
// in constant time) and a RequestTime within Window of now. The command in
// the query must equal the body's. A refused request gets 403 (wrong app,
// bad signature, stale or future time), 405, 413, 415 or 400, a log line,
// and no dispatch. The token never appears in a log line or an error.
//
// Tencent may deliver an after-event more than once (when retry on timeout
// is enabled in the console): Event.Repeat tells a handler that it saw this
// delivery already, and Recorder (with a Ledger) records idempotently.
package webhook

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Callback commands.
const (
	CommandGroupAfterSend        = "Group.CallbackAfterSendMsg"
	CommandC2CAfterSend          = "C2C.CallbackAfterSendMsg"
	CommandOfficialAfterSend     = "OfficialAccount.CallbackAfterSendMsg"
	CommandGroupAfterRecall      = "Group.CallbackAfterRecallMsg"
	CommandC2CAfterWithdraw      = "C2C.CallbackAfterMsgWithDraw"
	CommandOfficialAfterWithdraw = "OfficialAccount.CallbackAfterMsgWithDraw"
	CommandAlertRequestOverLimit = "Alert.RequestOverLimit"
	CommandContentResultNotify   = "ContentCallback.ResultNotify"
)

// DefaultWindow is how far a callback's RequestTime may be from now, as
// Tencent documents (Config.Window changes it).
const DefaultWindow = time.Minute

// MaxBodyBytes caps a callback's body.
const MaxBodyBytes = 1 << 20

// Config configures a Handler.
type Config struct {
	// SDKAppID is the app the callbacks must be for. Required.
	SDKAppID uint64
	// Token is the callback authentication token set in the console. When
	// set, every request must carry a valid Sign and RequestTime. Empty
	// means authentication is off in the console (then use mutual TLS or a
	// private network: anyone could post callbacks).
	Token string
	// Window is how far RequestTime may be from now (default 1 minute, as
	// Tencent documents).
	Window time.Duration
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
	// Logger receives a line per refused request (default: none).
	Logger *slog.Logger
	// DedupeSize bounds how many recent deliveries are remembered to mark
	// repeats (default 100,000).
	DedupeSize int
	// DispatchTimeout bounds an event function's run (default 10 s): past
	// it, its context is cancelled and its worker goes on to the next
	// event. Its context is not cancelled when the caller hangs up after
	// the answer.
	DispatchTimeout time.Duration
	// Workers is how many event functions run at once (default
	// DefaultWorkers); Queue how many accepted callbacks may wait for one
	// (default DefaultQueue). A callback that finds the queue full is still
	// answered OK (Tencent would not resend an after-event anyway), and is
	// counted in Stats.Overflow, logged and observed as "overflow".
	Workers, Queue int
	// Observe, when set, is called as each request arrives, with the
	// command its query names (not yet verified). The context it returns is
	// the one the event function gets (a tracer puts its span there); the
	// function it returns is called once the request is done. Package
	// github.com/chatrecall/chatrecall/otel implements it.
	Observe func(ctx context.Context, command string) (context.Context, func(Delivery))
}

// Delivery is how one callback request ended.
type Delivery struct {
	Command string // as the query named it
	// Result is "dispatched", "repeat", "refused" or "overflow" (answered,
	// but the dispatch queue was full).
	Result string
	Status int // the HTTP status answered
	// Refusal is why it was refused, one of the Refused constants: the
	// label of the chatrecall.webhook.refused metric.
	Refusal  string
	Reason   string        // why it was refused (or overflowed), in words
	Err      error         // the event function's error, if any
	Duration time.Duration // from arrival to the end of dispatch
}

// String describes the Config without its token.
func (c Config) String() string {
	tok := `""`
	if c.Token != "" {
		tok = "REDACTED"
	}
	return fmt.Sprintf("webhook.Config{SDKAppID:%d Token:%s Window:%s}", c.SDKAppID, tok, c.Window)
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c Config) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog print the Config without its token.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Handler is an http.Handler for Tencent Chat callbacks. Register event
// functions before serving; it is safe for concurrent use once serving.
type Handler struct {
	cfg      Config
	handlers map[string]func(context.Context, Event) error
	other    func(context.Context, *Other) error
	seen     *dedupe
	stats    Stats
	statsMu  sync.Mutex

	pool *pool[job] // dispatch.go
}

// Stats counts what the handler did, by outcome.
type Stats struct {
	Dispatched, Repeats, Refused, HandlerErrors int64
	// Overflow counts callbacks answered but not dispatched: the queue was
	// full. Each is a message the ledger does not know of.
	Overflow int64
	// Refusals counts refused callbacks by reason (the Refused constants).
	// Alert on any refusal: a wrong token or app ID refuses every callback.
	Refusals map[string]int64
}

// NewHandler checks cfg and returns a Handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("webhook: Config.SDKAppID is required, got 0")
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("webhook: Config.Window must not be negative, got %s", cfg.Window)
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DedupeSize <= 0 {
		cfg.DedupeSize = 100_000
	}
	if cfg.DispatchTimeout <= 0 {
		cfg.DispatchTimeout = 10 * time.Second
	}
	if cfg.Workers < 0 || cfg.Queue < 0 {
		return nil, fmt.Errorf("webhook: Config.Workers and Config.Queue must not be negative, got %d and %d", cfg.Workers, cfg.Queue)
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Queue == 0 {
		cfg.Queue = DefaultQueue
	}
	h := &Handler{cfg: cfg, handlers: map[string]func(context.Context, Event) error{}, seen: newDedupe(cfg.DedupeSize)}
	h.pool = newPool(cfg.Workers, cfg.Queue, h.dispatch)
	return h, nil
}

// Stats returns the counts so far.
func (h *Handler) Stats() Stats {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	st := h.stats
	st.Refusals = make(map[string]int64, len(h.stats.Refusals))
	for k, v := range h.stats.Refusals {
		st.Refusals[k] = v
	}
	return st
}

func (h *Handler) count(f func(*Stats)) {
	h.statsMu.Lock()
	f(&h.stats)
	h.statsMu.Unlock()
}

func on[E Event](h *Handler, command string, fn func(context.Context, E) error) {
	h.handlers[command] = func(ctx context.Context, e Event) error { return fn(ctx, e.(E)) }
}

// OnGroupAfterSend registers fn for Group.CallbackAfterSendMsg.
func (h *Handler) OnGroupAfterSend(fn func(context.Context, *GroupAfterSend) error) {
	on(h, CommandGroupAfterSend, fn)
}

// OnC2CAfterSend registers fn for C2C.CallbackAfterSendMsg.
func (h *Handler) OnC2CAfterSend(fn func(context.Context, *C2CAfterSend) error) {
	on(h, CommandC2CAfterSend, fn)
}

// OnOfficialAfterSend registers fn for OfficialAccount.CallbackAfterSendMsg.
func (h *Handler) OnOfficialAfterSend(fn func(context.Context, *OfficialAfterSend) error) {
	on(h, CommandOfficialAfterSend, fn)
}

// OnGroupAfterRecall registers fn for Group.CallbackAfterRecallMsg.
func (h *Handler) OnGroupAfterRecall(fn func(context.Context, *GroupAfterRecall) error) {
	on(h, CommandGroupAfterRecall, fn)
}

// OnC2CAfterWithdraw registers fn for C2C.CallbackAfterMsgWithDraw.
func (h *Handler) OnC2CAfterWithdraw(fn func(context.Context, *C2CAfterWithdraw) error) {
	on(h, CommandC2CAfterWithdraw, fn)
}

// OnOfficialAfterWithdraw registers fn for OfficialAccount.CallbackAfterMsgWithDraw.
func (h *Handler) OnOfficialAfterWithdraw(fn func(context.Context, *OfficialAfterWithdraw) error) {
	on(h, CommandOfficialAfterWithdraw, fn)
}

// OnRequestOverLimit registers fn for Alert.RequestOverLimit.
func (h *Handler) OnRequestOverLimit(fn func(context.Context, *RequestOverLimit) error) {
	on(h, CommandAlertRequestOverLimit, fn)
}

// OnResultNotify registers fn for ContentCallback.ResultNotify, the cloud
// moderation's verdicts (VerdictRecaller.Handle recalls blocked messages).
func (h *Handler) OnResultNotify(fn func(context.Context, *ResultNotify) error) {
	on(h, CommandContentResultNotify, fn)
}

// OnOther registers fn for every other command (and for registered-less
// known ones), with the raw body.
func (h *Handler) OnOther(fn func(context.Context, *Other) error) { h.other = fn }

var okReply = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// ServeHTTP checks a callback, answers it and dispatches its event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Observe != nil {
		start := time.Now()
		command := r.URL.Query().Get("CallbackCommand")
		ctx, end := h.cfg.Observe(r.Context(), command)
		r = r.WithContext(context.WithValue(ctx, observeKey{}, func(d Delivery) {
			d.Command, d.Duration = command, time.Since(start)
			end(d)
		}))

	}
	h.serve(w, r)
}

type observeKey struct{}

// done reports the end of a request to Observe (through its context).
func done(r *http.Request, d Delivery) {
	if end, ok := r.Context().Value(observeKey{}).(func(Delivery)); ok {
		end(d)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, RefusedMethod, "callbacks are POST requests")
		return
	}
	// Tencent names no Content-Type and its sample request has none: a
	// missing one is JSON; another one is refused.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			h.refuse(w, r, http.StatusUnsupportedMediaType, RefusedType, "the body must be application/json")
			return
		}
	}
	q := r.URL.Query()
	for k, v := range q {
		if len(v) > 1 {
			h.refuse(w, r, http.StatusBadRequest, RefusedDuplicateParam, "the query parameter "+strconv.Quote(k)+" is given "+strconv.Itoa(len(v))+" times")
			return
		}
	}
	app, err := strconv.ParseUint(q.Get("SdkAppid"), 10, 64)
	if err != nil || app != h.cfg.SDKAppID {
		h.refuse(w, r, http.StatusForbidden, RefusedWrongApp, "SdkAppid is not this app's")
		return
	}
	meta := Meta{Command: q.Get("CallbackCommand"), SDKAppID: app, ClientIP: q.Get("ClientIP"), OptPlatform: q.Get("OptPlatform")}
	if h.cfg.Token != "" {
		rt := q.Get("RequestTime")
		secs, err := strconv.ParseInt(rt, 10, 64)
		if err != nil {
			h.refuse(w, r, http.StatusForbidden, RefusedBadSign, "RequestTime is missing or not a number")
			return
		}
		want := Sign(h.cfg.Token, rt)
		if got := q.Get("Sign"); subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			h.refuse(w, r, http.StatusForbidden, RefusedBadSign, "Sign does not match the token")
			return
		}
		meta.RequestTime = time.Unix(secs, 0)
		if d := h.cfg.Now().Sub(meta.RequestTime); d > h.cfg.Window || d < -h.cfg.Window {
			h.refuse(w, r, http.StatusForbidden, RefusedStaleTime, "RequestTime is more than the allowed window from now")
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, RefusedMalformed, "the body could not be read")
		return
	}
	if len(body) > MaxBodyBytes {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, RefusedSize, "the body is over 1 MiB")
		return
	}
	var head struct {
		CallbackCommand string `json:"CallbackCommand"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		h.refuse(w, r, http.StatusBadRequest, RefusedMalformed, "the body is not a JSON object")
		return
	}
	if head.CallbackCommand != "" && head.CallbackCommand != meta.Command {
		h.refuse(w, r, http.StatusBadRequest, RefusedMalformed, "the body's CallbackCommand differs from the query's")
		return
	}
	ev, err := decode(meta.Command, body)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, RefusedMalformed, "the body does not match its command: "+err.Error())
		return
	}
	// Answer at once, and return: Tencent gives a callback 2 s, an
	// after-event's answer changes nothing, and the connection carries the
	// next callback only once ServeHTTP returns. The event goes to a
	// worker (dispatch.go).
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(okReply)))
	_, _ = w.Write(okReply)
	m := ev.meta()
	*m = meta
	m.Repeat = h.seen.seen(meta.Command, body)
	meta.Repeat = m.Repeat
	j := job{r: r, ev: ev, meta: meta, body: body}
	if !h.pool.push(j) {
		h.overflow(j)
		return
	}
	h.count(func(s *Stats) {
		s.Dispatched++
		if m.Repeat {
			s.Repeats++
		}
	})
}

package chatrecalltest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// Defaults of a Server. Tests that need other values use the options.
const (
	DefaultSDKAppID      = 1400000000
	DefaultSecretKey     = "chatrecalltest-secret-key-0123456789abcdef"
	DefaultAdmin         = "administrator"
	DefaultTPNSAccessID  = "1500000000"
	DefaultTPNSSecretKey = "chatrecalltest-tpns-secret"
)

// TPNSMaxClockSkew is how far a TPNS TimeStamp may be from the server's
// clock before the request is refused with 1008003.
const TPNSMaxClockSkew = 10 * time.Minute

// Option configures a Server.
type Option func(*Server)

// WithSDKAppID sets the Chat app's ID.
func WithSDKAppID(id uint64) Option { return func(s *Server) { s.appID = id } }

// WithSecretKey sets the Chat app's secret key, which UserSigs must be signed with.
func WithSecretKey(key string) Option { return func(s *Server) { s.key = key } }

// WithAdmins sets the App admin accounts (default "administrator"). A request
// made as any other identifier gets 60010 (or 90009 on timpush and openim).
func WithAdmins(ids ...string) Option {
	return func(s *Server) {
		s.admins = map[string]bool{}
		for _, id := range ids {
			s.admins[id] = true
		}
		if len(ids) > 0 {
			s.firstAdmin = ids[0]
		}
	}
}

// WithTPNS sets the TPNS AccessID and secret key.
func WithTPNS(accessID, secretKey string) Option {
	return func(s *Server) { s.tpnsID, s.tpnsKey = accessID, secretKey }
}

// WithClock sets the server's clock: UserSig expiry, the 24-hour push
// revoke window and rate-limit windows read it. *Clock fits.
func WithClock(c interface{ Now() time.Time }) Option { return func(s *Server) { s.clock = c } }

// WithoutRateLimits turns the documented frequency limits off.
func WithoutRateLimits() Option { return func(s *Server) { s.limits = map[string]limit{} } }

// WithRateLimit sets the limit of one endpoint (a chatrecall Endpoint
// constant): at most n calls per window of the server's clock.
func WithRateLimit(endpoint string, n int, window time.Duration) Option {
	return func(s *Server) { s.limits[endpoint] = limit{n, window} }
}

// WithTPNSRevokeUnavailable makes /v3/push/revoke_push_msg answer 1008007,
// as the 2023 documentation ("being upgraded, not available") suggests the
// real service may. By default the fake performs the revoke.
func WithTPNSRevokeUnavailable() Option { return func(s *Server) { s.tpnsRevokeOff = true } }

// WithLatency adds d before every answer, as a service that far away
// would: for benchmarks of how a workflow keeps requests in flight. The
// wait ends early when the client gives up on the request.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithHistoryLag makes history show a recall only d after it took effect
// (by the server's clock), as a replicated history can: a recalled message
// still reads as present until then. Recalls themselves take effect at
// once and are answered as usual.
func WithHistoryLag(d time.Duration) Option { return func(s *Server) { s.historyLag = d } }

// WithContactCap sets how many recent conversations recentcontact/get_list
// keeps per account (default 100, as the service by default; up to 500 on
// higher editions).
func WithContactCap(n int) Option { return func(s *Server) { s.state.contactCap = n } }

type limit struct {
	n      int
	window time.Duration
}

// documentedLimits are the frequency limits of the service.
func documentedLimits() map[string]limit {
	return map[string]limit{
		chatrecall.EndpointGroupRecall:         {200, time.Second},
		chatrecall.EndpointOfficialRecall:      {200, time.Second},
		chatrecall.EndpointC2CRecall:           {200, time.Second},
		chatrecall.EndpointPushRevoke:          {1, time.Second},
		chatrecall.EndpointSchedList:           {5, time.Second},
		chatrecall.EndpointSchedGet:            {5, time.Second},
		chatrecall.EndpointSchedDelete:         {5, time.Second},
		chatrecall.EndpointPushStatistics:      {1, time.Second},
		chatrecall.EndpointPushTrace:           {1, time.Second},
		chatrecall.EndpointTPNSRecord:          {200, time.Hour},
		chatrecall.EndpointGroupHistory:        {200, time.Second},
		chatrecall.EndpointC2CHistory:          {200, time.Second},
		chatrecall.EndpointOfficialHistory:     {200, time.Second},
		chatrecall.EndpointGroupDeleteBySender: {200, time.Second},
		chatrecall.EndpointSetNoSpeaking:       {200, time.Second},
		chatrecall.EndpointGetNoSpeaking:       {200, time.Second},
		chatrecall.EndpointKick:                {200, time.Second},
		chatrecall.EndpointGroupMute:           {200, time.Second},
		chatrecall.EndpointGroupMuted:          {200, time.Second},
		chatrecall.EndpointJoinedGroups:        {200, time.Second},
		chatrecall.EndpointRecentContacts:      {200, time.Second},
		tpnsBroadcast:                          {1, time.Second},
	}
}

// tpnsBroadcast is the rate-limit key of all, tag and package pushes.
const tpnsBroadcast = "tpns/push_app_broadcast"

// Server is a local, stateful, strict fake of the Chat and TPNS recall
// APIs. Create it with NewServer and Close it when done.
type Server struct {
	// URL is the base URL of the server, such as http://127.0.0.1:41234.
	URL string

	srv           *httptest.Server
	appID         uint64
	key           string
	admins        map[string]bool
	firstAdmin    string
	tpnsID        string
	tpnsKey       string
	clock         interface{ Now() time.Time }
	limits        map[string]limit
	tpnsRevokeOff bool
	callbacks     callbackSink
	latency       time.Duration
	historyLag    time.Duration
	changeLog     func(Request)

	mu       sync.Mutex
	state    state
	requests []Request
	gen      int // Reset generation: records of older requests are dropped
	windows  map[string]*window
	faults   map[string]*faultPlan
}

type window struct {
	start time.Time
	count int
}

// NewServer starts a fake server on a loopback port.
func NewServer(opts ...Option) *Server {
	s := &Server{
		appID:      DefaultSDKAppID,
		key:        DefaultSecretKey,
		admins:     map[string]bool{DefaultAdmin: true},
		firstAdmin: DefaultAdmin,
		tpnsID:     DefaultTPNSAccessID,
		tpnsKey:    DefaultTPNSSecretKey,
		clock:      systemClock{},
		limits:     documentedLimits(),
		windows:    map[string]*window{},
		faults:     map[string]*faultPlan{},
	}
	s.state.init()
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.callbacks.wg.Wait()
}

// Config returns a chatrecall.Config wired to the server: its app, key,
// first admin and TPNS credentials, with BaseURL set to the server.
func (s *Server) Config() chatrecall.Config {
	return chatrecall.Config{
		SDKAppID:   s.appID,
		Identifier: s.firstAdmin,
		SecretKey:  s.key,
		BaseURL:    s.URL,
		TPNS:       &chatrecall.TPNSConfig{AccessID: s.tpnsID, SecretKey: s.tpnsKey, BaseURL: s.URL},
	}
}

// Request is one request the server received.
type Request struct {
	Endpoint string // a chatrecall Endpoint constant, or "" for an unknown path
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	Body     []byte
	// JSON is the body decoded, or nil when it was not a JSON object.
	JSON map[string]any
	// Code is the code the server answered (0 for success), or -1 when a
	// fault answered instead (HTTP 502, dropped connection).
	Code chatrecall.Code
	// Fault names the fault injected into this request, if any, and
	// Injected is that fault.
	Fault    string
	Injected Fault
	// Applied is true when the request changed the server's state, even if
	// its response was then lost.
	Applied bool
	// AppliedItems names what this request changed: group sequence numbers
	// in decimal, MsgKeys, TaskIds, TPNS push IDs (for a push, the new
	// task's). It is the ground truth a test checks outcomes against.
	AppliedItems []string
	At           time.Time
}

// Requests returns every request received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received for one endpoint.
func (s *Server) RequestsTo(endpoint string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Endpoint == endpoint {
			out = append(out, r)
		}
	}
	return out
}

// Reset forgets the recorded requests and faults (not the seeded state).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.gen++ // the requests in flight are no longer recorded
	s.faults = map[string]*faultPlan{}
	s.windows = map[string]*window{}
}

// rec returns x's record, or nil when Reset dropped it while x was in
// flight. s.mu must be held.
func (s *Server) rec(x *exchange) *Request {
	if x.gen != s.gen || x.index >= len(s.requests) {
		return nil
	}
	return &s.requests[x.index]
}

var chatPaths = map[string]string{
	"/v4/group_open_http_svc/group_msg_recall":                       chatrecall.EndpointGroupRecall,
	"/v4/official_account_open_http_svc/official_account_msg_recall": chatrecall.EndpointOfficialRecall,
	"/v4/timpush/revoke":                                                 chatrecall.EndpointPushRevoke,
	"/v4/timpush/list_sched_task":                                        chatrecall.EndpointSchedList,
	"/v4/timpush/get_sched_task":                                         chatrecall.EndpointSchedGet,
	"/v4/timpush/delete_sched_task":                                      chatrecall.EndpointSchedDelete,
	"/v4/timpush/all_member_push_statistics":                             chatrecall.EndpointPushStatistics,
	"/v4/timpush/all_member_push_trace":                                  chatrecall.EndpointPushTrace,
	"/v4/openim/admin_msgwithdraw":                                       chatrecall.EndpointC2CRecall,
	"/v4/group_open_http_svc/group_msg_get_simple":                       chatrecall.EndpointGroupHistory,
	"/v4/openim/admin_getroammsg":                                        chatrecall.EndpointC2CHistory,
	"/v4/official_account_open_http_svc/official_account_msg_get_simple": chatrecall.EndpointOfficialHistory,
	"/v4/group_open_http_svc/delete_group_msg_by_sender":                 chatrecall.EndpointGroupDeleteBySender,
	"/v4/openconfigsvr/setnospeaking":                                    chatrecall.EndpointSetNoSpeaking,
	"/v4/openconfigsvr/getnospeaking":                                    chatrecall.EndpointGetNoSpeaking,
	"/v4/im_open_login_svc/kick":                                         chatrecall.EndpointKick,
	"/v4/group_open_http_svc/forbid_send_msg":                            chatrecall.EndpointGroupMute,
	"/v4/group_open_http_svc/get_group_muted_account":                    chatrecall.EndpointGroupMuted,
	"/v4/group_open_http_svc/get_joined_group_list":                      chatrecall.EndpointJoinedGroups,
	"/v4/recentcontact/get_list":                                         chatrecall.EndpointRecentContacts,
}

var tpnsPaths = map[string]string{
	"/v3/push/stop_push_msg":         chatrecall.EndpointTPNSStop,
	"/v3/push/revoke_push_msg":       chatrecall.EndpointTPNSRevoke,
	"/v3/push/cancel_timing_task":    chatrecall.EndpointTPNSCancel,
	"/v3/statistics/get_push_record": chatrecall.EndpointTPNSRecord,
	"/v3/push/app":                   chatrecall.EndpointTPNSPush,
}

// exchange is one request in flight.
type exchange struct {
	w     http.ResponseWriter
	r     *http.Request
	ep    string
	body  []byte
	index int
	gen   int // the Reset generation index is of
}

// ServeHTTP implements http.Handler, so the fake can also be mounted in a
// server of the test's own.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	x := &exchange{w: w, r: r, body: body}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		obj = nil
	}
	ep, isChat := chatPaths[r.URL.Path]
	if !isChat {
		ep = tpnsPaths[r.URL.Path]
	}
	x.ep = ep
	s.mu.Lock()
	x.index, x.gen = len(s.requests), s.gen
	s.requests = append(s.requests, Request{Endpoint: ep, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Header: r.Header.Clone(), Body: body, JSON: obj, At: s.clock.Now()})
	s.mu.Unlock()

	switch {
	case isChat || strings.HasPrefix(r.URL.Path, "/v4/"):
		s.serveChat(x)
	case ep != "" || strings.HasPrefix(r.URL.Path, "/v3/"):
		s.serveTPNS(x)
	default:
		s.note(x, -1, "")
		http.NotFound(w, r)
	}
}

func (s *Server) note(x *exchange, code chatrecall.Code, fault string) {
	s.mu.Lock()
	if r := s.rec(x); r != nil {
		r.Code = code
		if fault != "" {
			r.Fault = fault
		}
	}
	s.mu.Unlock()
}

func (s *Server) markApplied(x *exchange, items []string) {
	s.mu.Lock()
	if r := s.rec(x); r != nil {
		r.Applied, r.AppliedItems = true, items
	}
	s.mu.Unlock()
}

// logChange gives the change log x's record, one request at a time.
func (s *Server) logChange(x *exchange, applied []string) {
	s.mu.Lock()
	r := Request{Endpoint: x.ep, Body: x.body, Applied: true, AppliedItems: applied, At: s.clock.Now()}
	if rec := s.rec(x); rec != nil {
		r = *rec
		r.At = s.clock.Now() // when the change was made, which Replay's clock reads
	}
	s.changeLog(r)
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func chatError(code chatrecall.Code, info string) map[string]any {
	return map[string]any{"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}
}

// pushStyle reports whether an endpoint answers the timpush/openim codes
// (90001, 90009) rather than the common ones (60003, 60010).
func pushStyle(ep string) bool {
	return ep == chatrecall.EndpointPushRevoke || ep == chatrecall.EndpointC2CRecall || ep == chatrecall.EndpointC2CHistory
}

func (s *Server) serveChat(x *exchange) {
	code, info := s.checkChat(x)
	if code != 0 {
		s.note(x, code, "")
		writeJSON(x.w, chatError(code, info))
		return
	}
	s.respond(x, func() (any, chatrecall.Code, []string) { return s.applyChat(x) })
}

// checkChat applies the service's strictness rules to a Chat request.
func (s *Server) checkChat(x *exchange) (chatrecall.Code, string) {
	r, ep := x.r, x.ep
	if ep == "" {
		return chatrecall.CodeResourcePathWrong, "resource path wrong"
	}
	if r.Method != http.MethodPost {
		return chatrecall.CodeHTTPUnparseable, "method must be POST"
	}
	q := r.URL.Query()
	appStr := q.Get("sdkappid")
	if appStr == "" {
		return chatrecall.CodeSDKAppIDMissing, "sdkappid missing"
	}
	app, err := strconv.ParseUint(appStr, 10, 64)
	if err != nil {
		return chatrecall.CodeSDKAppIDInvalid, "sdkappid invalid"
	}
	if app != s.appID {
		return chatrecall.CodeSDKAppIDNotFound, "sdkappid not found in this region"
	}
	if q.Get("random") == "" {
		return chatrecall.CodeHTTPUnparseable, "random missing"
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return chatrecall.CodeHTTPUnparseable, "random is not a 32-bit unsigned integer"
	}
	if q.Get("contenttype") != "json" {
		return chatrecall.CodeHTTPUnparseable, "contenttype must be json"
	}
	id := q.Get("identifier")
	if id == "" {
		return chatrecall.CodeAccountOrSigInvalid, "identifier missing"
	}
	sig := q.Get("usersig")
	if sig == "" {
		return chatrecall.CodeUserSigEmpty, "usersig empty"
	}
	if _, err := chatrecall.VerifyUserSig(s.appID, s.key, id, sig, s.clock.Now()); err != nil {
		switch err {
		case chatrecall.ErrUserSigExpired:
			return chatrecall.CodeUserSigExpired, "usersig expired"
		case chatrecall.ErrUserSigAppID:
			return chatrecall.CodeUserSigAppIDMismatch, "sdkappid differs from the usersig's"
		case chatrecall.ErrUserSigIdentifier:
			return chatrecall.CodeUserSigIdentifierMismatch, "identifier differs from the usersig's"
		case chatrecall.ErrUserSigSignature:
			return chatrecall.CodeUserSigWrongKey, "usersig signed with another key"
		default:
			return chatrecall.CodeUserSigInvalid, "usersig invalid"
		}
	}
	if !s.admins[id] {
		if pushStyle(ep) {
			return chatrecall.CodePushAdminRequired, "needs App admin"
		}
		return chatrecall.CodeAdminRequired, "needs App admin"
	}
	if len(x.body) == 0 || !json.Valid(x.body) {
		if pushStyle(ep) {
			return chatrecall.CodePushBodyNotJSON, "body is not JSON"
		}
		return chatrecall.CodeBodyNotJSON, "body is not JSON"
	}
	return 0, ""
}

// respond runs the fault plan, the rate limit and apply, then writes the
// answer (or loses it, or alters it, as the fault says).
func (s *Server) respond(x *exchange, apply func() (resp any, code chatrecall.Code, applied []string)) {
	f, fname := s.drawFault(x.ep)
	if f.Kind != FaultNone {
		s.mu.Lock()
		if r := s.rec(x); r != nil {
			r.Injected = f
		}
		s.mu.Unlock()
	}
	switch f.Kind {
	case FaultHTTP502:
		s.note(x, -1, fname)
		s.writeHTML(x, f, http.StatusBadGateway, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
		return
	case FaultHTTPStatus:
		s.note(x, -1, fname)
		if f.RetryAfter != "" {
			x.w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.writeHTML(x, f, f.Status, http.StatusText(f.Status))
		return
	case FaultRedirect:
		s.note(x, -1, fname)
		loc := f.Location
		if loc == "" {
			loc = "https://redirect.invalid/"
		}
		// As a misconfigured gateway would: keep the path and query.
		x.w.Header().Set("Location", strings.TrimRight(loc, "/")+x.r.URL.RequestURI())
		x.w.WriteHeader(http.StatusFound)
		return
	case FaultCode:
		s.note(x, f.Code, fname)
		s.writeCode(x, f, f.Code)
		return
	case FaultDrop:
		s.note(x, -1, fname)
		hangUp(x.w)
		return
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
		}
	}
	if code, info := s.rateLimit(x); code != 0 {
		s.note(x, code, fname)
		if isTPNS(x.ep) {
			writeJSON(x.w, tpnsError(code, info))
		} else {
			writeJSON(x.w, chatError(code, info))
		}
		return
	}
	resp, code, applied := apply()
	if applied != nil {
		s.markApplied(x, applied)
		if s.changeLog != nil {
			s.logChange(x, applied)
		}
		s.recallCallback(x.ep, x.body, applied)
	}
	switch f.Kind {
	case FaultLost:
		s.note(x, code, fname)
		hangUp(x.w)
		return
	case FaultAppliedCode:
		s.note(x, f.Code, fname)
		s.writeCode(x, f, f.Code)
		return
	case FaultAppliedHTTP502:
		s.note(x, -1, fname)
		s.writeHTML(x, f, http.StatusBadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return
	case FaultContradict, FaultOmit:
		resp = alterList(resp, f.Kind)
	case FaultShortPage, FaultEmptyPage, FaultStalePage:
		resp = s.alterPage(resp, f.Kind, x.body)
	}
	s.note(x, code, fname)
	writeJSON(x.w, resp)
}

// alterList rewrites a recall's RecallRetList: FaultContradict lists every
// item twice, first with its code and then with another; FaultOmit drops
// the last item.
func alterList(resp any, kind FaultKind) any {
	m, ok := resp.(map[string]any)
	if !ok {
		return resp
	}
	items, ok := m["RecallRetList"].([]retItem)
	if !ok || len(items) == 0 {
		return resp
	}
	if kind == FaultOmit {
		m["RecallRetList"] = items[:len(items)-1]
		return m
	}
	out := make([]retItem, 0, 2*len(items))
	for _, it := range items {
		other := it
		other.RetCode = chatrecall.CodeGroupMsgNotFound
		if it.RetCode != 0 {
			other.RetCode = 0
		}
		out = append(out, it, other)
	}
	m["RecallRetList"] = out
	return m
}

// echo is what a gateway that repeats the request in its error says.
func echo(x *exchange) string {
	var b strings.Builder
	b.WriteString("request: ")
	b.WriteString(x.r.Method)
	b.WriteString(" ")
	b.WriteString(x.r.URL.String())
	keys := make([]string, 0, len(x.r.Header))
	for k := range x.r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("; ")
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(strings.Join(x.r.Header[k], ","))
	}
	return b.String()
}

func (s *Server) writeHTML(x *exchange, f Fault, status int, body string) {
	if f.Echo {
		body += "\n" + echo(x)
	}
	x.w.Header().Set("Content-Type", "text/html")
	x.w.WriteHeader(status)
	_, _ = io.WriteString(x.w, body)
}

func (s *Server) writeCode(x *exchange, f Fault, code chatrecall.Code) {
	info := "injected fault"
	if f.Echo {
		info += ": " + echo(x)
	}
	if isTPNS(x.ep) {
		writeJSON(x.w, tpnsError(code, info))
	} else {
		writeJSON(x.w, chatError(code, info))
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func isTPNS(ep string) bool { return strings.HasPrefix(ep, "tpns/") }

// rateLimit counts the request in its endpoint's fixed window.
func (s *Server) rateLimit(x *exchange) (chatrecall.Code, string) {
	key := x.ep
	if key == chatrecall.EndpointTPNSPush {
		if at, _ := jsonString(x.body, "audience_type"); broadcastAudience[at] {
			key = tpnsBroadcast
		}
	}
	l, ok := s.limits[key]
	if !ok || l.n <= 0 {
		return 0, ""
	}
	now := s.clock.Now()
	start := now.Truncate(l.window)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.windows[key]
	if w == nil || !w.start.Equal(start) {
		w = &window{start: start}
		s.windows[key] = w
	}
	w.count++
	if w.count <= l.n {
		return 0, ""
	}
	switch {
	case key == chatrecall.EndpointPushRevoke:
		return chatrecall.CodePushRevokeTooFrequent, "revoke too frequent"
	case isTPNS(key):
		return chatrecall.CodeTPNSTooFrequent, "too frequent"
	}
	return chatrecall.CodeRESTFrequencyExceeded, "REST call frequency exceeded"
}

// RateLimited counts the requests the server refused for frequency.
func (s *Server) RateLimited() int {
	n := 0
	for _, r := range s.Requests() {
		switch r.Code {
		case chatrecall.CodeRESTFrequencyExceeded, chatrecall.CodePushRevokeTooFrequent, chatrecall.CodeTPNSTooFrequent:
			n++
		}
	}
	return n
}

func jsonString(body []byte, field string) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return "", false
	}
	var v string
	if json.Unmarshal(m[field], &v) != nil {
		return "", false
	}
	return v, true
}

func tpnsError(code chatrecall.Code, msg string) map[string]any {
	return map[string]any{"ret_code": code, "err_msg": msg}
}

func (s *Server) serveTPNS(x *exchange) {
	code, msg := s.checkTPNS(x)
	if code != 0 {
		s.note(x, code, "")
		writeJSON(x.w, tpnsError(code, msg))
		return
	}
	s.respond(x, func() (any, chatrecall.Code, []string) { return s.applyTPNS(x) })
}

// checkTPNS authenticates a TPNS request by signature or Basic auth.
func (s *Server) checkTPNS(x *exchange) (chatrecall.Code, string) {
	r := x.r
	if x.ep == "" {
		return chatrecall.CodeTPNSParamInvalid, "unknown API"
	}
	if r.Method != http.MethodPost {
		return chatrecall.CodeTPNSParamParse, "method must be POST"
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		id, secret, ok := strings.Cut(string(raw), ":")
		if !strings.HasPrefix(auth, "Basic ") || err != nil || !ok {
			return chatrecall.CodeTPNSAuthFailed, "malformed Basic authorization"
		}
		if id != s.tpnsID {
			return chatrecall.CodeTPNSWrongAccessPoint, "wrong AccessId or access point"
		}
		if secret != s.tpnsKey {
			return chatrecall.CodeTPNSAuthFailed, "authentication failed"
		}
	} else {
		id, ts, sign := r.Header.Get("AccessId"), r.Header.Get("TimeStamp"), r.Header.Get("Sign")
		if id == "" || ts == "" || sign == "" {
			return chatrecall.CodeTPNSAuthFailed, "AccessId, TimeStamp and Sign are required"
		}
		if id != s.tpnsID {
			return chatrecall.CodeTPNSWrongAccessPoint, "wrong AccessId or access point"
		}
		t, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return chatrecall.CodeTPNSAuthFailed, "TimeStamp is not a number"
		}
		if d := s.clock.Now().Sub(time.Unix(t, 0)); d > TPNSMaxClockSkew || d < -TPNSMaxClockSkew {
			return chatrecall.CodeTPNSAuthFailed, "TimeStamp too far from the server's clock"
		}
		if tpnsauth.Sign(s.tpnsKey, id, t, x.body) != sign {
			return chatrecall.CodeTPNSAuthFailed, "signature mismatch"
		}
	}
	if len(x.body) == 0 || !json.Valid(x.body) {
		return chatrecall.CodeTPNSParamParse, "body is not JSON"
	}
	return 0, ""
}

// FaultKind is a kind of injected failure.
type FaultKind int

const (
	// FaultNone injects nothing.
	FaultNone FaultKind = iota
	// FaultHTTP502 answers HTTP 502 with an HTML body; nothing is applied.
	FaultHTTP502
	// FaultCode answers the service code Fault.Code; nothing is applied.
	FaultCode
	// FaultDelay waits Fault.Delay (or until the client hangs up), then
	// applies the request and answers; a client that timed out never sees
	// the answer, but the request took effect.
	FaultDelay
	// FaultDrop closes the connection before processing; nothing is applied.
	FaultDrop
	// FaultLost applies the request, then closes the connection instead of
	// answering: the hardest case for a client. The request is recorded as
	// Applied.
	FaultLost
	// FaultAppliedCode applies the request, then answers the service code
	// Fault.Code, as the service's "internal error, retry" codes can.
	FaultAppliedCode
	// FaultAppliedHTTP502 applies the request, then answers HTTP 502, as a
	// gateway that timed out waiting for the backend does.
	FaultAppliedHTTP502
	// FaultContradict applies a group or official-account recall and lists
	// every item twice in RecallRetList, with two different codes.
	FaultContradict
	// FaultOmit applies a group or official-account recall and leaves the
	// last item out of an accepted answer's RecallRetList.
	FaultOmit
	// FaultRedirect answers 302 to Fault.Location (default
	// https://redirect.invalid) with the request's own path and query, as a
	// misconfigured gateway would; nothing is applied.
	FaultRedirect
	// FaultHTTPStatus answers the HTTP status Fault.Status with the
	// Retry-After header Fault.RetryAfter (if set); nothing is applied.
	FaultHTTPStatus
	// FaultShortPage answers a history request with the newest half of its
	// page and "not finished" (IsFinished 0, Complete 0), as the service may
	// for a range that is too long.
	FaultShortPage
	// FaultEmptyPage answers a history request with no messages and "not
	// finished".
	FaultEmptyPage
	// FaultStalePage answers a history request with a page that makes no
	// progress: group messages above the requested seq, or the LastMsgKey
	// the request carried.
	FaultStalePage
)

var faultNames = map[FaultKind]string{FaultHTTP502: "http502", FaultCode: "code", FaultDelay: "delay", FaultDrop: "drop", FaultLost: "lost",
	FaultAppliedCode: "applied-code", FaultAppliedHTTP502: "applied-http502", FaultContradict: "contradict", FaultOmit: "omit",
	FaultRedirect: "redirect", FaultHTTPStatus: "http-status", FaultShortPage: "short-page", FaultEmptyPage: "empty-page", FaultStalePage: "stale-page"}

// Fault is one injected failure.
type Fault struct {
	Kind       FaultKind
	Code       chatrecall.Code // for FaultCode and FaultAppliedCode
	Delay      time.Duration   // for FaultDelay
	Status     int             // for FaultHTTPStatus
	RetryAfter string          // for FaultHTTPStatus: the Retry-After header
	Location   string          // for FaultRedirect
	// Echo makes the error text (HTML body or ErrorInfo) repeat the
	// request's URL and headers, as some gateways do: a client must not
	// let the secrets in them through.
	Echo bool
}

// Name is a short label of the fault, as recorded in Request.Fault.
func (f Fault) Name() string {
	switch f.Kind {
	case FaultCode, FaultAppliedCode:
		return faultNames[f.Kind] + " " + strconv.Itoa(int(f.Code))
	case FaultHTTPStatus:
		return "http " + strconv.Itoa(f.Status)
	}
	return faultNames[f.Kind]
}

// Truthful reports whether a request with this fault still gets the
// answer that describes what the server did.
func (f Fault) Truthful() bool {
	switch f.Kind {
	case FaultLost, FaultAppliedCode, FaultAppliedHTTP502, FaultContradict, FaultOmit, FaultDelay:
		return false
	}
	return true
}

// Chance is a fault with the probability of injecting it into a request.
type Chance struct {
	P     float64
	Fault Fault
}

type faultPlan struct {
	next   []Fault // consumed first, one per request
	chance []Chance
	rng    *rand.Rand
}

// FailNext injects f into the next n requests to endpoint (a chatrecall
// Endpoint constant).
func (s *Server) FailNext(endpoint string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.plan(endpoint)
	for i := 0; i < n; i++ {
		p.next = append(p.next, f)
	}
}

// FailRandomly injects each fault into requests to endpoint with its
// probability, drawn from a generator seeded with seed. Probabilities add
// up: at most one fault per request.
func (s *Server) FailRandomly(endpoint string, seed uint64, chances ...Chance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.plan(endpoint)
	p.chance = append([]Chance(nil), chances...)
	p.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func (s *Server) plan(ep string) *faultPlan {
	p := s.faults[ep]
	if p == nil {
		p = &faultPlan{}
		s.faults[ep] = p
	}
	return p
}

func (s *Server) drawFault(ep string) (Fault, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.faults[ep]
	if p == nil {
		return Fault{}, ""
	}
	if len(p.next) > 0 {
		f := p.next[0]
		p.next = p.next[1:]
		return f, f.Name()
	}
	if p.rng == nil {
		return Fault{}, ""
	}
	u := p.rng.Float64()
	for _, c := range p.chance {
		if u < c.P {
			return c.Fault, c.Fault.Name()
		}
		u -= c.P
	}
	return Fault{}, ""
}

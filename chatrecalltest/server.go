package chatrecalltest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
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

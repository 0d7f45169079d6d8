package chatrecall

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// Endpoint names, used in errors, logs, rate-limit keys and WithRateLimit.
const (
	EndpointGroupRecall    = "group_msg_recall"
	EndpointOfficialRecall = "official_account_msg_recall"
	EndpointPushRevoke     = "timpush/revoke"
	EndpointC2CRecall      = "admin_msgwithdraw"
	EndpointTPNSStop       = "tpns/stop_push_msg"
	EndpointTPNSRevoke     = "tpns/revoke_push_msg"
	EndpointTPNSCancel     = "tpns/cancel_timing_task"
	EndpointTPNSRecord     = "tpns/get_push_record"
	// History and delete-by-sender, used by the sweep.
	EndpointGroupHistory        = "group_msg_get_simple"
	EndpointC2CHistory          = "admin_getroammsg"
	EndpointOfficialHistory     = "official_account_msg_get_simple"
	EndpointGroupDeleteBySender = "delete_group_msg_by_sender"
	// Containment of an account (spec section 7).
	EndpointSetNoSpeaking = "setnospeaking"
	EndpointGetNoSpeaking = "getnospeaking"
	EndpointKick          = "kick"
	// Push take-back (spec section 8): scheduled tasks (5/s each), and how
	// far a push got (1/s each).
	EndpointSchedList      = "timpush/list_sched_task"
	EndpointSchedGet       = "timpush/get_sched_task"
	EndpointSchedDelete    = "timpush/delete_sched_task"
	EndpointPushStatistics = "timpush/all_member_push_statistics"
	EndpointPushTrace      = "timpush/all_member_push_trace"
	// EndpointGroupMute is forbid_send_msg (mute members in a group);
	// EndpointGroupMuted is get_group_muted_account (read them back).
	EndpointGroupMute  = "forbid_send_msg"
	EndpointGroupMuted = "get_group_muted_account"
	// Discovery of the conversations an account touched (spec section 6).
	EndpointJoinedGroups   = "get_joined_group_list"
	EndpointRecentContacts = "recentcontact/get_list"
	// EndpointTPNSPush is /v3/push/app for token and account audiences.
	EndpointTPNSPush = "tpns/push_app"
	// endpointTPNSPushBroadcast is /v3/push/app for all, tag and package
	// audiences, which share a limit of 1 call per second.
	endpointTPNSPushBroadcast = "tpns/push_app_broadcast"
)

// DefaultIdentifier is the admin account used when Config.Identifier is empty.
const DefaultIdentifier = "administrator"

// DefaultTimeout bounds each attempt. The service gives up after about 3 s,
// so the client waits longer than that before calling an attempt failed.
const DefaultTimeout = 10 * time.Second

// DefaultConcurrency is how many requests of one multi-item recall are in
// flight at once.
const DefaultConcurrency = 4

// maxResponseBytes caps how much of a response body is read.
const maxResponseBytes = 1 << 20

// Config identifies the app and the credentials the client signs with.
// Printing a Config (any fmt verb, or slog) never shows the secret key.
type Config struct {
	// SDKAppID is the app's ID from the Chat console. Required for Chat.
	SDKAppID uint64
	// Identifier is the App admin account requests are made as. Empty means
	// DefaultIdentifier ("administrator").
	Identifier string
	// SecretKey is the app's key; the client makes and renews the admin
	// UserSig from it. Set SecretKey or Signer, not both.
	SecretKey string
	// Signer supplies UserSigs instead of SecretKey.
	Signer Signer
	// Region is the data centre of the app. Required unless BaseURL is set.
	Region Region
	// BaseURL, when set, replaces the region's domains (a proxy, a test
	// server such as chatrecalltest). Scheme and host, and optionally a path
	// prefix: "http://127.0.0.1:8080".
	BaseURL string
	// TPNS configures the TPNS methods. Nil for Chat-only use.
	TPNS *TPNSConfig
}

func (c Config) chatEmpty() bool {
	return c.SDKAppID == 0 && c.SecretKey == "" && c.Signer == nil && c.Region == "" && c.BaseURL == "" && c.Identifier == ""
}

// String describes the Config with the secret key redacted.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("chatrecall.Config{SDKAppID:")
	b.WriteString(strconv.FormatUint(c.SDKAppID, 10))
	b.WriteString(" Identifier:")
	b.WriteString(strconv.Quote(c.Identifier))
	b.WriteString(" SecretKey:")
	b.WriteString(redactedMark(c.SecretKey))
	b.WriteString(" Signer:")
	if c.Signer != nil {
		fmt.Fprintf(&b, "%T", c.Signer)
	} else {
		b.WriteString("<nil>")
	}
	b.WriteString(" Region:")
	b.WriteString(string(c.Region))
	b.WriteString(" BaseURL:")
	b.WriteString(strconv.Quote(c.BaseURL))
	b.WriteString(" TPNS:")
	if c.TPNS != nil {
		b.WriteString(c.TPNS.String())
	} else {
		b.WriteString("<nil>")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c Config) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue makes slog print the Config with the secret key redacted.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Uint64("sdkappid", c.SDKAppID),
		slog.String("identifier", c.Identifier),
		slog.String("secret_key", redactedMark(c.SecretKey)),
		slog.String("region", string(c.Region)),
		slog.String("base_url", c.BaseURL),
	}
	if c.TPNS != nil {
		attrs = append(attrs, slog.Any("tpns", c.TPNS.LogValue()))
	}
	return slog.GroupValue(attrs...)
}

func redactedMark(secret string) string {
	if secret == "" {
		return `""`
	}
	return "REDACTED"
}

func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// Option configures a Client. Options check their input: NewClient fails
// with a message naming the option when one is given a bad value.
type Option func(*settings) error

type settings struct {
	httpClient  *http.Client
	timeout     time.Duration
	logger      *slog.Logger
	clock       Clock
	retry       RetryPolicy
	limiter     Limiter
	limits      map[string]limitSpec
	concurrency int
	sigTTL      time.Duration
	hooks       Hooks
	cooldown    time.Duration
}

// WithHTTPClient sets the HTTP client requests are sent with: its Transport
// (read at each request, so httpmock.ActivateNonDefault(hc) works before or
// after NewClient) and its Timeout, which applies on top of WithTimeout.
// Redirects are never followed, whatever hc.CheckRedirect says: a redirect
// would carry the signed URL to another host (and in its Referer), so a 3xx
// answer is reported as an *HTTPError instead.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("chatrecall: WithHTTPClient: client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt (default 10 s). The service itself gives
// up after about 3 s, so values under that turn slow successes into
// failures of unknown outcome.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("chatrecall: WithTimeout: timeout must be positive, got %s", d)
		}
		s.timeout = d
		return nil
	}
}

// WithLogger sets a logger. Each attempt is logged at debug level (endpoint,
// attempt, host, status, code, duration); renewals and failovers at info.
// Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("chatrecall: WithLogger: logger is nil")
		}
		s.logger = l
		return nil
	}
}

// WithClock sets the clock used for UserSig times, renewals, backoff waits,
// rate limiting and failover cool-downs. A client with its own clock gets its
// own rate-limit buckets, not the process-wide ones.
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("chatrecall: WithClock: clock is nil")
		}
		s.clock = c
		return nil
	}
}

// WithRetry sets the retry policy. WithRetry(NoRetry()) turns retries off.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		p, err := p.withDefaults()
		if err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithRateLimit tells the client the service's frequency limit for one
// endpoint (an Endpoint constant) when it differs from the documented one,
// for example after buying a paid add-on: at most n calls per period. The
// client paces itself at DefaultLimitFactor of it, as it does for the
// documented limits. chatrecalltest.WithRateLimit takes the same arguments
// for the fake's side.
func WithRateLimit(endpoint string, n int, per time.Duration) Option {
	return func(s *settings) error {
		if !knownEndpoints[endpoint] {
			return fmt.Errorf("chatrecall: WithRateLimit: unknown endpoint %q", endpoint)
		}
		if n < 1 || per <= 0 {
			return fmt.Errorf("chatrecall: WithRateLimit: %s: need at least 1 call per a positive period, got %d per %s", endpoint, n, per)
		}
		l := serviceLimit{n, per}.pace()
		s.limits[endpoint] = l
		if endpoint == EndpointTPNSPush {
			s.limits[endpointTPNSPushBroadcast] = l
		}
		return nil
	}
}

// WithoutRateLimits turns the client-side pacing off for every endpoint:
// for a fake service without limits (chatrecalltest.WithoutRateLimits), or
// a dry run. Against the real service, calls over its limits are refused.
func WithoutRateLimits() Option {
	return func(s *settings) error {
		for ep := range s.limits {
			s.limits[ep] = limitSpec{rate.Inf, 0}
		}
		return nil
	}
}

// WithLimiter replaces the in-process limiter, for example with one shared
// through Redis (package redislimit).
func WithLimiter(l Limiter) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("chatrecall: WithLimiter: limiter is nil")
		}
		s.limiter = l
		return nil
	}
}

// WithConcurrency sets how many requests of one multi-item recall may be in
// flight at once (default 4).
func WithConcurrency(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("chatrecall: WithConcurrency: need at least 1, got %d", n)
		}
		s.concurrency = n
		return nil
	}
}

// WithUserSigTTL sets the validity of the admin UserSig the client makes
// from Config.SecretKey (default 24 h). It is renewed after 3/4 of it.
func WithUserSigTTL(d time.Duration) Option {
	return func(s *settings) error {
		if d < time.Minute {
			return fmt.Errorf("chatrecall: WithUserSigTTL: need at least 1m, got %s", d)
		}
		s.sigTTL = d
		return nil
	}
}

// WithFailoverCooldown sets how long the client uses the backup domain after
// the primary failed to resolve or connect (default 1 minute).
func WithFailoverCooldown(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("chatrecall: WithFailoverCooldown: need a positive duration, got %s", d)
		}
		s.cooldown = d
		return nil
	}
}

// AttemptInfo describes one HTTP attempt, for metrics and tracing.
type AttemptInfo struct {
	Endpoint   string        // an Endpoint constant
	Attempt    int           // 1 for the first attempt
	Start      time.Time     // when the attempt was sent
	Items      int           // items the request carried (1 for single-item endpoints)
	Host       string        // the host called
	StatusCode int           // HTTP status, 0 when no response arrived
	Code       Code          // the service's error code, 0 on success or when none was read
	Sent       bool          // the request may have reached the service
	Duration   time.Duration // from sending to the end of reading the response
	Err        error         // nil on success; secrets already redacted
}

// WithAttemptHook calls fn after every attempt, on the calling goroutine.
// It is the place to export metrics or trace spans without wrapping the
// transport; fn must be quick and safe for concurrent use.
func WithAttemptHook(fn func(context.Context, AttemptInfo)) Option {
	return func(s *settings) error {
		if fn == nil {
			return errors.New("chatrecall: WithAttemptHook: hook is nil")
		}
		s.hooks = s.hooks.and(Hooks{Attempt: fn})
		return nil
	}
}

// Client calls the recall APIs. It is safe for concurrent use; make one per
// app and reuse it. Printing a Client never shows a secret.
type Client struct {
	sdkAppID    uint64
	identifier  string
	region      Region
	chat        bool // Chat is configured
	hosts       *hostSet
	queryPrefix string
	sig         *sigCache
	secrets     []string // for redaction
	transport   *transport
	timeout     time.Duration
	logger      *slog.Logger
	clock       Clock
	retry       RetryPolicy
	budget      *retryBudget
	limiter     Limiter
	limitReqs   map[string]LimitRequest
	concurrency int
	hooks       Hooks
	tpns        *tpnsClient
}

// NewClient checks cfg and the options and returns a ready Client. Every
// missing or malformed setting fails here, with a message naming the field.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	s := settings{
		timeout:     DefaultTimeout,
		clock:       SystemClock(),
		retry:       DefaultRetryPolicy(),
		limits:      defaultLimits(),
		concurrency: DefaultConcurrency,
		sigTTL:      DefaultUserSigTTL,
		cooldown:    time.Minute,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("chatrecall: NewClient: nil Option")
		}
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	rt := &transport{user: s.httpClient, snap: http.DefaultTransport}
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		rt.own = t.Clone()
		rt.own.MaxIdleConnsPerHost = 64
	}
	if s.limiter == nil {
		if _, system := s.clock.(systemClock); system {
			s.limiter = processLimiter
		} else {
			s.limiter = NewLocalLimiter(s.clock)
		}
	}
	c := &Client{
		sdkAppID:    cfg.SDKAppID,
		region:      cfg.Region,
		transport:   rt,
		timeout:     s.timeout,
		logger:      s.logger,
		clock:       s.clock,
		retry:       s.retry,
		budget:      newRetryBudget(s.retry.Budget),
		limiter:     s.limiter,
		concurrency: s.concurrency,
		hooks:       s.hooks,
	}
	if cfg.TPNS == nil || !cfg.chatEmpty() {
		if err := c.initChat(cfg, s); err != nil {
			return nil, err
		}
	}
	if cfg.TPNS != nil {
		t, err := newTPNSClient(*cfg.TPNS)
		if err != nil {
			return nil, err
		}
		c.tpns = t
		basic := TPNSBasicAuth(t.accessID, cfg.TPNS.SecretKey)
		c.secrets = append(c.secrets, cfg.TPNS.SecretKey, strings.TrimPrefix(basic, "Basic "), t.accessID+":"+cfg.TPNS.SecretKey)
	}
	// Limits belong to the service a client talks to: clients of one app
	// share them, and a client with a BaseURL (a proxy, a fake service)
	// shares them only with clients of the same app at the same host, so
	// tests against separate fakes never wait for each other.
	chatKey := chatApp(c.sdkAppID)
	if cfg.BaseURL != "" && c.hosts != nil {
		chatKey += "@" + c.hosts.primary
	}
	c.limitReqs = make(map[string]LimitRequest, len(s.limits))
	for ep, l := range s.limits {
		app := chatKey
		if isTPNSEndpoint(ep) && c.tpns != nil {
			app = "tpns:" + c.tpns.accessID
			if cfg.TPNS.BaseURL != "" {
				app += "@" + c.tpns.host
			}
		}
		key := ep
		if ep == endpointTPNSPushBroadcast {
			key = EndpointTPNSPush + ":broadcast"
		}
		c.limitReqs[ep] = LimitRequest{Key: limitKey(app, key), App: app, Endpoint: ep, Limit: l.limit, Burst: l.burst}
	}
	return c, nil
}

func (c *Client) initChat(cfg Config, s settings) error {
	if cfg.SDKAppID == 0 {
		return errors.New("chatrecall: Config.SDKAppID is required (the app's ID in the Chat console), got 0")
	}
	c.identifier = cfg.Identifier
	if c.identifier == "" {
		c.identifier = DefaultIdentifier
	}
	if strings.TrimSpace(c.identifier) != c.identifier || strings.ContainsAny(c.identifier, "\r\n\t") {
		return fmt.Errorf("chatrecall: Config.Identifier %q has leading, trailing or control whitespace", c.identifier)
	}
	if !utf8.ValidString(c.identifier) || len(c.identifier) > 1024 {
		return fmt.Errorf("chatrecall: Config.Identifier %q must be valid UTF-8 of at most 1024 bytes", c.identifier)
	}
	switch {
	case cfg.SecretKey == "" && cfg.Signer == nil:
		return errors.New("chatrecall: Config.SecretKey or Config.Signer is required to sign requests; both are empty")
	case cfg.SecretKey != "" && cfg.Signer != nil:
		return errors.New("chatrecall: set Config.SecretKey or Config.Signer, not both")
	}
	if cfg.Region != "" && !cfg.Region.Valid() {
		return fmt.Errorf("chatrecall: Config.Region %q is not a known region; use one of %s (or ParseRegion)", string(cfg.Region), regionNames())
	}
	hosts, err := newHostSet(cfg.Region, cfg.BaseURL, "Config.BaseURL", s.clock, s.cooldown)
	if err != nil {
		return err
	}
	c.hosts = hosts
	c.chat = true
	c.queryPrefix = "sdkappid=" + strconv.FormatUint(cfg.SDKAppID, 10) +
		"&identifier=" + url.QueryEscape(c.identifier) + "&usersig="
	c.sig = newSigCache(s.clock, nil)
	if cfg.SecretKey != "" {
		c.sig.source = newKeySigSource(s.clock, cfg.SDKAppID, cfg.SecretKey, c.identifier, s.sigTTL)
		c.secrets = append(c.secrets, cfg.SecretKey)
	} else {
		c.sig.source = newSignerSigSource(cfg.Signer, cfg.SDKAppID, c.identifier)
	}
	return nil
}

// transport sends through the caller's http.Client transport, or through
// http.DefaultTransport: a clone with more idle connections per host while
// http.DefaultTransport is what it was when the client was made, and
// http.DefaultTransport itself once something (httpmock.Activate, a tracing
// wrapper) replaced it.
type transport struct {
	user *http.Client
	snap http.RoundTripper
	own  *http.Transport
}

func (t *transport) base(rt http.RoundTripper) http.RoundTripper {
	switch {
	case rt != nil:
		return rt
	case t.own != nil && http.DefaultTransport == t.snap:
		return t.own
	}
	return http.DefaultTransport
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// do sends req and returns the answer, whatever its status. It is what
// http.Client.Do would do with redirects refused, without the Client: a
// Client's own work is following redirects (never wanted: a redirect would
// carry the signed URL to another host, and in a Referer), cookies (the
// APIs set none) and keeping a copy of every request's headers for those
// redirects. What a Client promises its callers is kept: the caller's
// Client.Timeout bounds the exchange, body included; a transport's error
// comes wrapped in a *url.Error; a response always has a Body.
func (t *transport) do(req *http.Request) (*http.Response, error) {
	var rt http.RoundTripper
	var cancel context.CancelFunc
	if t.user != nil {
		rt = t.user.Transport
		if t.user.Timeout > 0 {
			var ctx context.Context
			ctx, cancel = context.WithTimeout(req.Context(), t.user.Timeout)
			req = req.WithContext(ctx)
		}
	}
	rt = t.base(rt)
	resp, err := rt.RoundTrip(req)
	if err == nil && resp == nil {
		err = fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", rt)
	}
	if err != nil {
		if cancel != nil {
			cancel()
		}
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) && string(rh.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch // an https URL answered by plain HTTP
		}
		return nil, &url.Error{Op: "Post", URL: req.URL.String(), Err: err}
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	if cancel != nil {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	return resp, nil
}

// SDKAppID returns the app the client calls.
func (c *Client) SDKAppID() uint64 { return c.sdkAppID }

// Identifier returns the admin account the client calls as.
func (c *Client) Identifier() string { return c.identifier }

// RateLimit returns the rate, in calls per second, the client paces
// endpoint's calls to (rate.Inf when it does not pace them, as with
// WithoutRateLimits). Workflows that keep many requests in flight (package
// sweep) size their windows from it.
func (c *Client) RateLimit(endpoint string) rate.Limit {
	if l, ok := c.limitReqs[endpoint]; ok && l.Limit > 0 {
		return l.Limit
	}
	return rate.Inf
}

// String describes the client without secrets.
func (c *Client) String() string {
	s := fmt.Sprintf("chatrecall.Client{SDKAppID:%d Identifier:%q Region:%s", c.sdkAppID, c.identifier, c.region)
	if c.hosts != nil {
		s += " Host:" + c.hosts.primary
	}
	if c.tpns != nil {
		s += " TPNS:" + c.tpns.accessID + "@" + c.tpns.host
	}
	return s + "}"
}

// GoString is String, so %#v redacts too.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue makes slog print the client without secrets.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// hostSet picks the domain of each Chat attempt: the primary, or the backup
// for a cool-down after the primary failed to resolve or connect.
type hostSet struct {
	scheme    string
	primary   string
	backup    string
	path      string
	clock     Clock
	cooldown  time.Duration
	downUntil atomic.Int64 // unix nanoseconds; 0: primary is up
}

func newHostSet(region Region, baseURL, field string, clock Clock, cooldown time.Duration) (*hostSet, error) {
	h := &hostSet{clock: clock, cooldown: cooldown}
	if baseURL == "" {
		if region == "" {
			return nil, errors.New("chatrecall: Config.Region is required (there is no default: an app's data lives in one region); or set Config.BaseURL")
		}
		h.scheme, h.primary, h.backup = "https", region.PrimaryDomain(), region.BackupDomain()
		return h, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("chatrecall: %s %q must be an http or https URL with a host and no query or user info", field, baseURL)
	}
	h.scheme, h.primary, h.path = u.Scheme, u.Host, strings.TrimRight(u.Path, "/")
	return h, nil
}

func (h *hostSet) pick() string {
	if h.backup != "" {
		if until := h.downUntil.Load(); until != 0 && h.clock.Now().UnixNano() < until {
			return h.backup
		}
	}
	return h.primary
}

// failed records a connect failure on host and reports whether the client
// switched domains because of it.
func (h *hostSet) failed(host string) bool {
	switch {
	case h.backup == "":
		return false
	case host == h.primary:
		h.downUntil.Store(h.clock.Now().Add(h.cooldown).UnixNano())
		return true
	}
	// The backup fails too. Going back to a primary still in its cool-down
	// would flap between two failing hosts; the primary is tried again when
	// its cool-down ends.
	return false
}

// optInt is an integer that remembers whether it was present, without
// the allocation of a *int.
type optInt struct {
	v   int
	set bool
}

// UnmarshalJSON reads a JSON integer; null leaves it unset.
func (o *optInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("not an integer: %.20q", b)
	}
	o.v, o.set = n, true
	return nil
}

// chatEnvelope is the part every Chat response shares.
type chatEnvelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    optInt `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

func (e *chatEnvelope) result() (Code, string, bool) {
	if !e.ErrorCode.set {
		// Some responses omit ErrorCode; success is then ActionStatus "OK".
		return 0, "", e.ActionStatus == "OK"
	}
	return Code(e.ErrorCode.v), e.ErrorInfo, true
}

func errChatNotConfigured(method string) error {
	return &ValidationError{Method: method, Field: "Config", Problem: "Chat is not configured: set SDKAppID, SecretKey (or Signer) and Region"}
}

func (c *Client) observe(ctx context.Context, a AttemptInfo) {
	if a.Code == 0 {
		var apiErr *APIError
		if errors.As(a.Err, &apiErr) {
			a.Code = apiErr.Code
		}
	}
	if c.hooks.Attempt != nil {
		c.hooks.Attempt(ctx, a)
	}
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("endpoint", a.Endpoint),
			slog.Int("attempt", a.Attempt),
			slog.String("host", a.Host),
			slog.Int("status", a.StatusCode),
			slog.Int("code", int(a.Code)),
			slog.Duration("duration", a.Duration),
		}
		if a.Err != nil {
			attrs = append(attrs, slog.String("error", a.Err.Error()))
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "chatrecall attempt", attrs...)
	}
}

func (c *Client) logInfo(ctx context.Context, msg, endpoint string, code Code) {
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("endpoint", endpoint), slog.Int("code", int(code)))
	}
}

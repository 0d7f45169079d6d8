package chatrecall

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/chatrecall/chatrecall/internal/tpnsauth"
	"golang.org/x/time/rate"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

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
	red         atomic.Pointer[genRedactor]
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
			s.limiter = sharedLimiter()
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
		basic := tpnsauth.BasicAuth(t.accessID, cfg.TPNS.SecretKey)
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

func errChatNotConfigured(method string) error {
	return &ValidationError{Method: method, Field: "Config", Problem: "Chat is not configured: set SDKAppID, SecretKey (or Signer) and Region"}
}

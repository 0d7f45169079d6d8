package chatrecalltest

import (
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file configures a Server: credentials, clock, limits, latency.

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

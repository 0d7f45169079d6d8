package chatrecalltest

import (
	"strings"

	"github.com/chatrecall/chatrecall"
)

// This file enforces the documented frequency limits.

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

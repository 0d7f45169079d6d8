package chatrecalltest

import (
	"fmt"
	"time"
)

// WithChangeLog calls f with each request that changed the server's state
// (Request.Applied), once the change is made and before its answer is
// written: whatever a client saw answered is in the log. Replaying the log
// into a server seeded the same way rebuilds the state (Replay); the
// chatrecall CLI keeps its --demo fake across runs this way. f runs while
// the request is served, one request at a time.
func WithChangeLog(f func(Request)) Option { return func(s *Server) { s.changeLog = f } }

// Replay applies the changes of recorded requests again, in order, each as
// if the server's clock read its At: what a server seeded the same way
// looked like after them. Requests that changed nothing are skipped; no
// fault, frequency limit, latency or callback applies, and nothing is
// recorded in Requests. Call it before the server serves requests. It
// stops at the first request that no longer applies (the seed differs from
// the one it was recorded against) and says which.
func (s *Server) Replay(reqs ...Request) error {
	real := s.clock
	defer func() { s.clock = real }()
	for i, r := range reqs {
		if !r.Applied {
			continue
		}
		s.clock = fixedClock(r.At)
		x := &exchange{ep: r.Endpoint, body: r.Body}
		var applied []string
		var code int
		switch {
		case chatPathOf(r.Endpoint) != "":
			_, c, a := s.applyChat(x)
			applied, code = a, int(c)
		case isTPNS(r.Endpoint):
			_, c, a := s.applyTPNS(x)
			applied, code = a, int(c)
		default:
			return fmt.Errorf("chatrecalltest: replay: request %d: unknown endpoint %q", i, r.Endpoint)
		}
		if applied == nil {
			return fmt.Errorf("chatrecalltest: replay: request %d (%s) no longer applies (code %d): the server was seeded differently", i, r.Endpoint, code)
		}
	}
	return nil
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// chatPathOf returns the path of a Chat endpoint, or "".
func chatPathOf(ep string) string {
	for p, e := range chatPaths {
		if e == ep {
			return p
		}
	}
	return ""
}

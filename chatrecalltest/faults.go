package chatrecalltest

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file scripts the faults a test asks for.

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

package chatrecall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// This file is the one attempt layer every endpoint goes through. An
// endpoint method validates its input and describes its request as a job;
// runJob sends it, as one request or as chunks of up to 10 items, and writes
// exactly one outcome per item. Each attempt limits, signs, builds a fresh
// request, sends it, decodes into a fresh value and classifies every item it
// carried as done, failed, or to be sent again, remembering whether an
// attempt may have taken effect.

// endpoint is the fixed description of one REST API.
type endpoint struct {
	name  string // an Endpoint constant: errors, logs, hooks, code tables
	path  string
	limit string // the rate limit it counts against
	tpns  bool
	// idempotent: sending the request again after an attempt that may have
	// taken effect does no harm (a recall of something already recalled is
	// answered with a "gone" code). A push is not: it would be delivered
	// twice.
	idempotent bool
	// read: the request changes nothing (a history page), so no attempt
	// can leave it "applied": a failure is only a failure.
	read bool
	// gone are the codes meaning "not there any more". After an attempt that
	// may have taken effect, they confirm that it did.
	gone []Code
	// absent are codes meaning the item never existed, which no earlier
	// attempt could have changed: they stay definite after an ambiguous
	// attempt.
	absent []Code
	// fatal are whole-request codes that every other request of the same
	// operation would get too (besides the auth, permission and disabled
	// categories): the operation stops sending.
	fatal []Code
}

func (e *endpoint) has(list []Code, code Code) bool {
	for _, c := range list {
		if c == code {
			return true
		}
	}
	return false
}

var (
	epGroupRecall = &endpoint{name: EndpointGroupRecall, path: "/v4/group_open_http_svc/group_msg_recall", limit: EndpointGroupRecall,
		idempotent: true, gone: []Code{CodeGroupMsgNotFound},
		fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupTypeNoRecall, CodeGroupRecallForbidden, CodeGroupNoPermission, CodeGroupInvalidCommand}}
	epOfficialRecall = &endpoint{name: EndpointOfficialRecall, path: "/v4/official_account_open_http_svc/official_account_msg_recall", limit: EndpointOfficialRecall,
		idempotent: true, gone: []Code{CodeOfficialMsgNotFound},
		fatal: []Code{CodeOfficialAccountNotFound, CodeOfficialAccountIDInvalid, CodeOfficialNoPermission, CodeOfficialInvalidCommand}}
	epPushRevoke = &endpoint{name: EndpointPushRevoke, path: "/v4/timpush/revoke", limit: EndpointPushRevoke,
		idempotent: true, gone: []Code{CodePushAlreadyRevoked}, absent: []Code{CodePushTaskNotFound}}
	epC2CRecall = &endpoint{name: EndpointC2CRecall, path: "/v4/openim/admin_msgwithdraw", limit: EndpointC2CRecall,
		idempotent: true, gone: []Code{CodeC2CAlreadyRecalled}, absent: []Code{CodeC2CMsgNotFound}}
	epTPNSStop   = &endpoint{name: EndpointTPNSStop, path: "/v3/push/stop_push_msg", limit: EndpointTPNSStop, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}}
	epTPNSRevoke = &endpoint{name: EndpointTPNSRevoke, path: "/v3/push/revoke_push_msg", limit: EndpointTPNSRevoke, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}}
	epTPNSCancel = &endpoint{name: EndpointTPNSCancel, path: "/v3/push/cancel_timing_task", limit: EndpointTPNSCancel, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}}
	epTPNSRecord = &endpoint{name: EndpointTPNSRecord, path: "/v3/statistics/get_push_record", limit: EndpointTPNSRecord, tpns: true, idempotent: true}
	// Pushes to tokens and accounts, and to all, tag and package audiences
	// (1 per second): one path, two limits. Never resent once they may have
	// been delivered.
	epTPNSPush          = &endpoint{name: EndpointTPNSPush, path: "/v3/push/app", limit: EndpointTPNSPush, tpns: true}
	epTPNSPushBroadcast = &endpoint{name: EndpointTPNSPush, path: "/v3/push/app", limit: endpointTPNSPushBroadcast, tpns: true}
)

// endpointNamed returns the endpoint an error names, for Repeats; nil if
// none. (The two TPNS push endpoints share a name and have no
// whole-request codes of their own.)
func endpointNamed(name string) *endpoint {
	for _, ep := range []*endpoint{epGroupRecall, epOfficialRecall, epPushRevoke, epC2CRecall, epTPNSStop, epTPNSRevoke,
		epTPNSCancel, epTPNSRecord, epTPNSPush, epGroupHistory, epC2CHistory, epOfficialHistory, epGroupDeleteBySender,
		epSetNoSpeaking, epGetNoSpeaking, epKick, epJoinedGroups, epRecentContacts} {
		if ep.name == name {
			return ep
		}
	}
	return nil
}

// response is a decoded response body that knows its outcome.
type response interface {
	// result returns the service's code and text; ok is false when the body
	// carried neither.
	result() (code Code, info string, ok bool)
}

// answerKind says what a multi-item response's list says of one item.
type answerKind int

const (
	answerNoList        answerKind = iota // the response carried no list at all
	answerUnlisted                        // a list, but the item is not in it (or only with a null code)
	answerCoded                           // listed with one code
	answerContradictory                   // listed more than once with different codes
)

type listAnswer struct {
	kind answerKind
	code Code
}

// add folds one list entry for the item into a.
func (a listAnswer) add(code optInt) listAnswer {
	if !code.set {
		return a // an entry without a code says nothing
	}
	switch a.kind {
	case answerCoded:
		if a.code != Code(code.v) {
			return listAnswer{kind: answerContradictory}
		}
		return a
	case answerContradictory:
		return a
	}
	return listAnswer{kind: answerCoded, code: Code(code.v)}
}

// job is one operation for runJob: n items, and how to put items into a
// request and read their answers back.
type job struct {
	method string
	ep     *endpoint
	n      int
	// body returns a new request body carrying the items idx. Each attempt
	// gets its own bytes: the transport may still read the last attempt's.
	body func(idx []int) ([]byte, error)
	// newResp returns a fresh value to decode one answer into.
	newResp func() response
	// answer reads what a response lists for item i; nil for single-item
	// endpoints, whose outcome is the response's own code.
	answer func(resp response, i int) listAnswer
	// batch: items go out in chunks of maxItemsPerRequest, concurrently.
	batch bool
	// got is the answer that completed a single-item job.
	got response
	// op is the operation, for the ItemOutcome hook.
	op Operation
	// maybe marks items an earlier run may have applied.
	maybe func(i int) bool
}

// Result is what a single-item call knows when it succeeded: whether the
// success was answered directly, or settled after an attempt whose answer
// was lost.
type Result struct {
	Endpoint string // an Endpoint constant
	// ConfirmedByRetry: an attempt that may have taken effect got no
	// answer, and a later attempt heard "already gone" (20023, 90050).
	ConfirmedByRetry bool
	// ConfirmedByRecord: a TPNS stop, revoke or cancel whose answer was
	// lost, confirmed by the task's status in get_push_record.
	ConfirmedByRecord bool
}

// single runs a one-item request of operation op: req is encoded once, and
// each attempt sends its own copy. maybe says an attempt outside this call
// may already have applied the item (a resumed run). It returns the answer
// that completed it, whether that success was confirmed by a retry, and the
// item's error.
func (c *Client) single(ctx context.Context, method string, ep *endpoint, req any, newResp func() response, op Operation, maybe bool) (response, bool, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, false, invalidf(method, "request", "cannot be encoded as JSON: %v", err)
	}
	j := &job{method: method, ep: ep, n: 1, newResp: newResp, op: op,
		body: func([]int) ([]byte, error) { return bytes.Clone(body), nil }}
	if maybe {
		j.maybe = func(int) bool { return true }
	}
	st, _ := c.runJob(ctx, j)
	return j.got, st[0].confirmed, st[0].err
}

// itemState is what the loop knows of one item.
type itemState struct {
	final     bool
	err       error // with final: nil means done
	confirmed bool  // done, as shown by a "gone" answer after an ambiguous attempt
	maybe     bool  // an attempt carrying the item may have taken effect
	reached   bool  // an attempt carrying the item may have reached the service
	last      error // the last failure seen
	reported  bool  // given to the ItemOutcome hook
}

func (s *itemState) done(confirmed bool) {
	s.final, s.err, s.confirmed = true, nil, confirmed
}

func (s *itemState) fail(err error) {
	s.final, s.err = true, err
}

// end gives a pending item its final outcome when no attempt is left:
// unknown if an attempt may have taken effect, "not sent" if no attempt
// reached the service, and the last failure otherwise. cause, when set, is
// why the loop stopped (the context's end, or a failure of the whole
// operation) and is kept in the error.
func (s *itemState) end(cause error) {
	switch {
	case s.maybe:
		s.fail(&unknownError{last: s.last, cause: cause})
	case s.last == nil || !s.reached:
		if cause == nil {
			cause = s.last
		}
		s.fail(&NotSentError{Cause: cause, Last: s.last})
	case cause != nil && !errors.Is(s.last, cause):
		s.fail(&stoppedError{cause: cause, last: s.last})
	default:
		s.fail(s.last)
	}
}

// stopFlag carries the failure that stops a whole operation.
type stopFlag struct {
	mu    sync.Mutex
	cause error
}

func (f *stopFlag) set(err error) {
	f.mu.Lock()
	if f.cause == nil {
		f.cause = err
	}
	f.mu.Unlock()
}

func (f *stopFlag) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cause
}

// runJob runs j and returns one state per item, and the failure that
// stopped the operation early, if any.
func (c *Client) runJob(ctx context.Context, j *job) ([]itemState, error) {
	st := make([]itemState, j.n)
	if j.maybe != nil {
		for i := range st {
			if j.maybe(i) {
				st[i].maybe, st[i].reached = true, true
				st[i].last = errEarlierRun
			}
		}
	}
	if !j.batch || j.n <= maxItemsPerRequest {
		var stop stopFlag
		// A full slice expression: a hook that appends to the indexes it
		// is given gets a copy, and never writes into the shared array.
		c.runRequest(ctx, j, firstIndexes[:j.n:j.n], st, &stop)
		c.reportItems(ctx, j, firstIndexes[:j.n:j.n], st)
		return st, stop.get()
	}
	stop := &stopFlag{}
	all := make([]int, j.n)
	for i := range all {
		all[i] = i
	}
	sem := make(chan struct{}, c.concurrency)
	var wg sync.WaitGroup
	for lo := 0; lo < j.n; lo += maxItemsPerRequest {
		hi := min(lo+maxItemsPerRequest, j.n)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		cause := stop.get()
		if cause == nil {
			cause = ctx.Err()
		}
		if cause != nil {
			for i := lo; i < j.n; i++ {
				st[i].end(cause) // never sent: certainly took no effect
			}
			c.reportItems(ctx, j, all[lo:], st)
			break
		}
		wg.Add(1)
		go func(idx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			c.runRequest(ctx, j, idx, st, stop)
			c.reportItems(ctx, j, idx, st)
		}(all[lo:hi])
	}
	wg.Wait()
	if cause := stop.get(); cause != nil {
		return st, cause
	}
	return st, ctx.Err()
}

// firstIndexes is 0…9, the items of a one-request job; never written.
var firstIndexes = [maxItemsPerRequest]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// verdicts of one item after one attempt.
type verdict int

const (
	vDone    verdict = iota
	vRetry           // not applied; may pass if sent again
	vFinal           // not applied (or, after an ambiguous attempt, unknown); will not pass
	vConfirm         // gone, after an ambiguous attempt: done
)

// errEarlierRun is the last failure of an item an earlier run may have
// applied, until this run learns more.
var errEarlierRun = errors.New("chatrecall: an earlier run sent this item and recorded no outcome")

// maxRetryAfter caps how long a Retry-After header can make the client wait.
const maxRetryAfter = 30 * time.Second

// runRequest drives the items idx (one request's worth) through their
// attempts until each has a final outcome.
func (c *Client) runRequest(ctx context.Context, j *job, idx []int, st []itemState, stop *stopFlag) {
	pending := idx // never written: each attempt builds its own next list
	renewed := false
	for attempt := 1; ; attempt++ {
		if cause := stop.get(); cause != nil {
			endAll(st, pending, cause)
			return
		}
		if err := ctx.Err(); err != nil {
			endAll(st, pending, err)
			return
		}
		a := c.attempt(ctx, j, pending, attempt)
		if a.preSend != nil {
			// Nothing left: the limiter wait or the signer failed, the
			// context ended first, or BeforeAttempt refused.
			if ctx.Err() != nil {
				endAll(st, pending, ctx.Err())
				return
			}
			var stopped *stopError
			if errors.As(a.preSend, &stopped) {
				stop.set(stopped.err)
				endAll(st, pending, stopped.err)
				return
			}
			for _, i := range pending {
				st[i].last = a.preSend
			}
			if !retryable(a.preSend) || attempt >= c.retry.MaxAttempts || !c.budget.take() {
				endAll(st, pending, nil)
				return
			}
			if err := c.clock.Sleep(ctx, c.retry.delay(attempt+1)); err != nil {
				endAll(st, pending, err)
				return
			}
			continue
		}
		if a.err == nil {
			c.budget.earn()
		}
		if a.err != nil && fatal(j.ep, a.err) {
			stop.set(a.err)
		}
		next := pending[:0:0]
		renew := false
		for _, i := range pending {
			s := &st[i]
			v, err := c.classify(j, a, i, s)
			if j.ep.read {
				s.maybe = false
			}
			switch v {
			case vDone:
				s.done(false)
				if !j.batch {
					j.got = a.resp
				}
			case vConfirm:
				s.done(true)
				c.logInfo(ctx, "chatrecall: an earlier attempt took effect; the retry confirmed it", j.ep.name, 0)
			case vFinal:
				s.last = err
				if s.maybe && !errors.Is(err, ErrOutcomeUnknown) {
					s.fail(&unknownError{last: err})
				} else {
					s.fail(err)
				}
			case vRetry:
				s.last = err
				if errors.Is(err, ErrUserSigExpired) {
					if renewed {
						// A fresh signature was refused too: retrying
						// will not mend it.
						s.fail(err)
						if s.maybe {
							s.fail(&unknownError{last: err})
						}
						continue
					}
					renew = true
				}
				if s.maybe && !j.ep.idempotent {
					// Sending again could deliver twice: stop here.
					s.end(nil)
					continue
				}
				next = append(next, i)
			}
		}
		c.reportItems(ctx, j, pending, st)
		if len(next) == 0 {
			return
		}
		pending = next
		if renew && !renewed {
			// The service says the UserSig expired. The attempt dropped the
			// cached signature; sign anew and retry at once, once, outside
			// the count.
			renewed = true
			attempt--
			continue
		}
		if attempt >= c.retry.MaxAttempts || !c.budget.take() {
			endAll(st, pending, nil)
			return
		}
		wait := c.retry.delay(attempt + 1)
		if a.retryAfter > 0 {
			wait = max(wait, min(a.retryAfter, maxRetryAfter))
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			endAll(st, pending, err)
			return
		}
	}
}

func endAll(st []itemState, idx []int, cause error) {
	for _, i := range idx {
		if !st[i].final {
			st[i].end(cause)
		}
	}
}

// attemptResult is what one attempt learnt.
type attemptResult struct {
	preSend    error    // failed before anything was sent (limiter, signer)
	resp       response // decoded answer, when one was read
	err        error    // the attempt's failure, nil on a top-level success
	reached    bool     // the request may have reached the service
	maybe      bool     // the request may have taken effect although no answer says so
	retryAfter time.Duration
}

// classify decides what one attempt means for item i.
func (c *Client) classify(j *job, a attemptResult, i int, s *itemState) (verdict, error) {
	if a.reached {
		s.reached = true
	}
	if a.resp == nil {
		// No answer was decoded: the whole request failed.
		if a.maybe {
			s.maybe = true
		}
		if retryable(a.err) {
			return vRetry, a.err
		}
		return vFinal, a.err
	}
	code, info, _ := a.resp.result()
	topErr := a.err
	if j.answer != nil {
		ans := j.answer(a.resp, i)
		switch {
		case ans.kind == answerCoded:
			if ans.code != code {
				code, info = ans.code, ""
			}
		case ans.kind == answerContradictory:
			s.maybe = true
			return vRetry, &DecodeError{Endpoint: j.ep.name, Err: errors.New("the service listed this item more than once with different results")}
		case code == 0:
			// Accepted, yet the service said nothing of this item: it may
			// have been recalled. Send it again.
			s.maybe = true
			return vRetry, &DecodeError{Endpoint: j.ep.name, Err: errors.New("the service reported no result for this item")}
		}
	}
	if code == 0 {
		return vDone, nil
	}
	var err error = topErr
	var apiErr *APIError
	if !errors.As(topErr, &apiErr) || apiErr.Code != code {
		err = &APIError{Endpoint: j.ep.name, Code: code, Info: c.redactExcerpt(info, 1024), StatusCode: http.StatusOK}
	}
	switch {
	case j.ep.has(j.ep.gone, code):
		if s.maybe {
			return vConfirm, nil
		}
		return vFinal, err
	case possiblyApplied(j.ep.name, code):
		s.maybe = true
		return vRetry, err
	case code == CodeUserSigExpired || retryableCode(j.ep.name, code):
		return vRetry, err
	case s.maybe && j.ep.has(j.ep.absent, code):
		// The item does not exist: no earlier attempt can have changed it.
		s.maybe = false
		return vFinal, err
	}
	return vFinal, err
}

// possiblyApplied reports whether a service code may come back after the
// service applied the request: its own "internal error / timeout, retry"
// codes.
func possiblyApplied(endpoint string, code Code) bool {
	info, ok := lookupCode(endpoint, code)
	if !ok {
		return false
	}
	for _, c := range info.cats {
		if c == ErrTemporary {
			return true
		}
	}
	return false
}

// retryableCode reports whether a code is a refusal that may pass later
// (frequency limits), which the service answers before acting.
func retryableCode(endpoint string, code Code) bool {
	if code == CodeTooManyFailedVerifications {
		return false // retrying within the minute only extends the lock-out
	}
	info, _ := lookupCode(endpoint, code)
	for _, c := range info.cats {
		if c == ErrRateLimited {
			return true
		}
	}
	return false
}

// fatal reports whether err failed the whole request in a way every other
// request of the operation would repeat. ep may be nil when the endpoint is
// not known (then its own whole-request codes are not consulted).
func fatal(ep *endpoint, err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		var httpErr *HTTPError
		return errors.As(err, &httpErr) && (httpErr.StatusCode == http.StatusUnauthorized || httpErr.StatusCode == http.StatusForbidden)
	}
	switch {
	case apiErr.Code == CodeUserSigExpired:
		return false // renewed and retried
	case apiErr.Code == CodeTooManyFailedVerifications, ep != nil && ep.has(ep.fatal, apiErr.Code):
		return true
	}
	return apiErr.Is(ErrAuth) || apiErr.Is(ErrPermission) || apiErr.Is(ErrServiceDisabled) ||
		apiErr.Code == CodeHTTPUnparseable || apiErr.Code == CodeBodyNotJSON || apiErr.Code == CodeResourcePathWrong ||
		apiErr.Code == CodeSDKAppIDMissing || apiErr.Code == CodeAccountNotString
}

// attempt makes one attempt for the items idx.
func (c *Client) attempt(ctx context.Context, j *job, idx []int, n int) attemptResult {
	if c.hooks.LimiterWait != nil {
		t0 := time.Now()
		err := c.limiter.Wait(ctx, c.limitReqs[j.ep.limit])
		c.hooks.LimiterWait(ctx, LimiterWait{Endpoint: j.ep.name, Wait: time.Since(t0), Err: err})
		if err != nil {
			return attemptResult{preSend: err}
		}
	} else if err := c.limiter.Wait(ctx, c.limitReqs[j.ep.limit]); err != nil {
		return attemptResult{preSend: err}
	}
	body, err := j.body(idx)
	if err != nil {
		return attemptResult{preSend: &finalError{fmt.Errorf("chatrecall: %s: encoding request: %w", j.method, err)}}
	}
	var (
		url     string
		headers http.Header // beyond Content-Type and User-Agent
		extra   []string    // secrets of this attempt only (a TPNS Sign)
		sig     *cachedSig
		host    string
	)
	if j.ep.tpns {
		t := c.tpns
		host = t.host
		url = t.base + j.ep.path
		if t.auth == TPNSAuthBasic {
			headers = http.Header{"Authorization": t.basic}
		} else {
			ts := c.clock.Now().Unix()
			sign := TPNSSign(t.secret, t.accessID, ts, body)
			extra = append(extra, sign)
			// Canonical keys (Accessid, Timestamp): header names are case
			// insensitive on the wire, and http.Header.Get finds them.
			headers = http.Header{"Accessid": t.accessH, "Timestamp": {strconv.FormatInt(ts, 10)}, "Sign": {sign}}
		}
	} else {
		sig, err = c.sig.get(ctx)
		if err != nil {
			return attemptResult{preSend: err}
		}
		host = c.hosts.pick()
		var q strings.Builder
		q.Grow(len(c.hosts.scheme) + len(host) + len(c.hosts.path) + len(j.ep.path) + len(c.queryPrefix) + len(sig.escaped) + 48)
		q.WriteString(c.hosts.scheme)
		q.WriteString("://")
		q.WriteString(host)
		q.WriteString(c.hosts.path)
		q.WriteString(j.ep.path)
		q.WriteByte('?')
		q.WriteString(c.queryPrefix)
		q.WriteString(sig.escaped)
		q.WriteString("&random=")
		var nb [10]byte
		q.Write(strconv.AppendUint(nb[:0], uint64(rand.Uint32()), 10))
		q.WriteString("&contenttype=json")
		url = q.String()
	}
	if c.hooks.BeforeAttempt != nil {
		if err := c.hooks.BeforeAttempt(ctx, j.op, AttemptStart{Endpoint: j.ep.name, Attempt: n, Items: idx}); err != nil {
			return attemptResult{preSend: &stopError{err}}
		}
	}
	a := c.send(ctx, j.ep.name, n, len(idx), host, url, headers, body, j.newResp(), extra)
	if a.err != nil && !j.ep.tpns {
		c.afterFailure(ctx, j.ep, host, sig, a)
	}
	return a
}

var (
	headerJSON      = []string{"application/json"}
	headerUserAgent = []string{"chatrecall-go/" + Version}
	readBufs        = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// sendTrace records what net/http really did with a request: whether a
// connection was ever obtained, and whether writing the request failed.
type sendTrace struct {
	getConn  atomic.Bool // the transport asked for a connection (net/http is in use)
	gotConn  atomic.Bool // a connection was obtained (TCP and TLS done)
	wroteErr atomic.Bool // the last write of the request failed
	hooks    httptrace.ClientTrace
}

// newSendTrace returns a trace whose hooks record into itself.
func newSendTrace() *sendTrace {
	t := new(sendTrace)
	t.hooks = httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) {
			t.gotConn.Store(true)
			t.wroteErr.Store(false)
		},
		WroteRequest: func(w httptrace.WroteRequestInfo) { t.wroteErr.Store(w.Err != nil) },
	}
	return t
}

// reached reports whether a failed request may have reached the peer. With
// net/http's transport that is decided from what was written: no connection
// (DNS, connect, a TLS handshake that never completed) or a failed write
// means the peer never had the whole request. A transport that reports no
// trace events (a mock, a custom RoundTripper) is judged by its error: DNS,
// dial and TLS errors were not sent, nor was a request httpmock had no
// responder for, and so is an error that matches ErrNotSent (a
// RoundTripper that refuses without sending can say so).
func (t *sendTrace) reached(err error) bool {
	if errors.Is(err, ErrNotSent) {
		return false // the transport says it sent nothing
	}
	if t.getConn.Load() {
		return t.gotConn.Load() && !t.wroteErr.Load()
	}
	return !connectFailure(err) && !mockRefused(err)
}

// send POSTs body and decodes the answer into out. It is the one place
// requests leave; everything it returns is redacted.
func (c *Client) send(ctx context.Context, name string, attempt, items int, host, url string, header http.Header, body []byte, out response, extra []string) (a attemptResult) {
	observed := c.hooks.Attempt != nil || c.logger != nil
	var start time.Time
	if observed {
		start = time.Now()
	}
	status := 0
	defer func() {
		if observed {
			info := AttemptInfo{Endpoint: name, Attempt: attempt, Start: start, Items: items, Host: host, StatusCode: status,
				Sent: a.reached, Duration: time.Since(start), Err: a.err}
			if a.resp != nil {
				info.Code, _, _ = a.resp.result()
			}
			c.observe(ctx, info)
		}
	}()
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	tr := newSendTrace()
	actx = httptrace.WithClientTrace(actx, &tr.hooks)
	// A bytes.Reader body gives the request a GetBody, so net/http can
	// resend it on a fresh connection when a kept-alive one was dead before
	// anything was written.
	req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.preSend = &finalError{&TransportError{Endpoint: name, Host: host, Err: c.redactErr(err, extra)}}
		a.err = a.preSend
		return a
	}
	// The request's own header map, which NewRequestWithContext made.
	req.Header["Content-Type"] = headerJSON
	req.Header["User-Agent"] = headerUserAgent
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.transport.do(req)
	if err != nil {
		a.reached = tr.reached(err)
		a.maybe = a.reached
		a.err = &TransportError{Endpoint: name, Host: host, Sent: a.reached, cert: isCertificateError(err), Err: c.redactErr(err, extra)}
		return a
	}
	defer resp.Body.Close()
	a.reached = true
	status = resp.StatusCode
	// The response is read into a pooled buffer: it is decoded before
	// send returns, and every error keeps its own copy of an excerpt.
	buf := readBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer readBufs.Put(buf)
	_, rerr := buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBytes+1))
	raw := buf.Bytes()
	if rerr != nil {
		a.maybe = true
		a.err = &TransportError{Endpoint: name, Host: host, Sent: true, Err: c.redactErr(rerr, extra)}
		return a
	}
	if status < 200 || status > 299 {
		httpErr := &HTTPError{Endpoint: name, StatusCode: status, Excerpt: c.redactExcerpt(string(raw), 200, extra...)}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			httpErr.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
			a.retryAfter = httpErr.RetryAfter
		}
		a.maybe = status >= 500 // a 5xx may come after the service acted
		a.err = httpErr
		return a
	}
	if len(raw) > maxResponseBytes {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: fmt.Errorf("response larger than %d bytes", maxResponseBytes)}
		return a
	}
	if err := json.Unmarshal(raw, out); err != nil {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: err}
		return a
	}
	code, info, ok := out.result()
	if !ok {
		a.maybe = true
		a.err = &DecodeError{Endpoint: name, Excerpt: c.redactExcerpt(string(raw), 200, extra...), Err: errors.New("no error code in response")}
		return a
	}
	a.resp = out
	if code != 0 {
		a.err = &APIError{Endpoint: name, Code: code, Info: c.redactExcerpt(info, 1024, extra...), StatusCode: status}
	}
	return a
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// afterFailure drops an expired UserSig and switches domains after a
// failure to reach the primary.
func (c *Client) afterFailure(ctx context.Context, ep *endpoint, host string, sig *cachedSig, a attemptResult) {
	var apiErr *APIError
	if errors.As(a.err, &apiErr) && apiErr.Code == CodeUserSigExpired && sig != nil {
		c.sig.invalidate(sig)
		c.logInfo(ctx, "chatrecall: UserSig expired; renewing", ep.name, apiErr.Code)
	}
	var tErr *TransportError
	if errors.As(a.err, &tErr) && !tErr.Sent && ctx.Err() == nil && c.hosts.failed(host) {
		c.logInfo(ctx, "chatrecall: cannot reach "+host+"; switching domain", ep.name, 0)
	}
}

// excerpt returns at most n bytes of s as valid text. Callers redact first,
// so a secret is never cut in two and half of it kept.
func excerpt(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "?")
}

// stopError is BeforeAttempt's refusal: it stops the whole operation.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// finalError marks a failure no retry can mend.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

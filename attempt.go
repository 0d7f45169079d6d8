package chatrecall

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// This file is one attempt and what it means for each item it carried:
// limit, sign, build, send (transport.go), then classify each item as done,
// failed, or to be sent again, and retry within the policy.

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
	// free counts attempts outside the retry count (the one at once after a
	// UserSig renewal): attempt numbers the attempts the hooks see, in
	// order; attempt-free is what the retry policy counts.
	free := 0
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
			if !retryable(a.preSend) || attempt-free >= c.retry.MaxAttempts || !c.budget.take() {
				endAll(st, pending, nil)
				return
			}
			if err := c.clock.Sleep(ctx, c.retry.delay(attempt-free+1)); err != nil {
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
			free++
			continue
		}
		if attempt-free >= c.retry.MaxAttempts || !c.budget.take() {
			endAll(st, pending, nil)
			return
		}
		wait := c.retry.delay(attempt - free + 1)
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
			sign := tpnsauth.Sign(t.secret, t.accessID, ts, body)
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

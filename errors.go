package chatrecall

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall/internal/redact"
)

// Error categories. Every error the client returns matches at least one of
// these with errors.Is, whatever its concrete type (*APIError, *HTTPError,
// *TransportError, *ValidationError, *PartialError, ...):
//
//	if errors.Is(err, chatrecall.ErrRateLimited) { ... }
var (
	ErrInvalidRequest  = errors.New("invalid request")
	ErrAuth            = errors.New("authentication failed")
	ErrUserSigExpired  = errors.New("UserSig expired")
	ErrPermission      = errors.New("permission denied")
	ErrRateLimited     = errors.New("rate limited")
	ErrTemporary       = errors.New("temporary failure")
	ErrNotFound        = errors.New("not found")
	ErrAlreadyRecalled = errors.New("already recalled")
	// ErrGone: the item is not there (any more), and the service does not
	// say why. Group and official-account recalls answer 10030 for "does
	// not exist" and "already recalled" alike; that code matches ErrGone and
	// neither ErrNotFound nor ErrAlreadyRecalled, which would each claim more
	// than the service said. Codes that do say which (20022, 20023, 90049,
	// 90050) match ErrGone and their own category.
	ErrGone                = errors.New("gone")
	ErrRecallWindowExpired = errors.New("recall window expired")
	ErrNotRecallable       = errors.New("not recallable")
	ErrServiceDisabled     = errors.New("service disabled")
	// ErrOfflinePushInfoRequired: the push task kept no roaming or unread
	// copy, so only an overwrite of the notification can take it back, and
	// that needs ChatPushRevoke.OfflinePushInfo.
	ErrOfflinePushInfoRequired = errors.New("offline push info required")
	// ErrOutcomeUnknown: the request may or may not have taken effect (it was
	// sent, and no answer came back before attempts ran out). It is never
	// reported as success or failure.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrTPNSNotConfigured: a TPNS method was called on a client built
	// without Config.TPNS.
	ErrTPNSNotConfigured = errors.New("TPNS is not configured: set Config.TPNS (AccessID, SecretKey, Region)")
	// ErrOverrideNotSupported: the TPNS task has no collapse ID, so it cannot
	// be overridden.
	ErrOverrideNotSupported = errors.New("override not supported")
	// ErrNotSent: the item was never sent, or no attempt carrying it reached
	// the service, so it certainly took no effect. It is safe to send again.
	// Such errors are *NotSentError values that also match their cause (the
	// context's end, or the failure that stopped the operation).
	ErrNotSent = errors.New("not sent")
	// ErrNoHistory: the conversation keeps no history to read, as in a
	// live-stream group (AVChatRoom, code 10044). Its message IDs can only
	// come from the after-send webhook (package webhook's Ledger).
	ErrNoHistory = errors.New("no history")
	// ErrNotRecalled: a sweep's verification read the message back and it
	// is still there, not recalled.
	ErrNotRecalled = errors.New("not recalled")
	// ErrDispatching: a scheduled push task started going out (90107), so
	// it can no longer be deleted; once dispatched, its push task is
	// revoked instead.
	ErrDispatching = errors.New("dispatching")
)

// APIError is an error answered by the service: a non-zero ErrorCode on
// Chat, or a non-zero ret_code on TPNS. It matches the categories of its
// code with errors.Is; a code the documentation does not list still gives an
// *APIError with its number, matching no category.
type APIError struct {
	Endpoint   string // an Endpoint constant, such as EndpointGroupRecall
	Code       Code   // the service's error code
	Info       string // the service's own text (ErrorInfo or err_msg)
	StatusCode int    // the HTTP status of the response, normally 200
}

// Error reads like
// "chatrecall: group_msg_recall: code 10010 (group does not exist): <service text>".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("chatrecall: ")
	b.WriteString(e.Endpoint)
	b.WriteString(": code ")
	b.WriteString(strconv.Itoa(int(e.Code)))
	if info, ok := lookupCode(e.Endpoint, e.Code); ok {
		b.WriteString(" (")
		b.WriteString(info.desc)
		b.WriteString(")")
	} else {
		b.WriteString(" (undocumented code)")
	}
	if e.Info != "" {
		b.WriteString(": ")
		b.WriteString(redact.Cut(e.Info, 200))
	}
	return b.String()
}

// Is reports whether target is one of the categories of e's code.
func (e *APIError) Is(target error) bool {
	info, _ := lookupCode(e.Endpoint, e.Code)
	for _, c := range info.cats {
		if c == target {
			return true
		}
	}
	return false
}

// Description is the documented meaning of the code, or "" if undocumented.
func (e *APIError) Description() string {
	info, _ := lookupCode(e.Endpoint, e.Code)
	return info.desc
}

// Retryable reports whether the code is one the client retries: temporary
// failures and rate limits.
func (e *APIError) Retryable() bool {
	return e.Is(ErrTemporary) || (e.Is(ErrRateLimited) && e.Code != CodeTooManyFailedVerifications)
}

// HTTPError is a response whose HTTP status was not 2xx. Such responses
// come from the network path (gateways, proxies), not from the service, so
// the body is kept only as a short excerpt with secrets removed.
type HTTPError struct {
	Endpoint   string
	StatusCode int
	Excerpt    string // at most 200 bytes of the body, redacted
	// RetryAfter is the wait a 429 or 503 asked for in its Retry-After
	// header (capped at 30 s); the client waits at least that long before
	// its next attempt. 0 when none was given.
	RetryAfter time.Duration
}

// Error reads like "chatrecall: group_msg_recall: HTTP 502 Bad Gateway: <html>...".
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("chatrecall: %s: HTTP %d %s", e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Excerpt != "" {
		s += ": " + e.Excerpt
	}
	return s
}

// Is matches ErrTemporary for 5xx and 408, ErrRateLimited for 429, ErrAuth for
// 401, ErrPermission for 403 and ErrNotFound for 404.
func (e *HTTPError) Is(target error) bool {
	switch {
	case e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout:
		return target == ErrTemporary
	case e.StatusCode == http.StatusTooManyRequests:
		return target == ErrRateLimited
	case e.StatusCode == http.StatusUnauthorized:
		return target == ErrAuth
	case e.StatusCode == http.StatusForbidden:
		return target == ErrPermission
	case e.StatusCode == http.StatusNotFound:
		return target == ErrNotFound
	}
	return false
}

// TransportError is a failure to get any HTTP response: DNS, connect, TLS,
// timeout, or a connection dropped mid-exchange. Err is the underlying error
// (often a *url.Error, whose URL has had its usersig removed). It matches
// ErrTemporary.
type TransportError struct {
	Endpoint string
	Host     string
	// Sent is true when the request may have reached the service (the
	// failure came after connecting), so it may have taken effect.
	Sent bool
	Err  error
	cert bool // the server's certificate was refused: never retried
}

// Error reads like "chatrecall: group_msg_recall: POST console.tim.qq.com: <cause>".
func (e *TransportError) Error() string {
	return "chatrecall: " + e.Endpoint + ": POST " + e.Host + ": " + e.Err.Error()
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// Is matches ErrTemporary.
func (e *TransportError) Is(target error) bool { return target == ErrTemporary }

// Timeout reports whether the failure was a timeout.
func (e *TransportError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// DecodeError is a 2xx response whose body could not be decoded. It matches
// ErrTemporary: the service may have acted on the request.
type DecodeError struct {
	Endpoint string
	Excerpt  string // at most 200 bytes of the body, redacted
	Err      error
}

// Error reads like "chatrecall: group_msg_recall: undecodable response (...): <excerpt>".
func (e *DecodeError) Error() string {
	return fmt.Sprintf("chatrecall: %s: undecodable response (%v): %q", e.Endpoint, e.Err, e.Excerpt)
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrTemporary.
func (e *DecodeError) Is(target error) bool { return target == ErrTemporary }

// ValidationError is input refused before any request was sent. It names the
// method, the field, and what is wrong with the value given. It matches
// ErrInvalidRequest.
type ValidationError struct {
	Method  string // such as "RecallGroupMessages"
	Field   string // such as "MsgSeqs[3]"
	Problem string // such as "duplicate of MsgSeqs[1] (12)"
}

// Error reads like "chatrecall: RecallGroupMessages: MsgSeqs[3]: duplicate of MsgSeqs[1] (12)".
func (e *ValidationError) Error() string {
	return "chatrecall: " + e.Method + ": " + e.Field + ": " + e.Problem
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

func invalidf(method, field, format string, args ...any) *ValidationError {
	return &ValidationError{Method: method, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// unknownError marks an item or call whose outcome cannot be known. It
// matches ErrOutcomeUnknown, unwraps to the last failure seen and, when the
// loop was stopped (a cancelled context), to that cause as well, so
// errors.Is(err, context.DeadlineExceeded) holds after a deadline.
type unknownError struct{ last, cause error }

func (e *unknownError) Error() string {
	s := "outcome unknown"
	if e.cause != nil {
		s += " (stopped: " + strings.TrimPrefix(e.cause.Error(), "chatrecall: ") + ")"
	}
	if e.last != nil {
		s += ": " + e.last.Error()
	}
	return s
}
func (e *unknownError) Unwrap() []error      { return nonNil(e.cause, e.last) }
func (e *unknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// NotSentError is the outcome of an item that was never sent, or whose every
// attempt failed before reaching the service: it certainly took no effect.
// It matches ErrNotSent and unwraps to its cause (a cancelled context, the
// failure that stopped the operation, a refused connection) and to the last
// failure of an attempt, if any.
type NotSentError struct {
	Cause error // why it was not sent
	Last  error // the last attempt's failure, if an attempt was made
}

// Error reads like "not sent: context canceled".
func (e *NotSentError) Error() string {
	s := "not sent"
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	if e.Last != nil && e.Last != e.Cause {
		s += " (last attempt: " + e.Last.Error() + ")"
	}
	return s
}

// Unwrap returns the cause and the last failure.
func (e *NotSentError) Unwrap() []error {
	if e.Last == e.Cause {
		return nonNil(e.Cause)
	}
	return nonNil(e.Cause, e.Last)
}

// Is matches ErrNotSent.
func (e *NotSentError) Is(target error) bool { return target == ErrNotSent }

// stoppedError is an item the service refused (definitely not applied) whose
// retries were then stopped by cause, such as a cancelled context.
type stoppedError struct{ cause, last error }

func (e *stoppedError) Error() string {
	return e.last.Error() + " (then stopped: " + e.cause.Error() + ")"
}
func (e *stoppedError) Unwrap() []error { return nonNil(e.cause, e.last) }

func nonNil(errs ...error) []error {
	out := errs[:0:0]
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// categories in the order Category tries them: the most specific first.
var categories = []error{
	ErrOutcomeUnknown, ErrNotSent, ErrAlreadyRecalled, ErrGone, ErrRecallWindowExpired, ErrNotRecallable,
	ErrOfflinePushInfoRequired, ErrOverrideNotSupported, ErrUserSigExpired, ErrNotFound,
	ErrRateLimited, ErrTemporary, ErrAuth, ErrPermission, ErrServiceDisabled,
	ErrTPNSNotConfigured, ErrInvalidRequest,
}

// Category returns the most specific category sentinel err matches (such
// as ErrNotFound), for tables, metrics and logs; nil for a nil error or one
// that matches none (a cancelled context, for example).
func Category(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range categories {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}

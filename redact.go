package chatrecall

import (
	"errors"
	"net/url"

	"github.com/chatrecall/chatrecall/internal/redact"
)

// genRedactor is the client's Redactor and the UserSig generation it was
// built for.
type genRedactor struct {
	gen uint64
	r   *redact.Redactor
}

// redactor returns the Redactor of every secret the client holds or issued
// lately. It is built once per set of secrets: again only after a new
// UserSig, never per failed item.
func (c *Client) redactor() *redact.Redactor {
	var gen uint64
	if c.sig != nil {
		gen = c.sig.gen.Load()
	}
	if r := c.red.Load(); r != nil && r.gen == gen {
		return r.r
	}
	forms := append([]string(nil), c.secrets...)
	if c.sig != nil {
		forms = append(forms, c.sig.recentForms()...)
	}
	r := &genRedactor{gen: gen, r: redact.New(forms...)}
	c.red.Store(r)
	return r.r
}

// redact removes every secret the client holds from s, whole or in part.
// extra are secrets of one attempt (a TPNS Sign).
func (c *Client) redact(s string, extra ...string) string {
	return c.redactor().With(extra...).String(s)
}

// redactExcerpt redacts s and then cuts it to at most n bytes of valid
// text.
func (c *Client) redactExcerpt(s string, n int, extra ...string) string {
	return c.redactor().With(extra...).Excerpt(s, n)
}

// redactErr returns err with its text free of secrets. A *url.Error keeps its
// type (so errors.As and Timeout still work) with its URL redacted; an error
// whose text still held a secret is replaced by a sanitizedError that keeps
// Is, Timeout and Temporary answers of the original but not its text.
func (c *Client) redactErr(err error, extra []string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = c.redact(ue.URL, extra...)
		if inner := ue.Err; inner != nil {
			if msg := inner.Error(); c.redact(msg, extra...) != msg {
				ue.Err = &sanitizedError{msg: c.redact(msg, extra...), orig: inner}
			}
		}
		if msg := err.Error(); c.redact(msg, extra...) != msg {
			return &sanitizedError{msg: c.redact(msg, extra...), orig: err}
		}
		return err
	}
	if msg := err.Error(); c.redact(msg, extra...) != msg {
		return &sanitizedError{msg: c.redact(msg, extra...), orig: err}
	}
	return err
}

// sanitizedError hides an error whose text held a secret.
type sanitizedError struct {
	msg  string
	orig error
}

func (e *sanitizedError) Error() string { return e.msg }

// Is answers for the original error, so errors.Is(err, context.DeadlineExceeded)
// still works; errors.As cannot reach the original and its text.
func (e *sanitizedError) Is(target error) bool { return errors.Is(e.orig, target) }

func (e *sanitizedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.orig, &t) && t.Timeout()
}

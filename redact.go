package chatrecall

import (
	"errors"
	"net/url"
	"strings"
)

const redacted = "REDACTED"

// redactQuery replaces the value of every usersig query parameter in s.
// Go's *url.Error prints the whole URL, query string included, and some
// transports (httpmock among them) repeat the URL in their own messages.
func redactQuery(s string) string {
	const param = "usersig="
	if !strings.Contains(s, param) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, param)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(param)])
		b.WriteString(redacted)
		s = s[i+len(param):]
		end := strings.IndexAny(s, "&# \t\r\n\"'<>")
		if end < 0 {
			return b.String()
		}
		s = s[end:]
	}
}

// redact removes every secret the client holds from s: the secret keys, the
// current UserSig in raw and escaped form, and usersig query values.
func (c *Client) redact(s string) string {
	s = redactQuery(s)
	for _, sec := range c.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	if c.sig != nil {
		if cur := c.sig.cur.Load(); cur != nil {
			s = strings.ReplaceAll(s, cur.escaped, redacted)
			s = strings.ReplaceAll(s, cur.sig, redacted)
		}
	}
	return s
}

// redactErr returns err with its text free of secrets. A *url.Error keeps its
// type (so errors.As and Timeout still work) with its URL redacted; an error
// whose text still held a secret is replaced by a sanitizedError that keeps
// Is, Timeout and Temporary answers of the original but not its text.
func (c *Client) redactErr(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = c.redact(ue.URL)
		if inner := ue.Err; inner != nil {
			if msg := inner.Error(); c.redact(msg) != msg {
				ue.Err = &sanitizedError{msg: c.redact(msg), orig: inner}
			}
		}
		return err
	}
	if msg := err.Error(); c.redact(msg) != msg {
		return &sanitizedError{msg: c.redact(msg), orig: err}
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

package chatrecall

import (
	"errors"
	"net/url"
	"strings"
)

const redacted = "REDACTED"

// minFragment is the shortest run of a secret's characters that is
// redacted on its own: a gateway that echoes a truncated URL or header
// leaves part of a secret, and any 12 characters of a key or signature are
// too many to show.
const minFragment = 12

// Redaction runs before any text is cut to an excerpt, so a secret that
// straddles the cut is still removed whole. It removes, in order:
//   - every usersig value, whatever its content (query, JSON or header form);
//   - every "Basic <credential>" value;
//   - every form of every secret the client holds or derived: the secret
//     keys, the TPNS Basic credential, the UserSigs it issued recently (raw
//     and query-escaped), and the attempt's own TPNS Sign;
//   - any run of secret characters that shares minFragment characters with
//     one of those.

// redactQuery replaces the value of every usersig parameter in s. Go's
// *url.Error prints the whole URL, query string included, and some
// transports (httpmock among them) repeat the URL in their own messages.
func redactQuery(s string) string {
	return redactAfter(s, "usersig", []string{"=", "%3d", `":"`, `": "`, ": ", ":"})
}

// redactBasic replaces the credential of every "Basic " authorization.
func redactBasic(s string) string {
	return redactAfter(s, "basic", []string{" ", "%20", "+"})
}

// redactAfter replaces the value that follows name and one of seps (matched
// case-insensitively) with REDACTED.
func redactAfter(s, name string, seps []string) string {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, name) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		j := strings.Index(lower[i:], name)
		if j < 0 {
			break
		}
		at := i + j + len(name)
		i = at
		for _, sep := range seps {
			if strings.HasPrefix(lower[at:], sep) {
				v := at + len(sep)
				end := v
				for end < len(s) && (secretChar(s[end]) || s[end] == '=' || s[end] == '.' || s[end] == '~') {
					end++
				}
				if end > v {
					b.WriteString(s[last:v])
					b.WriteString(redacted)
					last, i = end, end
				}
				break
			}
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// secretChar reports whether c can be part of a key, a UserSig (raw or
// query-escaped), a base64 credential or a Sign.
func secretChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '*' || c == '-' || c == '_' || c == '%'
}

// secretForms returns every secret text the client must never show.
func (c *Client) secretForms(extra []string) []string {
	forms := append([]string(nil), c.secrets...)
	if c.sig != nil {
		forms = append(forms, c.sig.recentForms()...)
	}
	for _, e := range extra {
		if e != "" {
			forms = append(forms, e)
		}
	}
	return forms
}

// redact removes every secret the client holds from s, whole or in part.
// extra are secrets of one attempt (a TPNS Sign).
func (c *Client) redact(s string, extra ...string) string {
	s = redactBasic(redactQuery(s))
	forms := c.secretForms(extra)
	for _, sec := range forms {
		switch {
		case sec == "":
		case len(sec) < minFragment:
			s = redactToken(s, sec)
		default:
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return redactFragments(s, forms)
}

// redactToken replaces sec where it stands as a whole run of secret
// characters. A secret shorter than minFragment (a placeholder such as "x"
// in a test) is hidden where it appears as itself, not inside every word
// that happens to contain it: replacing each "x" in the output would hide
// nothing worth hiding and garble everything else.
func redactToken(s, sec string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], sec)
		if j < 0 {
			break
		}
		at, end := i+j, i+j+len(sec)
		if (at == 0 || !secretChar(s[at-1])) && (end == len(s) || !secretChar(s[end])) {
			b.WriteString(s[last:at])
			b.WriteString(redacted)
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactExcerpt redacts s and then cuts it to at most n bytes of valid
// text. Only a window of s is read: the part past it cannot show.
func (c *Client) redactExcerpt(s string, n int, extra ...string) string {
	if w := n + 4096; len(s) > w {
		s = s[:w]
	}
	return excerpt(c.redact(s, extra...), n)
}

// redactFragments replaces every run of secret characters that contains
// minFragment consecutive characters of one of forms.
func redactFragments(s string, forms []string) string {
	grams := map[string]struct{}{}
	for _, f := range forms {
		for i := 0; i+minFragment <= len(f); i++ {
			grams[f[i:i+minFragment]] = struct{}{}
		}
	}
	if len(grams) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !secretChar(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && secretChar(s[j]) {
			j++
		}
		if j-i >= minFragment && s[i:j] != redacted {
			for k := i; k+minFragment <= j; k++ {
				if _, hit := grams[s[k:k+minFragment]]; hit {
					b.WriteString(s[last:i])
					b.WriteString(redacted)
					last = j
					break
				}
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
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

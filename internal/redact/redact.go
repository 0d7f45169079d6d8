// Package redact removes secrets from text before it can reach an error, a
// log line or a hook: every usersig value and Basic credential whatever
// their content, every form of every secret given, and any run of secret
// characters that shares MinFragment characters with one (a gateway that
// echoes a truncated URL leaves part of a secret).
//
// A Redactor is built once per set of secrets: building it indexes every
// fragment of every secret, and redacting is then a scan of the text.
package redact

import "strings"

// Mark replaces what is removed.
const Mark = "REDACTED"

// MinFragment is the shortest run of a secret's characters that is
// redacted on its own: any 12 characters of a key or signature are too many
// to show.
const MinFragment = 12

// Redactor removes one set of secrets from text. It is safe for concurrent
// use and never changes once built.
type Redactor struct {
	forms []string
	grams map[string]struct{}
}

// New builds a Redactor of forms (empty ones are ignored).
func New(forms ...string) *Redactor {
	r := &Redactor{grams: map[string]struct{}{}}
	for _, f := range forms {
		if f == "" {
			continue
		}
		r.forms = append(r.forms, f)
		for i := 0; i+MinFragment <= len(f); i++ {
			r.grams[f[i:i+MinFragment]] = struct{}{}
		}
	}
	return r
}

// With returns a Redactor of r's secrets and extra (secrets of one
// request, such as a TPNS Sign); r itself when extra holds none.
func (r *Redactor) With(extra ...string) *Redactor {
	n := 0
	for _, e := range extra {
		if e != "" {
			n++
		}
	}
	if n == 0 {
		return r
	}
	return New(append(append([]string(nil), r.forms...), extra...)...)
}

// String removes every secret from s, whole or in part.
func (r *Redactor) String(s string) string {
	s = redactBasic(redactQuery(s))
	for _, sec := range r.forms {
		if len(sec) < MinFragment {
			s = redactToken(s, sec)
		} else {
			s = strings.ReplaceAll(s, sec, Mark)
		}
	}
	return r.fragments(s)
}

// Excerpt redacts s and then cuts it to at most n bytes of valid text. Only
// a window of s is read: the part past it cannot show.
func (r *Redactor) Excerpt(s string, n int) string {
	if w := n + 4096; len(s) > w {
		s = s[:w]
	}
	return Cut(r.String(s), n)
}

// Cut returns at most n bytes of s as valid text. Redact first, so a secret
// is never cut in two and half of it kept.
func Cut(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "?")
}

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
					b.WriteString(Mark)
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

// redactToken replaces sec where it stands as a whole run of secret
// characters. A secret shorter than MinFragment (a placeholder such as "x"
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
			b.WriteString(Mark)
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

// fragments replaces every run of secret characters that contains
// MinFragment consecutive characters of one of forms.
func (r *Redactor) fragments(s string) string {
	grams := r.grams
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
		if j-i >= MinFragment && s[i:j] != Mark {
			for k := i; k+MinFragment <= j; k++ {
				if _, hit := grams[s[k:k+MinFragment]]; hit {
					b.WriteString(s[last:i])
					b.WriteString(Mark)
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

package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactQuery(t *testing.T) {
	for in, want := range map[string]string{
		"https://h/p?sdkappid=1&usersig=abc*def-&random=2": "https://h/p?sdkappid=1&usersig=REDACTED&random=2",
		"usersig=abc":                     "usersig=REDACTED",
		`"x usersig=a" and usersig=b&c=d`: `"x usersig=REDACTED" and usersig=REDACTED&c=d`,
		"nothing here":                    "nothing here",
	} {
		assert.Equal(t, want, redactQuery(in))
	}
}

// TestRedactor: every form of a secret goes, whole, in part (a run that
// shares MinFragment characters) and short (where it stands alone).
func TestRedactor(t *testing.T) {
	key := "0123456789abcdef0123456789abcdef"
	r := New(key, "", "pw")
	for _, tc := range []struct{ in, want string }{
		{"key " + key + " end", "key REDACTED end"},
		{"cut " + key[3:20] + "…", "cut REDACTED…"},
		{"pass=pw&pwx=1", "pass=REDACTED&pwx=1"},
		{"Authorization: Basic QWxhZGRpbjpvcGVu", "Authorization: Basic REDACTED"},
		{"nothing", "nothing"},
	} {
		assert.Equal(t, tc.want, r.String(tc.in), tc.in)
	}
	assert.Same(t, r, r.With("", ""), "no extra secret: the same redactor")
	sign := "c2lnbmF0dXJlLW9mLW9uZS1hdHRlbXB0"
	assert.Equal(t, "x REDACTED", r.With(sign).String("x "+sign))
	assert.Equal(t, "x "+sign, r.String("x "+sign), "With leaves r as it was")
	assert.Equal(t, "REDACTED"[:5], r.Excerpt("x "+key, 7)[2:])
	assert.Equal(t, "ab?", Cut("ab\xff", 3))
	assert.False(t, strings.Contains(r.Excerpt(strings.Repeat("y", 5000)+key, 10), key[:MinFragment]))
}

// BenchmarkRedactFailedItem is what a failed item's excerpt costs once the
// redactor is built (it used to rebuild the index of every secret form).
func BenchmarkRedactFailedItem(b *testing.B) {
	forms := []string{"0123456789abcdef0123456789abcdef"}
	for i := 0; i < 16; i++ {
		forms = append(forms, strings.Repeat(string(rune('a'+i)), 300))
	}
	r := New(forms...)
	text := "group_msg_recall: code 10030 (message does not exist or was already recalled): " + strings.Repeat("z", 100)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = r.Excerpt(text, 200)
	}
}

package chatrecall

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Config identifies the app and the credentials the client signs with.
// Printing a Config (any fmt verb, or slog) never shows the secret key.
type Config struct {
	// SDKAppID is the app's ID from the Chat console. Required for Chat.
	SDKAppID uint64
	// Identifier is the App admin account requests are made as. Empty means
	// DefaultIdentifier ("administrator").
	Identifier string
	// SecretKey is the app's key; the client makes and renews the admin
	// UserSig from it. Set SecretKey or Signer, not both.
	SecretKey string
	// Signer supplies UserSigs instead of SecretKey.
	Signer Signer
	// Region is the data centre of the app. Required unless BaseURL is set.
	Region Region
	// BaseURL, when set, replaces the region's domains (a proxy, a test
	// server such as chatrecalltest). Scheme and host, and optionally a path
	// prefix: "http://127.0.0.1:8080".
	BaseURL string
	// TPNS configures the TPNS methods. Nil for Chat-only use.
	TPNS *TPNSConfig
}

func (c Config) chatEmpty() bool {
	return c.SDKAppID == 0 && c.SecretKey == "" && c.Signer == nil && c.Region == "" && c.BaseURL == "" && c.Identifier == ""
}

// String describes the Config with the secret key redacted.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("chatrecall.Config{SDKAppID:")
	b.WriteString(strconv.FormatUint(c.SDKAppID, 10))
	b.WriteString(" Identifier:")
	b.WriteString(strconv.Quote(c.Identifier))
	b.WriteString(" SecretKey:")
	b.WriteString(redactedMark(c.SecretKey))
	b.WriteString(" Signer:")
	if c.Signer != nil {
		fmt.Fprintf(&b, "%T", c.Signer)
	} else {
		b.WriteString("<nil>")
	}
	b.WriteString(" Region:")
	b.WriteString(string(c.Region))
	b.WriteString(" BaseURL:")
	b.WriteString(strconv.Quote(c.BaseURL))
	b.WriteString(" TPNS:")
	if c.TPNS != nil {
		b.WriteString(c.TPNS.String())
	} else {
		b.WriteString("<nil>")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c Config) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue makes slog print the Config with the secret key redacted.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Uint64("sdkappid", c.SDKAppID),
		slog.String("identifier", c.Identifier),
		slog.String("secret_key", redactedMark(c.SecretKey)),
		slog.String("region", string(c.Region)),
		slog.String("base_url", c.BaseURL),
	}
	if c.TPNS != nil {
		attrs = append(attrs, slog.Any("tpns", c.TPNS.LogValue()))
	}
	return slog.GroupValue(attrs...)
}

func redactedMark(secret string) string {
	if secret == "" {
		return `""`
	}
	return "REDACTED"
}

func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

package webhook

import (
	"fmt"
	"io"
	"log/slog"
)

// The types that hold a token or a client print a summary under every fmt
// verb and in slog: fmt would otherwise print their fields, the token and
// the client's secret key among them.

// String describes the handler without its token.
func (h *Handler) String() string { return "webhook.Handler{" + h.cfg.String() + "}" }

// GoString is String, so %#v prints no secret either.
func (h *Handler) GoString() string { return h.String() }

// Format makes every fmt verb print String.
func (h *Handler) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }

// LogValue makes slog print String.
func (h *Handler) LogValue() slog.Value { return slog.StringValue(h.String()) }

// String describes the recaller without its client.
func (v *VerdictRecaller) String() string {
	return fmt.Sprintf("webhook.VerdictRecaller{Workers:%d Queue:%d}", v.o.Workers, v.o.Queue)
}

// GoString is String, so %#v prints no secret either.
func (v *VerdictRecaller) GoString() string { return v.String() }

// Format makes every fmt verb print String.
func (v *VerdictRecaller) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, v.String()) }

// LogValue makes slog print String.
func (v *VerdictRecaller) LogValue() slog.Value { return slog.StringValue(v.String()) }

// String describes the recorder without its ledger (whose client may hold
// a password).
func (r *Recorder) String() string { return fmt.Sprintf("webhook.Recorder{Failures:%d}", r.Failures()) }

// GoString is String, so %#v prints no secret either.
func (r *Recorder) GoString() string { return r.String() }

// Format makes every fmt verb print String.
func (r *Recorder) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, r.String()) }

// LogValue makes slog print String.
func (r *Recorder) LogValue() slog.Value { return slog.StringValue(r.String()) }

package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
)

// This file is how a callback is authenticated (Sign) and how a refused
// one is answered, counted by reason and logged.

// Sign is the Sign of a callback: lowercase hex of SHA-256(token +
// requestTime), requestTime being the query's decimal unix seconds.
func Sign(token, requestTime string) string {
	sum := sha256.Sum256([]byte(token + requestTime))
	return hex.EncodeToString(sum[:])
}

// Why a callback is refused: Delivery.Refusal, the keys of
// Stats.Refusals, and the reason label of the chatrecall.webhook.refused
// metric.
const (
	RefusedMethod         = "method"          // not a POST
	RefusedType           = "type"            // a Content-Type other than JSON
	RefusedWrongApp       = "wrong_app"       // SdkAppid missing or another app's
	RefusedBadSign        = "bad_sign"        // Sign or RequestTime missing, or a Sign the token does not make
	RefusedStaleTime      = "stale_time"      // RequestTime outside the window
	RefusedSize           = "size"            // a body over MaxBodyBytes
	RefusedMalformed      = "malformed"       // a body that is not the command's JSON
	RefusedDuplicateParam = "duplicate_param" // a query parameter given twice
)

// refuse answers status with the documented FAIL body, counts the reason
// and logs why.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, reason, why string) {
	h.count(func(s *Stats) {
		s.Refused++
		if s.Refusals == nil {
			s.Refusals = map[string]int64{}
		}
		s.Refusals[reason]++
	})
	defer done(r, Delivery{Result: "refused", Status: status, Refusal: reason, Reason: why})
	if h.cfg.Logger != nil {
		h.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "chatrecall webhook: refused", slog.Int("status", status), slog.String("refusal", reason),
			slog.String("reason", why), slog.String("remote", r.RemoteAddr), slog.String("command", r.URL.Query().Get("CallbackCommand")))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"ActionStatus":"FAIL","ErrorInfo":%q,"ErrorCode":1}`, why)
}

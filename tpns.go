package chatrecall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// TPNSAuth selects how TPNS requests are authenticated.
type TPNSAuth int

const (
	// TPNSAuthSignature signs each request with HMAC-SHA256 over the
	// timestamp, AccessID and body (headers AccessId, TimeStamp, Sign). The
	// secret never travels. This is the default and the documented
	// recommendation.
	TPNSAuthSignature TPNSAuth = iota
	// TPNSAuthBasic sends "Authorization: Basic base64(AccessID:SecretKey)".
	// The service documents it as less safe: the secret travels with every
	// request.
	TPNSAuthBasic
)

// TPNSConfig configures the TPNS methods. Printing it never shows the secret.
type TPNSConfig struct {
	// AccessID is the app's TPNS access ID, such as "1500001048". Required.
	AccessID string
	// SecretKey is the app's TPNS secret key. Required.
	SecretKey string
	// Region is the access point the app was created in. Required unless
	// BaseURL is set; the wrong one answers 1008035.
	Region TPNSRegion
	// BaseURL, when set, replaces the access point (a proxy, chatrecalltest).
	BaseURL string
	// Auth selects signature (default) or Basic authentication.
	Auth TPNSAuth
}

// String describes the TPNS settings with the secret key redacted.
func (t TPNSConfig) String() string {
	auth := "signature"
	if t.Auth == TPNSAuthBasic {
		auth = "basic"
	}
	return fmt.Sprintf("chatrecall.TPNSConfig{AccessID:%q SecretKey:%s Region:%s BaseURL:%q Auth:%s}",
		t.AccessID, redactedMark(t.SecretKey), t.Region, t.BaseURL, auth)
}

// GoString is String, so %#v redacts too.
func (t TPNSConfig) GoString() string { return t.String() }

// Format makes every fmt verb print String.
func (t TPNSConfig) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// LogValue makes slog print the settings with the secret key redacted.
func (t TPNSConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_id", t.AccessID),
		slog.String("secret_key", redactedMark(t.SecretKey)),
		slog.String("region", string(t.Region)),
		slog.String("base_url", t.BaseURL),
	)
}

type tpnsClient struct {
	accessID string
	secret   string
	host     string
	base     string // scheme://host/path, no trailing slash
	auth     TPNSAuth
	basic    []string
	accessH  []string
}

func newTPNSClient(t TPNSConfig) (*tpnsClient, error) {
	switch {
	case t.AccessID == "":
		return nil, errors.New("chatrecall: Config.TPNS.AccessID is required (the app's TPNS access ID), got an empty string")
	case strings.TrimSpace(t.AccessID) != t.AccessID || strings.ContainsAny(t.AccessID, ":") || checkText("NewClient", "AccessID", t.AccessID) != nil:
		return nil, fmt.Errorf("chatrecall: Config.TPNS.AccessID %q contains whitespace, control characters, invalid UTF-8 or ':'", t.AccessID)
	case t.SecretKey == "":
		return nil, errors.New("chatrecall: Config.TPNS.SecretKey is required, got an empty string")
	case t.Auth != TPNSAuthSignature && t.Auth != TPNSAuthBasic:
		return nil, fmt.Errorf("chatrecall: Config.TPNS.Auth %d is neither TPNSAuthSignature nor TPNSAuthBasic", t.Auth)
	case t.Region != "" && !t.Region.Valid():
		return nil, fmt.Errorf("chatrecall: Config.TPNS.Region %q is not an access point; use guangzhou, shanghai, hongkong or singapore", string(t.Region))
	case t.Region == "" && t.BaseURL == "":
		return nil, errors.New("chatrecall: Config.TPNS.Region is required (data is isolated per access point); or set Config.TPNS.BaseURL")
	}
	base := t.BaseURL
	if base == "" {
		base = t.Region.BaseURL()
	}
	hs, err := newHostSet("", base, "Config.TPNS.BaseURL", nil, 0)
	if err != nil {
		return nil, err
	}
	return &tpnsClient{
		accessID: t.AccessID,
		secret:   t.SecretKey,
		host:     hs.primary,
		base:     hs.scheme + "://" + hs.primary + hs.path,
		auth:     t.Auth,
		basic:    []string{tpnsauth.BasicAuth(t.AccessID, t.SecretKey)},
		accessH:  []string{t.AccessID},
	}, nil
}

func isTPNSEndpoint(ep string) bool { return strings.HasPrefix(ep, "tpns/") }

// tpnsEnvelope reads both spellings of the TPNS result: ret_code/err_msg
// (push APIs) and retCode/errMsg (statistics APIs).
type tpnsEnvelope struct {
	RetCode    *int   `json:"ret_code"`
	ErrMsg     string `json:"err_msg"`
	RetCodeAlt *int   `json:"retCode"`
	ErrMsgAlt  string `json:"errMsg"`
}

func (e *tpnsEnvelope) result() (Code, string, bool) {
	switch {
	case e.RetCode != nil:
		return Code(*e.RetCode), e.ErrMsg, true
	case e.RetCodeAlt != nil:
		return Code(*e.RetCodeAlt), e.ErrMsgAlt, true
	}
	return 0, "", false
}

type tpnsTaskRequest struct {
	PushID string `json:"pushid"`
}

// TPNS task statuses, as get_push_record reports them.
const (
	TPNSStatusInit      = "PUSH_INIT"
	TPNSStatusWait      = "PUSH_WAIT"
	TPNSStatusStarted   = "PUSH_STARTED"
	TPNSStatusFinished  = "PUSH_FINISHED"
	TPNSStatusFailed    = "PUSH_FAILED"
	TPNSStatusCanceled  = "PUSH_CANCELED"
	TPNSStatusDeleted   = "PUSH_DELETED"
	TPNSStatusRevoked   = "PUSH_REVOKED"
	TPNSStatusCollapsed = "PUSH_COLLAPSED"
	// TPNSStatusStopped is the status of a task whose delivery was
	// terminated (stop_push_msg).
	TPNSStatusStopped = "PUSH_DELETED_PUSH_MSG"
)

// tpnsTask stops, revokes or cancels a task. When an attempt's answer was
// lost (so it may have taken effect) and no later answer settles it, the
// task's record is read: a status showing the operation done confirms it.
// Otherwise the outcome stays unknown: a record that does not show it yet
// cannot prove that a request still in flight will not apply.
func (c *Client) tpnsTask(ctx context.Context, method string, ep *endpoint, pushID, doneStatus string) (res *Result, err error) {
	if err := checkCtx(method, ctx); err != nil {
		return nil, err
	}
	ctx, op := c.begin(ctx, method, ep.name, 1)
	defer func() { c.finishOne(ctx, op, res, err) }()
	if err := checkRequired(method, "pushID", pushID, "the task's push ID"); err != nil {
		return nil, err
	}
	if c.tpns == nil {
		return nil, fmt.Errorf("chatrecall: %s: %w", method, ErrTPNSNotConfigured)
	}
	_, confirmed, err := c.single(ctx, method, ep, tpnsTaskRequest{PushID: pushID}, func() response { return new(tpnsEnvelope) }, op, false)
	if err == nil {
		return &Result{Endpoint: ep.name, ConfirmedByRetry: confirmed}, nil
	}
	if !errors.Is(err, ErrOutcomeUnknown) || ctx.Err() != nil {
		return nil, err
	}
	rec, rerr := c.GetTPNSPushRecord(ctx, pushID)
	if rerr == nil && rec.Status == doneStatus {
		c.logInfo(ctx, "chatrecall: an earlier attempt took effect; the task record confirmed it", ep.name, 0)
		return &Result{Endpoint: ep.name, ConfirmedByRecord: true}, nil
	}
	return nil, err
}

// StopTPNSPush terminates a TPNS push task that is being delivered
// (/v3/push/stop_push_msg): devices not yet reached do not get it. It works
// for all, account-list and tag pushes, on Android only; iOS has no
// terminate. Notifications already shown stay.
func (c *Client) StopTPNSPush(ctx context.Context, pushID string) (*Result, error) {
	return c.tpnsTask(ctx, "StopTPNSPush", epTPNSStop, pushID, TPNSStatusStopped)
}

// RevokeTPNSPush recalls a TPNS push (/v3/push/revoke_push_msg), which also
// terminates its delivery. Tencent documents this API as "being upgraded,
// not available" (2023): expect an error from the service, and prefer
// OverrideTPNSPush or StopTPNSPush.
func (c *Client) RevokeTPNSPush(ctx context.Context, pushID string) (*Result, error) {
	return c.tpnsTask(ctx, "RevokeTPNSPush", epTPNSRevoke, pushID, TPNSStatusRevoked)
}

// CancelTPNSScheduledPush cancels a scheduled TPNS push that has not been
// dispatched yet (/v3/push/cancel_timing_task): all, package and tag pushes.
func (c *Client) CancelTPNSScheduledPush(ctx context.Context, pushID string) (*Result, error) {
	return c.tpnsTask(ctx, "CancelTPNSScheduledPush", epTPNSCancel, pushID, TPNSStatusCanceled)
}

// TPNSPushRecord is one TPNS push task as get_push_record describes it.
type TPNSPushRecord struct {
	PushID       string   `json:"pushId"`
	Status       string   `json:"status"`      // PUSH_INIT, PUSH_WAIT, PUSH_STARTED, PUSH_FINISHED, PUSH_FAILED, PUSH_CANCELED, PUSH_DELETED, PUSH_REVOKED, PUSH_COLLAPSED, PUSH_DELETED_PUSH_MSG
	CollapseID   int64    `json:"collapseID"`  // 0 when the task cannot be overridden (only all, tag and package_account_push tasks have one)
	PushType     string   `json:"pushType"`    // the audience: all, tag, token_list, account_list, package_account_push
	MessageType  string   `json:"messageType"` // notify or message
	Title        string   `json:"title"`
	Content      string   `json:"content"`
	Environment  string   `json:"environment"` // product or dev
	Date         string   `json:"date"`        // push time, "YYYY-MM-DD hh:mm:ss"
	ExpireTime   int64    `json:"expireTime"`  // seconds
	TargetList   []string `json:"targetList"`  // for token_list and account_list pushes
	UploadID     int64    `json:"uploadId"`    // for package_account_push
	MultiPackage bool     `json:"multiPkg"`
}

// UnmarshalJSON reads a record. pushId is a string in the documentation's
// field table and a number in its single-task sample ("pushId": 133703):
// both are accepted.
func (r *TPNSPushRecord) UnmarshalJSON(b []byte) error {
	type plain TPNSPushRecord
	var aux struct {
		plain
		PushID json.RawMessage `json:"pushId"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = TPNSPushRecord(aux.plain)
	id, err := stringOrNumber(aux.PushID)
	if err != nil {
		return fmt.Errorf("pushId: %w", err)
	}
	r.PushID = id
	return nil
}

// stringOrNumber reads a JSON string or number as text; null or absent is "".
func stringOrNumber(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("neither a string nor a number")
	}
	return n.String(), nil
}

type tpnsRecordResponse struct {
	tpnsEnvelope
	PushRecordData []TPNSPushRecord `json:"pushRecordData"`
}

// GetTPNSPushRecord reads one push task (/v3/statistics/get_push_record): its
// status, collapse ID, audience and times. The service keeps a month of
// records and allows 200 calls per hour, which the client's limiter enforces.
func (c *Client) GetTPNSPushRecord(ctx context.Context, pushID string) (_ *TPNSPushRecord, err error) {
	const method = "GetTPNSPushRecord"
	if err := checkCtx(method, ctx); err != nil {
		return nil, err
	}
	ctx, op := c.begin(ctx, method, EndpointTPNSRecord, 0)
	defer func() { c.finishCall(ctx, op, err) }()
	if err := checkRequired(method, "pushID", pushID, "the task's push ID"); err != nil {
		return nil, err
	}
	if c.tpns == nil {
		return nil, fmt.Errorf("chatrecall: %s: %w", method, ErrTPNSNotConfigured)
	}
	got, _, err := c.single(ctx, method, epTPNSRecord, map[string]string{"pushId": pushID}, func() response { return new(tpnsRecordResponse) }, op, false)
	if err != nil {
		return nil, err
	}
	resp := got.(*tpnsRecordResponse)
	for i := range resp.PushRecordData {
		if resp.PushRecordData[i].PushID == pushID {
			return &resp.PushRecordData[i], nil
		}
	}
	if len(resp.PushRecordData) == 1 && resp.PushRecordData[0].PushID == "" {
		r := resp.PushRecordData[0]
		r.PushID = pushID
		return &r, nil
	}
	return nil, &APIError{Endpoint: EndpointTPNSRecord, Code: CodeTPNSTaskNotFound, Info: "the service answered with no record for push " + pushID, StatusCode: 200}
}

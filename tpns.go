package chatrecall

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"
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

// TPNSSign computes the TPNS request signature:
// base64(lowercase hex(HMAC-SHA256(secretKey, timestamp + accessID + body))).
// body must be the exact bytes sent.
func TPNSSign(secretKey, accessID string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + accessID))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}

// TPNSBasicAuth returns the value of the Authorization header of Basic
// authentication: "Basic " + base64(accessID + ":" + secretKey).
func TPNSBasicAuth(accessID, secretKey string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(accessID+":"+secretKey))
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
		basic:    []string{TPNSBasicAuth(t.AccessID, t.SecretKey)},
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

// TPNS audience types (TPNSPush.AudienceType).
const (
	TPNSAudienceAll                = "all"
	TPNSAudienceTag                = "tag"
	TPNSAudienceToken              = "token"
	TPNSAudienceTokenList          = "token_list"
	TPNSAudienceAccount            = "account"
	TPNSAudienceAccountList        = "account_list"
	TPNSAudiencePackageAccountPush = "package_account_push"
	TPNSAudiencePackageTokenPush   = "package_token_push"
)

// TPNSPush is a TPNS push (/v3/push/app): the fields an override needs,
// typed, and Extra for the rest of the documented body.
type TPNSPush struct {
	// AudienceType is one of the TPNSAudience constants. Required.
	AudienceType string
	// Platform is "android" or "ios"; empty means both.
	Platform string
	// Targets, as the audience type needs: TokenList for token and
	// token_list, AccountList for account and account_list, TagRules for
	// tag, UploadID for the package pushes.
	TokenList   []string
	AccountList []string
	TagRules    json.RawMessage
	UploadID    int64
	// MessageType is "notify" (default) or "message" (silent).
	MessageType string
	// Title and Content of the message. Content is required for notify.
	Title   string
	Content string
	// Android and IOS are the platform extras of the message ("android"
	// and "ios" objects of the documented body).
	Android map[string]any
	IOS     map[string]any
	// Environment is "product" or "dev": required whenever the message has
	// an iOS part (IOS set) or Platform is "ios", whatever else Platform
	// says, as Tencent's TPNS SDKs require. An override without one takes
	// the original task's.
	Environment string
	// ExpireTime is the offline retention in seconds; 0 means the default.
	ExpireTime int
	// SendTime schedules the push, "yyyy-MM-dd HH:mm:ss"; empty sends now.
	SendTime string
	// Extra holds further top-level body fields, sent as given. It may not
	// repeat a field set above.
	Extra map[string]any
}

var broadcastAudiences = map[string]bool{
	TPNSAudienceAll: true, TPNSAudienceTag: true, TPNSAudiencePackageAccountPush: true, TPNSAudiencePackageTokenPush: true,
}

// validate checks the push; with audienceOptional, an empty AudienceType
// is allowed (an override takes it from the original task) and the checks
// that depend on it wait for validateAudience.
func (p TPNSPush) validate(method, field string, audienceOptional bool) error {
	if p.AudienceType != "" || !audienceOptional {
		if err := p.validateAudience(method, field); err != nil {
			return err
		}
	}
	return p.validateRest(method, field)
}

func (p TPNSPush) validateAudience(method, field string) error {
	switch p.AudienceType {
	case TPNSAudienceAll, TPNSAudiencePackageAccountPush, TPNSAudiencePackageTokenPush, TPNSAudienceTag,
		TPNSAudienceToken, TPNSAudienceTokenList, TPNSAudienceAccount, TPNSAudienceAccountList:
	case "":
		return invalidf(method, field+".AudienceType", "is required (all, tag, token, token_list, account, account_list, package_account_push, package_token_push)")
	default:
		return invalidf(method, field+".AudienceType", "%q is not a TPNS audience type", p.AudienceType)
	}
	switch {
	case (p.AudienceType == TPNSAudienceToken || p.AudienceType == TPNSAudienceTokenList) && len(p.TokenList) == 0:
		return invalidf(method, field+".TokenList", "is required for audience %q, got none", p.AudienceType)
	case (p.AudienceType == TPNSAudienceAccount || p.AudienceType == TPNSAudienceAccountList) && len(p.AccountList) == 0:
		return invalidf(method, field+".AccountList", "is required for audience %q, got none", p.AudienceType)
	case p.AudienceType == TPNSAudienceTag && len(p.TagRules) == 0:
		return invalidf(method, field+".TagRules", "is required for audience \"tag\", got none")
	case p.AudienceType == TPNSAudienceTag && !json.Valid(p.TagRules):
		return invalidf(method, field+".TagRules", "is not valid JSON")
	case strings.HasPrefix(p.AudienceType, "package_") && p.UploadID == 0:
		return invalidf(method, field+".UploadID", "is required for audience %q, got 0", p.AudienceType)
	}
	return nil
}

func (p TPNSPush) validateRest(method, field string) error {
	switch p.MessageType {
	case "", "notify":
		if p.Content == "" {
			return invalidf(method, field+".Content", "is required for a notify message, got an empty string")
		}
	case "message":
	default:
		return invalidf(method, field+".MessageType", "must be \"notify\" or \"message\", got %q", p.MessageType)
	}
	if p.Environment != "" && p.Environment != "product" && p.Environment != "dev" {
		return invalidf(method, field+".Environment", "must be \"product\" or \"dev\", got %q", p.Environment)
	}
	if p.Platform != "" && p.Platform != "android" && p.Platform != "ios" {
		return invalidf(method, field+".Platform", "must be \"android\" or \"ios\", got %q", p.Platform)
	}

	if p.ExpireTime < 0 {
		return invalidf(method, field+".ExpireTime", "must not be negative, got %d", p.ExpireTime)
	}
	if p.UploadID < 0 {
		return invalidf(method, field+".UploadID", "must not be negative, got %d", p.UploadID)
	}
	if len(p.TagRules) > 0 && !utf8.Valid(p.TagRules) {
		return invalidf(method, field+".TagRules", "is not valid UTF-8")
	}
	for _, f := range [...]struct{ name, value string }{{"Title", p.Title}, {"Content", p.Content}, {"SendTime", p.SendTime}} {
		if err := checkText(method, field+"."+f.name, f.value); err != nil {
			return err
		}
	}
	for _, list := range [...]struct {
		name  string
		items []string
	}{{"TokenList", p.TokenList}, {"AccountList", p.AccountList}} {
		if err := checkUniqueKeys(method, field+"."+list.name, list.items); err != nil {
			return err
		}
	}
	for k := range p.Extra {
		if reservedPushFields[k] {
			return invalidf(method, field+".Extra["+strconv.Quote(k)+"]", "repeats a field the SDK sets; use the typed field")
		}
	}
	for _, m := range [...]struct {
		name string
		v    map[string]any
	}{{"Android", p.Android}, {"IOS", p.IOS}, {"Extra", p.Extra}} {
		if err := checkJSONValue(method, field+"."+m.name, m.v); err != nil {
			return err
		}
	}
	return nil
}

var reservedPushFields = map[string]bool{
	"audience_type": true, "platform": true, "token_list": true, "account_list": true, "tag_rules": true,
	"upload_id": true, "message_type": true, "message": true, "environment": true, "expire_time": true,
	"send_time": true, "collapse_id": true, "force_collapse": true,
}

// iOS reports whether the push has an iOS part.
func (p TPNSPush) iOS() bool { return p.IOS != nil || p.Platform == "ios" }

// checkEnvironment refuses a push with an iOS part and no environment:
// TPNS needs it for iOS, and Tencent's own TPNS SDKs refuse such a push
// whatever its platform says.
func (p TPNSPush) checkEnvironment(method, field string) error {
	if p.iOS() && p.Environment == "" {
		return invalidf(method, field+".Environment", "is required when the message has an iOS part (\"product\" or \"dev\"), and the original task's record names none either; Tencent's own TPNS SDKs refuse such a push")
	}
	return nil
}

func (p TPNSPush) body() map[string]any {
	m := make(map[string]any, 12+len(p.Extra))
	for k, v := range p.Extra {
		m[k] = v
	}
	m["audience_type"] = p.AudienceType
	mt := p.MessageType
	if mt == "" {
		mt = "notify"
	}
	m["message_type"] = mt
	msg := map[string]any{"title": p.Title, "content": p.Content}
	if p.Android != nil {
		msg["android"] = p.Android
	}
	if p.IOS != nil {
		msg["ios"] = p.IOS
	}
	m["message"] = msg
	if p.Platform != "" {
		m["platform"] = p.Platform
	}
	if len(p.TokenList) > 0 {
		m["token_list"] = p.TokenList
	}
	if len(p.AccountList) > 0 {
		m["account_list"] = p.AccountList
	}
	if len(p.TagRules) > 0 {
		m["tag_rules"] = p.TagRules
	}
	if p.UploadID != 0 {
		m["upload_id"] = p.UploadID
	}
	if p.Environment != "" {
		m["environment"] = p.Environment
	}
	if p.ExpireTime != 0 {
		m["expire_time"] = p.ExpireTime
	}
	if p.SendTime != "" {
		m["send_time"] = p.SendTime
	}
	return m
}

// TPNSOverride replaces the notification of an earlier push.
type TPNSOverride struct {
	// PushID is the task whose notification is replaced. Required.
	PushID string
	// Push is the new message. Its audience should match the original's.
	Push TPNSPush
	// ForceCollapse still delivers the new message to devices that cannot
	// override (OPPO, vivo), where it appears as a second notification.
	ForceCollapse bool
	// SameTargets vouches that Push's targets are the original's where the
	// record holds none to compare: a tag push's rules (the record has no
	// tag rules), or a package push whose record has no upload ID. Without
	// it such an override is refused: broader rules would reach users the
	// original never did.
	SameTargets bool
}

// TPNSOverrideResult is the answer to the new push.
type TPNSOverrideResult struct {
	// PushIDs of the new push: one, or several for loop pushes.
	PushIDs     []string
	CollapseID  int64 // the collapse ID read from the original task
	Seq         int64
	Environment string
}

type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]string)(s))
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	if one != "" {
		*s = []string{one}
	}
	return nil
}

type tpnsPushResponse struct {
	tpnsEnvelope
	PushID      stringOrList `json:"push_id"`
	Seq         int64        `json:"seq"`
	Environment string       `json:"environment"`
}

// OverrideTPNSPush replaces the notification of an earlier push: it reads
// the task's collapse ID (get_push_record), then pushes the new message with
// that collapse_id. Devices showing the old notification show the new one in
// its place. Override works on the TPNS channel, APNs, Mi, Meizu and Huawei
// EMUI 10+, not on OPPO or vivo (see ForceCollapse).
//
// A task without a collapse ID (token and account pushes have none) cannot
// be overridden: the call fails with ErrOverrideNotSupported and sends no
// push. The push itself is never retried once an attempt may have reached
// the service, since a retry could deliver it twice; such a failure matches
// ErrOutcomeUnknown. All, tag and package pushes are limited to 1 per second.
func (c *Client) OverrideTPNSPush(ctx context.Context, o TPNSOverride) (_ *TPNSOverrideResult, err error) {
	const method = "OverrideTPNSPush"
	if err := checkCtx(method, ctx); err != nil {
		return nil, err
	}
	ctx, op := c.begin(ctx, method, EndpointTPNSPush, 0)
	defer func() { c.finishCall(ctx, op, err) }()
	if err := checkRequired(method, "PushID", o.PushID, "the task whose notification is replaced"); err != nil {
		return nil, err
	}
	if err := o.Push.validate(method, "Push", true); err != nil {
		return nil, err
	}
	if c.tpns == nil {
		return nil, fmt.Errorf("chatrecall: %s: %w", method, ErrTPNSNotConfigured)
	}
	rec, err := c.GetTPNSPushRecord(ctx, o.PushID)
	if err != nil {
		return nil, err
	}
	if rec.CollapseID == 0 {
		return nil, fmt.Errorf("chatrecall: %s: push %s (type %q) has no collapse ID, so it cannot be overridden; only all, tag and package pushes can: %w",
			method, o.PushID, rec.PushType, ErrOverrideNotSupported)
	}
	// The replacement must reach the audience of the original, no more:
	// an override of a tag push sent to "all" would show the correction
	// to every user.
	switch {
	case o.Push.AudienceType == "" && rec.PushType == "":
		return nil, invalidf(method, "Push.AudienceType", "is empty and the record of push %s names no audience; give the original's audience", o.PushID)
	case o.Push.AudienceType == "":
		o.Push.AudienceType = rec.PushType
	case rec.PushType != "" && o.Push.AudienceType != rec.PushType:
		return nil, invalidf(method, "Push.AudienceType", "is %q but push %s went to audience %q; an override must target the original's audience", o.Push.AudienceType, o.PushID, rec.PushType)
	}
	// Within the audience type, the targets: compared where the record
	// holds them, vouched for (SameTargets) where it does not.
	switch {
	case o.Push.AudienceType == TPNSAudienceTag && !o.SameTargets:
		return nil, invalidf(method, "Push.TagRules", "cannot be checked: push %s went to a tag audience, and its record holds no tag rules to compare; set SameTargets to vouch they are the original's (broader rules would reach users it never did)", o.PushID)
	case strings.HasPrefix(o.Push.AudienceType, "package_") && rec.UploadID != 0 && o.Push.UploadID == 0:
		o.Push.UploadID = rec.UploadID
	case strings.HasPrefix(o.Push.AudienceType, "package_") && rec.UploadID != 0 && o.Push.UploadID != rec.UploadID:
		return nil, invalidf(method, "Push.UploadID", "is %d but push %s went to upload %d; an override must target the original's audience", o.Push.UploadID, o.PushID, rec.UploadID)
	case strings.HasPrefix(o.Push.AudienceType, "package_") && rec.UploadID == 0 && !o.SameTargets:
		return nil, invalidf(method, "Push.UploadID", "cannot be checked: the record of push %s holds no upload ID; set SameTargets to vouch it is the original's", o.PushID)
	}
	if err := o.Push.validateAudience(method, "Push"); err != nil {
		return nil, err
	}
	// An iOS part needs its environment: the caller's, else the original's.
	if o.Push.Environment == "" {
		o.Push.Environment = rec.Environment
	}
	if err := o.Push.checkEnvironment(method, "Push"); err != nil {
		return nil, err
	}
	body := o.Push.body()
	body["collapse_id"] = rec.CollapseID
	body["force_collapse"] = o.ForceCollapse
	ep := epTPNSPush
	if broadcastAudiences[o.Push.AudienceType] {
		ep = epTPNSPushBroadcast
	}
	got, _, err := c.single(ctx, method, ep, body, func() response { return new(tpnsPushResponse) }, op, false)
	if err != nil {
		return nil, err
	}
	resp := got.(*tpnsPushResponse)
	return &TPNSOverrideResult{PushIDs: resp.PushID, CollapseID: rec.CollapseID, Seq: resp.Seq, Environment: resp.Environment}, nil
}

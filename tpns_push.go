package chatrecall

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the TPNS push the override sends: its body, checked in full
// before anything is sent, and OverrideTPNSPush.

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

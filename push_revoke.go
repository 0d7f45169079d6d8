package chatrecall

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// ChatPushRevoke asks to revoke an all-user or tag push task (timpush/revoke).
type ChatPushRevoke struct {
	// TaskID is the TaskId returned by v4/timpush/push. Required. The
	// service's text for 90049 says only TaskIds from timpush/push can be
	// revoked; the client does not check where an ID came from.
	TaskID string
	// OfflinePushInfo overwrites the offline notification that devices
	// already show (APNs, FCM notification mode, Huawei and Honor; not while
	// the app is in the foreground). Always send it: without it (or with
	// PushFlag 1) nothing is overwritten, and the Chinese documentation
	// (2025-12-24) marks it required. A push that kept no roaming or unread
	// copy answers a revoke without it with ErrOfflinePushInfoRequired
	// (code 90053).
	OfflinePushInfo *OfflinePushInfo
}

// OfflinePushInfo is the notification that replaces the one shown. Empty
// fields are omitted from the request.
type OfflinePushInfo struct {
	// PushFlag is 0 to push the replacement, 1 not to.
	PushFlag int    `json:"PushFlag"`
	Title    string `json:"Title,omitempty"`
	Desc     string `json:"Desc,omitempty"`
	// Ext is passed through to the devices as a JSON string. SetExt builds
	// it from a value.
	Ext         string       `json:"Ext,omitempty"`
	AndroidInfo *AndroidInfo `json:"AndroidInfo,omitempty"`
	ApnsInfo    *ApnsInfo    `json:"ApnsInfo,omitempty"`
}

// Int returns a pointer to v, for optional fields whose zero value means
// something (AndroidInfo.VIVOClassification).
func Int(v int) *int { return &v }

// SetExt marshals v to JSON and stores it in Ext, the JSON string the
// service expects.
func (o *OfflinePushInfo) SetExt(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("chatrecall: OfflinePushInfo.SetExt: %w", err)
	}
	o.Ext = string(b)
	return nil
}

// AndroidInfo holds the Android vendor settings of the replacement.
type AndroidInfo struct {
	Sound           string `json:"Sound,omitempty"`
	HuaWeiChannelID string `json:"HuaWeiChannelID,omitempty"`
	XiaoMiChannelID string `json:"XiaoMiChannelID,omitempty"`
	OPPOChannelID   string `json:"OPPOChannelID,omitempty"`
	GoogleChannelID string `json:"GoogleChannelID,omitempty"`
	// VIVOClassification is 0 (operation message) or 1 (system message, the
	// service's default when omitted). 0 is a real value, so the field is a
	// pointer: nil omits it; chatrecall.Int(0) sends 0.
	VIVOClassification     *int   `json:"VIVOClassification,omitempty"`
	HuaWeiImportance       string `json:"HuaWeiImportance,omitempty"`
	ExtAsHuaweiIntentParam int    `json:"ExtAsHuaweiIntentParam,omitempty"`
	HuaWeiCategory         string `json:"HuaWeiCategory,omitempty"`
	OPPOCategory           string `json:"OPPOCategory,omitempty"`
	VIVOCategory           string `json:"VIVOCategory,omitempty"`
	HonorImportance        string `json:"HonorImportance,omitempty"`
	MeiZuNoticeMsgType     int    `json:"MeiZuNoticeMsgType,omitempty"`
}

// ApnsInfo holds the iOS settings of the replacement.
type ApnsInfo struct {
	Sound          string `json:"Sound,omitempty"`
	BadgeMode      int    `json:"BadgeMode,omitempty"`
	Title          string `json:"Title,omitempty"`
	SubTitle       string `json:"SubTitle,omitempty"`
	Image          string `json:"Image,omitempty"`
	MutableContent int    `json:"MutableContent,omitempty"`
}

type pushRevokeRequest struct {
	TaskID          string           `json:"TaskId"`
	OfflinePushInfo *OfflinePushInfo `json:"OfflinePushInfo,omitempty"`
}

// Validate checks r as RevokeChatPush does before sending anything, and
// returns the same *ValidationError.
func (r ChatPushRevoke) Validate() error {
	const method = "RevokeChatPush"
	if err := checkRequired(method, "TaskID", r.TaskID, "the TaskId returned by v4/timpush/push"); err != nil {
		return err
	}
	if o := r.OfflinePushInfo; o != nil {
		if o.PushFlag != 0 && o.PushFlag != 1 {
			return invalidf(method, "OfflinePushInfo.PushFlag", "must be 0 (push) or 1 (don't), got %d", o.PushFlag)
		}
		if o.Ext != "" && (!utf8.ValidString(o.Ext) || !json.Valid([]byte(o.Ext))) {
			return invalidf(method, "OfflinePushInfo.Ext", "must be a JSON document in valid UTF-8 (see SetExt), got %d bytes that are not", len(o.Ext))
		}
		if err := checkText(method, "OfflinePushInfo.Title", o.Title); err != nil {
			return err
		}
		if err := checkText(method, "OfflinePushInfo.Desc", o.Desc); err != nil {
			return err
		}
		if a := o.AndroidInfo; a != nil && a.VIVOClassification != nil && *a.VIVOClassification != 0 && *a.VIVOClassification != 1 {
			return invalidf(method, "OfflinePushInfo.AndroidInfo.VIVOClassification", "must be 0 (operation message) or 1 (system message), got %d", *a.VIVOClassification)
		}
		if err := checkJSONValue(method, "OfflinePushInfo.AndroidInfo", o.AndroidInfo); err != nil {
			return err
		}
		if err := checkJSONValue(method, "OfflinePushInfo.ApnsInfo", o.ApnsInfo); err != nil {
			return err
		}
	}
	return nil
}

// RevokeChatPush revokes an all-user or tag push task (timpush/revoke) within
// 24 hours of the push: delivery to accounts not yet reached stops and, with
// OfflinePushInfo, notifications already shown are overwritten.
//
// The two language versions of the documentation disagree: the
// international page (2026-02-11) also promises recall of unread and roaming
// copies and makes OfflinePushInfo optional; the Chinese page (2025-12-24)
// lists terminate and overwrite only and makes OfflinePushInfo required. The
// client promises what both say (terminate, overwrite), keeps OfflinePushInfo
// optional in the type, and recommends always sending it.
//
// The service allows 1 call per second per app; the client's rate limiter
// waits for that (DefaultLimitFactor of it) rather than fail. Errors:
// ErrAlreadyRecalled (90050), ErrRecallWindowExpired (90052, older than
// 24 h), ErrOfflinePushInfoRequired (90053), ErrNotFound (90049, unknown
// TaskId), ErrRateLimited (90051).
func (c *Client) RevokeChatPush(ctx context.Context, r ChatPushRevoke) (res *Result, err error) {
	return c.do(ctx, action{method: "RevokeChatPush", ep: epPushRevoke, items: 1, check: r.Validate,
		req: func() any { return &pushRevokeRequest{TaskID: r.TaskID, OfflinePushInfo: r.OfflinePushInfo} }})
}

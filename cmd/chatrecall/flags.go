package main

import (
	"strings"

	"github.com/chatrecall/chatrecall"
)

// fieldFlags names, per SDK method, the flag that sets each request field,
// so an input the SDK refuses is reported with the flag that fixes it.
var fieldFlags = map[string]map[string]string{
	"RecallGroupMessages":           {"GroupID": "--group", "TopicID": "--topic", "MsgSeqs": "--seq", "Reason": "--reason"},
	"RecallOfficialAccountMessages": {"Account": "--official", "MsgKeys": "--key", "Reason": "--reason"},
	"RecallC2CMessage":              {"From": "--from", "To": "--to", "MsgKey": "--key"},
	"RevokeChatPush": {"TaskID": "--task", "OfflinePushInfo.Title": "--title", "OfflinePushInfo.Desc": "--desc",
		"OfflinePushInfo.Ext": "--ext", "OfflinePushInfo": "--title and --desc"},
	"StopTPNSPush":            {"pushID": "--push", "PushID": "--push"},
	"RevokeTPNSPush":          {"pushID": "--push", "PushID": "--push"},
	"CancelTPNSScheduledPush": {"pushID": "--push", "PushID": "--push"},
	"GetTPNSPushRecord":       {"pushID": "--push", "PushID": "--push"},
	"OverrideTPNSPush": {"PushID": "--push", "Push.Title": "--title", "Push.Content": "--desc", "Push.AudienceType": "--audience",
		"Push.TagRules": "--tag-rules", "Push.TokenList": "--tokens", "Push.AccountList": "--accounts", "Push.Platform": "--platform",
		"Push.Environment": "--environment", "SameTargets": "--same-targets"},
}

// withFlag adds to a refused input's message the flag that fixes it.
func withFlag(ve *chatrecall.ValidationError) string {
	msg := ve.Error()
	field := ve.Field
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i] // MsgSeqs[3]: the list's flag
	}
	if fl := fieldFlags[ve.Method][field]; fl != "" {
		return msg + " (fix: " + fl + ")"
	}
	return msg
}

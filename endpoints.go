package chatrecall

import "time"

// This file describes every REST API the client calls, in one table: its
// name, path, rate limit, codes and how a failure is read. Everything that
// needs a list of endpoints (the code tables, the documented limits,
// WithRateLimit, Repeats) iterates the table.

// Endpoint names, used in errors, logs, rate-limit keys and WithRateLimit.
const (
	EndpointGroupRecall    = "group_msg_recall"
	EndpointOfficialRecall = "official_account_msg_recall"
	EndpointPushRevoke     = "timpush/revoke"
	EndpointC2CRecall      = "admin_msgwithdraw"
	EndpointTPNSStop       = "tpns/stop_push_msg"
	EndpointTPNSRevoke     = "tpns/revoke_push_msg"
	EndpointTPNSCancel     = "tpns/cancel_timing_task"
	EndpointTPNSRecord     = "tpns/get_push_record"
	// History and delete-by-sender, used by the sweep.
	EndpointGroupHistory        = "group_msg_get_simple"
	EndpointC2CHistory          = "admin_getroammsg"
	EndpointOfficialHistory     = "official_account_msg_get_simple"
	EndpointGroupDeleteBySender = "delete_group_msg_by_sender"
	// Containment of an account (spec section 7).
	EndpointSetNoSpeaking = "setnospeaking"
	EndpointGetNoSpeaking = "getnospeaking"
	EndpointKick          = "kick"
	// Push take-back (spec section 8): scheduled tasks (5/s each), and how
	// far a push got (1/s each).
	EndpointSchedList      = "timpush/list_sched_task"
	EndpointSchedGet       = "timpush/get_sched_task"
	EndpointSchedDelete    = "timpush/delete_sched_task"
	EndpointPushStatistics = "timpush/all_member_push_statistics"
	EndpointPushTrace      = "timpush/all_member_push_trace"
	// EndpointGroupMute is forbid_send_msg (mute members in a group);
	// EndpointGroupMuted is get_group_muted_account (read them back).
	EndpointGroupMute  = "forbid_send_msg"
	EndpointGroupMuted = "get_group_muted_account"
	// Discovery of the conversations an account touched (spec section 6).
	EndpointJoinedGroups   = "get_joined_group_list"
	EndpointRecentContacts = "recentcontact/get_list"
	// EndpointTPNSPush is /v3/push/app for token and account audiences.
	EndpointTPNSPush = "tpns/push_app"
	// endpointTPNSPushBroadcast is /v3/push/app for all, tag and package
	// audiences, which share a limit of 1 call per second.
	endpointTPNSPushBroadcast = "tpns/push_app_broadcast"
)

// endpoint is the fixed description of one REST API.
type endpoint struct {
	name  string // an Endpoint constant: errors, logs, hooks, code tables
	path  string
	limit string // the rate limit it counts against
	tpns  bool
	// idempotent: sending the request again after an attempt that may have
	// taken effect does no harm (a recall of something already recalled is
	// answered with a "gone" code). A push is not: it would be delivered
	// twice.
	idempotent bool
	// read: the request changes nothing (a history page), so no attempt
	// can leave it "applied": a failure is only a failure.
	read bool
	// gone are the codes meaning "not there any more". After an attempt that
	// may have taken effect, they confirm that it did.
	gone []Code
	// absent are codes meaning the item never existed, which no earlier
	// attempt could have changed: they stay definite after an ambiguous
	// attempt.
	absent []Code
	// fatal are whole-request codes that every other request of the same
	// operation would get too (besides the auth, permission and disabled
	// categories): the operation stops sending.
	fatal []Code
	// codes are the endpoint's own codes (the common Chat codes apply to
	// every Chat endpoint besides).
	codes map[Code]codeInfo
	// documented is the service's frequency limit for the limit key; zero
	// for none documented (not paced).
	documented serviceLimit
}

func (e *endpoint) has(list []Code, code Code) bool {
	for _, c := range list {
		if c == code {
			return true
		}
	}
	return false
}

var (
	epGroupRecall = &endpoint{name: EndpointGroupRecall, path: "/v4/group_open_http_svc/group_msg_recall", limit: EndpointGroupRecall,
		idempotent: true, gone: []Code{CodeGroupMsgNotFound},
		fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupTypeNoRecall, CodeGroupRecallForbidden, CodeGroupNoPermission, CodeGroupInvalidCommand}, codes: groupCodes, documented: serviceLimit{200, time.Second}}
	epOfficialRecall = &endpoint{name: EndpointOfficialRecall, path: "/v4/official_account_open_http_svc/official_account_msg_recall", limit: EndpointOfficialRecall,
		idempotent: true, gone: []Code{CodeOfficialMsgNotFound},
		fatal: []Code{CodeOfficialAccountNotFound, CodeOfficialAccountIDInvalid, CodeOfficialNoPermission, CodeOfficialInvalidCommand}, codes: officialCodes, documented: serviceLimit{200, time.Second}}
	epPushRevoke = &endpoint{name: EndpointPushRevoke, path: "/v4/timpush/revoke", limit: EndpointPushRevoke,
		idempotent: true, gone: []Code{CodePushAlreadyRevoked}, absent: []Code{CodePushTaskNotFound}, codes: pushCodes, documented: serviceLimit{1, time.Second}}
	epC2CRecall = &endpoint{name: EndpointC2CRecall, path: "/v4/openim/admin_msgwithdraw", limit: EndpointC2CRecall,
		idempotent: true, gone: []Code{CodeC2CAlreadyRecalled}, absent: []Code{CodeC2CMsgNotFound}, codes: c2cCodes, documented: serviceLimit{200, time.Second}}
	epTPNSStop   = &endpoint{name: EndpointTPNSStop, path: "/v3/push/stop_push_msg", limit: EndpointTPNSStop, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}, codes: tpnsCodes}
	epTPNSRevoke = &endpoint{name: EndpointTPNSRevoke, path: "/v3/push/revoke_push_msg", limit: EndpointTPNSRevoke, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}, codes: tpnsCodes}
	epTPNSCancel = &endpoint{name: EndpointTPNSCancel, path: "/v3/push/cancel_timing_task", limit: EndpointTPNSCancel, tpns: true, idempotent: true, absent: []Code{CodeTPNSTaskNotFound}, codes: tpnsCodes}
	epTPNSRecord = &endpoint{name: EndpointTPNSRecord, path: "/v3/statistics/get_push_record", limit: EndpointTPNSRecord, tpns: true, idempotent: true, codes: tpnsCodes, documented: serviceLimit{200, time.Hour}}
	// Pushes to tokens and accounts, and to all, tag and package audiences
	// (1 per second): one path, two limits. Never resent once they may have
	// been delivered.
	epTPNSPush          = &endpoint{name: EndpointTPNSPush, path: "/v3/push/app", limit: EndpointTPNSPush, tpns: true, codes: tpnsCodes}
	epTPNSPushBroadcast = &endpoint{name: EndpointTPNSPush, path: "/v3/push/app", limit: endpointTPNSPushBroadcast, tpns: true, codes: tpnsCodes, documented: serviceLimit{1, time.Second}}
	epSetNoSpeaking     = &endpoint{name: EndpointSetNoSpeaking, path: "/v4/openconfigsvr/setnospeaking", limit: EndpointSetNoSpeaking,
		idempotent: true, fatal: []Code{CodeMuteAccountInvalid}, codes: muteCodes, documented: serviceLimit{200, time.Second}}
	epGetNoSpeaking = &endpoint{name: EndpointGetNoSpeaking, path: "/v4/openconfigsvr/getnospeaking", limit: EndpointGetNoSpeaking,
		idempotent: true, read: true, codes: muteCodes, documented: serviceLimit{200, time.Second}}
	epKick = &endpoint{name: EndpointKick, path: "/v4/im_open_login_svc/kick", limit: EndpointKick, idempotent: true, documented: serviceLimit{200, time.Second}}

	epJoinedGroups = &endpoint{name: EndpointJoinedGroups, path: "/v4/group_open_http_svc/get_joined_group_list", limit: EndpointJoinedGroups,
		idempotent: true, read: true, fatal: []Code{CodeGroupNoPermission, CodeGroupInvalidCommand}, codes: groupReadCodes, documented: serviceLimit{200, time.Second}}
	epRecentContacts = &endpoint{name: EndpointRecentContacts, path: "/v4/recentcontact/get_list", limit: EndpointRecentContacts,
		idempotent: true, read: true, fatal: []Code{CodeContactAccountNotImported, CodeContactAdminRequired}, codes: contactCodes, documented: serviceLimit{200, time.Second}}

	epGroupDeleteBySender = &endpoint{name: EndpointGroupDeleteBySender, path: "/v4/group_open_http_svc/delete_group_msg_by_sender", limit: EndpointGroupDeleteBySender,
		idempotent: true, // asking again takes back nothing more
		fatal:      []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupNoPermission, CodeGroupInvalidCommand}, codes: groupReadCodes, documented: serviceLimit{200, time.Second}}

	epGroupMute = &endpoint{name: EndpointGroupMute, path: "/v4/group_open_http_svc/forbid_send_msg", limit: EndpointGroupMute,
		idempotent: true, fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupNoPermission, CodeGroupInvalidCommand}, codes: groupReadCodes, documented: serviceLimit{200, time.Second}}
	epGroupMuted = &endpoint{name: EndpointGroupMuted, path: "/v4/group_open_http_svc/get_group_muted_account", limit: EndpointGroupMuted,
		idempotent: true, read: true, fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupNoPermission, CodeGroupInvalidCommand}, codes: groupReadCodes, documented: serviceLimit{200, time.Second}}

	epGroupHistory = &endpoint{name: EndpointGroupHistory, path: "/v4/group_open_http_svc/group_msg_get_simple", limit: EndpointGroupHistory,
		idempotent: true, read: true,
		fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupNoPermission, CodeGroupInvalidCommand, CodeGroupNoHistory}, codes: groupReadCodes, documented: serviceLimit{200, time.Second}}
	epC2CHistory = &endpoint{name: EndpointC2CHistory, path: "/v4/openim/admin_getroammsg", limit: EndpointC2CHistory,
		idempotent: true, read: true, codes: c2cReadCodes, documented: serviceLimit{200, time.Second}}
	epOfficialHistory = &endpoint{name: EndpointOfficialHistory, path: "/v4/official_account_open_http_svc/official_account_msg_get_simple", limit: EndpointOfficialHistory,
		idempotent: true, read: true,
		fatal: []Code{CodeOfficialAccountNotFound, CodeOfficialAccountIDInvalid, CodeOfficialNoPermission, CodeOfficialInvalidCommand}, codes: officialReadCodes, documented: serviceLimit{200, time.Second}}

	epSchedList = &endpoint{name: EndpointSchedList, path: "/v4/timpush/list_sched_task", limit: EndpointSchedList, idempotent: true, read: true,
		fatal: []Code{CodePushAdminRequired}, codes: schedCodes, documented: serviceLimit{5, time.Second}}
	epSchedGet = &endpoint{name: EndpointSchedGet, path: "/v4/timpush/get_sched_task", limit: EndpointSchedGet, idempotent: true, read: true,
		fatal: []Code{CodePushAdminRequired}, codes: schedCodes, documented: serviceLimit{5, time.Second}}
	// A delete whose answer is lost stays unknown: read the task back.
	epSchedDelete = &endpoint{name: EndpointSchedDelete, path: "/v4/timpush/delete_sched_task", limit: EndpointSchedDelete,
		fatal: []Code{CodePushAdminRequired, CodeSchedDispatching}, codes: schedCodes, documented: serviceLimit{5, time.Second}}

	epPushStatistics = &endpoint{name: EndpointPushStatistics, path: "/v4/timpush/all_member_push_statistics", limit: EndpointPushStatistics,
		idempotent: true, read: true, fatal: []Code{CodePushAdminRequired}, codes: schedCodes, documented: serviceLimit{1, time.Second}}
	epPushTrace = &endpoint{name: EndpointPushTrace, path: "/v4/timpush/all_member_push_trace", limit: EndpointPushTrace,
		idempotent: true, read: true, fatal: []Code{CodePushAdminRequired}, codes: schedCodes, documented: serviceLimit{1, time.Second}}
)

// endpoints is every endpoint the client calls.
var endpoints = []*endpoint{
	epGroupRecall, epOfficialRecall, epPushRevoke, epC2CRecall, epTPNSStop, epTPNSRevoke, epTPNSCancel, epTPNSRecord, epTPNSPush, epTPNSPushBroadcast, epSetNoSpeaking, epGetNoSpeaking, epKick, epJoinedGroups, epRecentContacts, epGroupDeleteBySender, epGroupMute, epGroupMuted, epGroupHistory, epC2CHistory, epOfficialHistory, epSchedList, epSchedGet, epSchedDelete, epPushStatistics, epPushTrace,
}

// endpointNamed returns the endpoint an error names, for Repeats; nil if
// none. (The two TPNS push endpoints share a name and have no
// whole-request codes of their own.)
func endpointNamed(name string) *endpoint {
	for _, ep := range endpoints {
		if ep.name == name {
			return ep
		}
	}
	return nil
}

// codeTable returns the endpoint-specific code table, or nil.
func codeTable(name string) map[Code]codeInfo {
	if ep := endpointNamed(name); ep != nil {
		return ep.codes
	}
	return nil
}

// documentedLimits are the limits of spec section 4, per limit key.
// Endpoints without a documented limit are not paced.
var documentedLimits = func() map[string]serviceLimit {
	m := map[string]serviceLimit{}
	for _, ep := range endpoints {
		if ep.documented.n > 0 {
			m[ep.limit] = ep.documented
		}
	}
	return m
}()

// knownEndpoints are the endpoints WithRateLimit accepts.
var knownEndpoints = func() map[string]bool {
	m := map[string]bool{}
	for _, ep := range endpoints {
		m[ep.name] = true
	}
	return m
}()

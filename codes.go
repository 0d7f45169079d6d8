package chatrecall

import (
	"maps"
	"strconv"
)

// This file holds the service's codes: a constant for every documented
// one, and what each means and which categories it matches, per endpoint
// family (the endpoint table, endpoints.go, says which family is whose).

// Code is an error code of the service: ErrorCode on Chat, ret_code on
// TPNS. Every documented code has a constant; DescribeCode gives its
// meaning. APIError.Code holds one.
type Code int

// String is the code's number.
func (c Code) String() string { return strconv.Itoa(int(c)) }

// Codes common to every Chat REST endpoint.
const (
	CodeHTTPUnparseable            Code = 60002 // HTTP request could not be parsed
	CodeBodyNotJSON                Code = 60003 // request body is not valid JSON
	CodeAccountOrSigInvalid        Code = 60004 // account or signature in the URL is wrong
	CodeAccountOrSigInvalid2       Code = 60005 // account or signature in the URL is wrong
	CodeSDKAppIDInvalid            Code = 60006 // SDKAppID invalid or expired
	CodeRESTFrequencyExceeded      Code = 60007 // REST call frequency exceeded
	CodeServiceTimeout             Code = 60008 // service timeout or malformed request
	CodeResourcePathWrong          Code = 60009 // resource path wrong
	CodeAdminRequired              Code = 60010 // needs App admin
	CodeSDKAppIDFrequencyExceeded  Code = 60011 // SDKAppID request frequency exceeded
	CodeSDKAppIDMissing            Code = 60012 // SDKAppID missing
	CodeResponseUnparseable        Code = 60013 // response JSON could not be parsed
	CodeAccountSwitchTimeout       Code = 60014 // account switch timeout
	CodeAccountNotString           Code = 60015 // account must be a string
	CodeSDKAppIDDisabled           Code = 60016 // SDKAppID disabled
	CodeRequestDisabled            Code = 60017 // request disabled
	CodeTooManyRequests            Code = 60018 // too many requests
	CodeTooManyRequests2           Code = 60019 // too many requests
	CodePackageExpired             Code = 60020 // package expired
	CodeIPNotAllowed               Code = 60021 // caller IP not allowed
	CodeUserSigExpired             Code = 70001 // UserSig expired
	CodeUserSigEmpty               Code = 70002 // UserSig empty
	CodeUserSigInvalid             Code = 70003 // UserSig invalid
	CodeUserSigInvalid2            Code = 70005 // UserSig invalid
	CodeUserSigWrongKey            Code = 70009 // UserSig signed with another key
	CodeUserSigIdentifierMismatch  Code = 70013 // identifier differs from the UserSig's
	CodeUserSigAppIDMismatch       Code = 70014 // SDKAppID differs from the UserSig's
	CodeKeyNotFound                Code = 70016 // key not found
	CodeSDKAppIDNotFound           Code = 70020 // SDKAppID not found
	CodeTooManyFailedVerifications Code = 70050 // too many failed verifications
	CodeAccountNotFound            Code = 70107 // account does not exist
	CodeServerTimeout              Code = 70169 // server timeout
	CodeServerTimeout2             Code = 70202 // server timeout
	CodeInvalidParameter           Code = 70402 // invalid parameter
	CodeAdminRequired2             Code = 70403 // needs App admin
	CodeInternalServerError        Code = 70500 // internal server error
)

// Codes of group_msg_recall.
const (
	CodeGroupInternalError    Code = 10002 // internal error
	CodeGroupInvalidCommand   Code = 10003 // invalid command
	CodeGroupInvalidParameter Code = 10004 // invalid parameter
	CodeGroupNoPermission     Code = 10007 // no permission
	CodeGroupNotFound         Code = 10010 // group does not exist
	CodeGroupIDInvalid        Code = 10015 // invalid group ID
	CodeGroupMsgNotFound      Code = 10030 // message does not exist (or was already recalled)
	CodeGroupMsgTooOld        Code = 10031 // message too old to recall
	CodeGroupMsgNotRecallable Code = 10032 // message cannot be recalled
	CodeGroupTypeNoRecall     Code = 10033 // group type does not support recall
	CodeGroupRecallForbidden  Code = 10041 // app configured to forbid group recall
	CodeGroupNoHistory        Code = 10044 // group type keeps no history (AVChatRoom): group_msg_get_simple
)

// Codes of official_account_msg_recall.
const (
	CodeOfficialInternalError    Code = 10002 // internal error
	CodeOfficialInvalidCommand   Code = 10003 // invalid command
	CodeOfficialInvalidParameter Code = 10004 // invalid parameter
	CodeOfficialNoPermission     Code = 10007 // no permission
	CodeOfficialAccountNotFound  Code = 10010 // official account does not exist
	CodeOfficialAccountIDInvalid Code = 10015 // invalid official account ID
	CodeOfficialMsgNotFound      Code = 10030 // message does not exist (or was already recalled)
	CodeOfficialMsgTooOld        Code = 10031 // message too old to recall
	CodeOfficialMsgNotRecallable Code = 10032 // message cannot be recalled
)

// Codes of timpush/revoke.
const (
	CodePushBodyNotJSON           Code = 90001 // body not JSON
	CodePushAdminRequired         Code = 90009 // needs App admin
	CodePushTaskNotFound          Code = 90049 // TaskId not revocable: unknown, or not returned by timpush/push
	CodePushAlreadyRevoked        Code = 90050 // already revoked
	CodePushRevokeTooFrequent     Code = 90051 // revoke too frequent (1/s)
	CodePushRevokeWindowExpired   Code = 90052 // push older than 24 h
	CodePushOfflinePushInfoNeeded Code = 90053 // push kept no copy; OfflinePushInfo required
	CodePushInternalError         Code = 91000 // internal error
)

// Codes of the timpush scheduled-task endpoints (the family's 90001,
// 90009 and 91000 apply too).
const (
	CodeSchedInvalidParameter Code = 90104 // invalid parameter
	CodeSchedDispatching      Code = 90107 // delete failed: the task is dispatching
)

// Codes of openconfigsvr/setnospeaking and getnospeaking.
const (
	CodeMuteBodyNotJSON    Code = 130001 // body not JSON
	CodeMuteAccountMissing Code = 130004 // Set_Account missing
	CodeMuteAccountInvalid Code = 130005 // Set_Account invalid
	CodeMuteNoTime         Code = 130008 // neither time given
	CodeMuteSystemError    Code = 130014 // system error, retry
)

// Codes of recentcontact/get_list.
const (
	CodeContactAccountNotImported Code = 50001 // the account is not imported
	CodeContactInvalidParameter   Code = 50002 // invalid parameter
	CodeContactAdminRequired      Code = 50003 // needs App admin
	CodeContactInternalError      Code = 50004 // internal error, retry
	CodeContactTimeout            Code = 50005 // network timeout, retry
)

// Codes of openim/admin_msgwithdraw.
const (
	CodeC2CMsgNotFound        Code = 20022 // message does not exist
	CodeC2CAlreadyRecalled    Code = 20023 // already recalled
	CodeC2CBodyNotJSON        Code = 90001 // body not JSON
	CodeC2CToAccountInvalid   Code = 90003 // To_Account missing or unknown
	CodeC2CFromAccountInvalid Code = 90008 // From_Account missing or unknown
	CodeC2CAdminRequired      Code = 90009 // needs App admin
	CodeC2CMsgKeyInvalid      Code = 90054 // MsgKey invalid
	CodeC2CInternalError      Code = 91000 // internal error
)

// Codes of the TPNS API.
const (
	CodeTPNSParamParse       Code = 1008001  // parameter parse error
	CodeTPNSParamMissing     Code = 1008002  // required parameter missing
	CodeTPNSAuthFailed       Code = 1008003  // authentication failed
	CodeTPNSInternalCall     Code = 1008004  // internal call failed
	CodeTPNSParamInvalid     Code = 1008007  // parameter invalid
	CodeTPNSTaskNotFound     Code = 1008015  // push task does not exist
	CodeTPNSBadDate          Code = 1008016  // bad date format
	CodeTPNSContentRejected  Code = 1008019  // content judged non-compliant
	CodeTPNSCertExpired      Code = 1008023  // iOS certificate expired
	CodeTPNSTooFrequent      Code = 1008028  // too frequent
	CodeTPNSAppNotPaid       Code = 1008030  // app not paid
	CodeTPNSResourcesExpired Code = 1008031  // app resources expired
	CodeTPNSWrongAccessPoint Code = 1008035  // wrong AccessId or wrong access point
	CodeTPNSTargetNotFound   Code = 10010005 // push target does not exist
	CodeTPNSInvalidPushTime  Code = 10010012 // invalid push time
	CodeTPNSRepeatedPush     Code = 10010018 // repeated push
)

type codeInfo struct {
	desc string
	cats []error
}

func ci(desc string, cats ...error) codeInfo { return codeInfo{desc, cats} }

var (
	invalid   = ErrInvalidRequest
	auth      = ErrAuth
	perm      = ErrPermission
	limited   = ErrRateLimited
	temporary = ErrTemporary
	notFound  = ErrNotFound
	disabled  = ErrServiceDisabled
)

var commonCodes = map[Code]codeInfo{
	60002: ci("HTTP request could not be parsed", invalid),
	60003: ci("request body is not valid JSON", invalid),
	60004: ci("account or signature in the URL is wrong: check Identifier and the UserSig", auth),
	60005: ci("account or signature in the URL is wrong: check Identifier and the UserSig", auth),
	60006: ci("SDKAppID invalid or expired: check it in the console", auth),
	60007: ci("REST call frequency exceeded: slow down", limited),
	60008: ci("service timeout or malformed request: retry", temporary),
	60009: ci("resource path wrong", invalid),
	60010: ci("needs an App admin: set Identifier to an admin account", perm),
	60011: ci("SDKAppID request frequency exceeded: slow down", limited),
	60012: ci("SDKAppID missing", invalid),
	60013: ci("response JSON could not be parsed: retry", temporary),
	60014: ci("account switch timeout: retry", temporary),
	60015: ci("account must be a string", invalid),
	60016: ci("SDKAppID disabled", disabled),
	60017: ci("request disabled", disabled),
	60018: ci("too many requests: retry later", limited),
	60019: ci("too many requests: retry later", limited),
	60020: ci("package expired: renewal takes about 5 minutes to apply", disabled),
	60021: ci("caller IP not allowed: check the console's IP allowlist", perm),
	70001: ci("UserSig expired: regenerate it", auth, ErrUserSigExpired),
	70002: ci("UserSig empty", auth),
	70003: ci("UserSig invalid", auth),
	70005: ci("UserSig invalid", auth),
	70009: ci("UserSig signed with another key: check the secret key", auth),
	70013: ci("identifier differs from the one in the UserSig", auth),
	70014: ci("SDKAppID differs from the one in the UserSig", auth),
	70016: ci("key not found: is the region right for this SDKAppID?", auth),
	70020: ci("SDKAppID not found: is the region right for this SDKAppID?", auth),
	70050: ci("too many failed verifications: wait 1 minute", limited),
	70107: ci("account does not exist", notFound),
	70169: ci("server timeout: retry", temporary),
	70202: ci("server timeout: retry", temporary),
	70402: ci("invalid parameter", invalid),
	70403: ci("needs an App admin: set Identifier to an admin account", perm),
	70500: ci("internal server error: retry", temporary),
}

// groupBaseCodes are the codes every group endpoint shares.
var groupBaseCodes = map[Code]codeInfo{
	10002: ci("internal error: retry", temporary),
	10003: ci("invalid command", invalid),
	10004: ci("invalid parameter", invalid),
	10007: ci("no permission", perm),
	10010: ci("group does not exist", notFound),
	10015: ci("invalid group ID", invalid),
}

var groupCodes = withCodes(groupBaseCodes, map[Code]codeInfo{
	10030: ci("message does not exist or was already recalled", ErrGone),
	10031: ci("message too old to recall", ErrRecallWindowExpired),
	10032: ci("message cannot be recalled", ErrNotRecallable),
	10033: ci("group type does not support recall", ErrNotRecallable),
	10041: ci("app is configured to forbid group recall", ErrNotRecallable),
})

// groupReadCodes are the codes of group_msg_get_simple and
// delete_group_msg_by_sender.
var groupReadCodes = withCodes(groupBaseCodes, map[Code]codeInfo{
	10044: ci("this group type keeps no history (AVChatRoom): take message IDs from the after-send webhook instead (webhook.Ledger)", ErrNoHistory),
})

// officialReadCodes are the codes of official_account_msg_get_simple
// (spec 2.7: no table of its own is published; those of 2.2 apply).
var officialReadCodes = map[Code]codeInfo{
	10002: ci("internal error: retry", temporary),
	10003: ci("invalid command", invalid),
	10004: ci("invalid parameter", invalid),
	10007: ci("no permission", perm),
	10010: ci("official account does not exist", notFound),
	10015: ci("invalid official account ID", invalid),
}

// c2cReadCodes are the codes of admin_getroammsg.
var c2cReadCodes = map[Code]codeInfo{
	90001: ci("request body is not valid JSON", invalid),
	90003: ci("Peer_Account missing or unknown", notFound, invalid),
	90008: ci("Operator_Account missing or unknown", notFound, invalid),
	90009: ci("needs an App admin: set Identifier to an admin account", perm),
	91000: ci("internal error: retry", temporary),
}

var officialCodes = withCodes(officialReadCodes, map[Code]codeInfo{
	10030: ci("message does not exist or was already recalled", ErrGone),
	10031: ci("message too old to recall", ErrRecallWindowExpired),
	10032: ci("message cannot be recalled", ErrNotRecallable),
})

// withCodes returns base with extra added: an endpoint's table over the
// codes it shares with its family.
func withCodes(base, extra map[Code]codeInfo) map[Code]codeInfo {
	m := make(map[Code]codeInfo, len(base)+len(extra))
	maps.Copy(m, base)
	maps.Copy(m, extra)
	return m
}

var pushCodes = map[Code]codeInfo{
	90001: ci("request body is not valid JSON", invalid),
	90009: ci("needs an App admin: set Identifier to an admin account", perm),
	90049: ci("not revocable: the TaskId is unknown, or not one timpush/push returned (single sends, batch_ and wbat@ TaskIds, cannot be revoked): check the TaskId", ErrNotRecallable, notFound),
	90050: ci("push task already revoked", ErrAlreadyRecalled, ErrGone),
	90051: ci("revoke too frequent: at most 1 call per second", limited),
	90052: ci("push is older than 24 hours and can no longer be revoked", ErrRecallWindowExpired),
	90053: ci("this push kept no roaming/unread copy, so the revoke must carry OfflinePushInfo to overwrite the notification", ErrOfflinePushInfoRequired, invalid),
	91000: ci("internal error: retry", temporary),
}

// schedCodes are the scheduled-task and push-statistics endpoints' (spec
// 8.1, 8.3: 90104 and 90107 are documented; the timpush family's common
// codes apply).
var schedCodes = map[Code]codeInfo{
	90001: ci("request body is not valid JSON", invalid),
	90009: ci("needs an App admin: set Identifier to an admin account", perm),
	90104: ci("invalid parameter", invalid),
	90107: ci("delete failed: the task is dispatching (only pending tasks can be deleted): revoke its push task once it has one", ErrDispatching),
	91000: ci("internal error: retry", temporary),
}

// muteCodes are setnospeaking's (getnospeaking documents none: the same).
var muteCodes = map[Code]codeInfo{
	130001: ci("request body is not valid JSON", invalid),
	130004: ci("Set_Account (or Get_Account) is missing", invalid),
	130005: ci("the account is invalid", invalid, notFound),
	130008: ci("neither mute time was given", invalid),
	130014: ci("system error: retry", temporary),
}

// contactCodes are recentcontact's (the sibling recentcontact/delete's
// table: spec 6.2 c).
var contactCodes = map[Code]codeInfo{
	50001: ci("the account is not imported", notFound),
	50002: ci("invalid parameter", invalid),
	50003: ci("needs an App admin: set Identifier to an admin account", perm),
	50004: ci("internal error: retry", temporary),
	50005: ci("network timeout: retry", temporary),
}

var c2cCodes = map[Code]codeInfo{
	20022: ci("message does not exist", notFound, ErrGone),
	20023: ci("message already recalled", ErrAlreadyRecalled, ErrGone),
	90001: ci("request body is not valid JSON", invalid),
	90003: ci("To_Account missing or unknown", notFound, invalid),
	90008: ci("From_Account missing or unknown", notFound, invalid),
	90009: ci("needs an App admin: set Identifier to an admin account", perm),
	90054: ci("MsgKey invalid", invalid),
	91000: ci("internal error: retry", temporary),
}

var tpnsCodes = map[Code]codeInfo{
	1008001:  ci("parameter parse error", invalid),
	1008002:  ci("required parameter missing", invalid),
	1008003:  ci("authentication failed: check AccessID and SecretKey", auth),
	1008004:  ci("internal call failed: retry", temporary),
	1008007:  ci("parameter invalid", invalid),
	1008015:  ci("push task does not exist", notFound),
	1008016:  ci("bad date format", invalid),
	1008019:  ci("content judged non-compliant", invalid),
	1008023:  ci("iOS push certificate expired: upload a new one", auth),
	1008028:  ci("too frequent: slow down", limited),
	1008030:  ci("app not paid", disabled),
	1008031:  ci("app resources expired", disabled),
	1008035:  ci("wrong AccessId or wrong access point: check Config.TPNS.Region", auth),
	10010005: ci("push target does not exist", notFound),
	10010012: ci("invalid push time", invalid),
	10010018: ci("repeated push", invalid),
}

func lookupCode(endpoint string, code Code) (codeInfo, bool) {
	if info, ok := codeTable(endpoint)[code]; ok {
		return info, true
	}
	if isTPNSEndpoint(endpoint) {
		return codeInfo{}, false
	}
	if info, ok := commonCodes[code]; ok {
		return info, true
	}
	// A code documented for another Chat endpoint (91000 "internal error,
	// retry" is documented for timpush and openim but answered elsewhere
	// too) keeps its meaning.
	for _, t := range [...]map[Code]codeInfo{pushCodes, c2cCodes, groupCodes} {
		if info, ok := t[code]; ok {
			return info, true
		}
	}
	return codeInfo{}, false
}

// DescribeCode returns the documented meaning of code on endpoint (one of
// the Endpoint constants), and false for a code the documentation does not
// list.
func DescribeCode(endpoint string, code Code) (string, bool) {
	info, ok := lookupCode(endpoint, code)
	return info.desc, ok
}

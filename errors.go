package chatrecall

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error categories. Every error the client returns matches at least one of
// these with errors.Is, whatever its concrete type (*APIError, *HTTPError,
// *TransportError, *ValidationError, *PartialError, ...):
//
//	if errors.Is(err, chatrecall.ErrRateLimited) { ... }
var (
	ErrInvalidRequest  = errors.New("invalid request")
	ErrAuth            = errors.New("authentication failed")
	ErrUserSigExpired  = errors.New("UserSig expired")
	ErrPermission      = errors.New("permission denied")
	ErrRateLimited     = errors.New("rate limited")
	ErrTemporary       = errors.New("temporary failure")
	ErrNotFound        = errors.New("not found")
	ErrAlreadyRecalled = errors.New("already recalled")
	// ErrGone: the item is not there (any more), and the service does not
	// say why. Group and official-account recalls answer 10030 for "does
	// not exist" and "already recalled" alike; that code matches ErrGone and
	// neither ErrNotFound nor ErrAlreadyRecalled, which would each claim more
	// than the service said. Codes that do say which (20022, 20023, 90049,
	// 90050) match ErrGone and their own category.
	ErrGone                = errors.New("gone")
	ErrRecallWindowExpired = errors.New("recall window expired")
	ErrNotRecallable       = errors.New("not recallable")
	ErrServiceDisabled     = errors.New("service disabled")
	// ErrOfflinePushInfoRequired: the push task kept no roaming or unread
	// copy, so only an overwrite of the notification can take it back, and
	// that needs ChatPushRevoke.OfflinePushInfo.
	ErrOfflinePushInfoRequired = errors.New("offline push info required")
	// ErrOutcomeUnknown: the request may or may not have taken effect (it was
	// sent, and no answer came back before attempts ran out). It is never
	// reported as success or failure.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrTPNSNotConfigured: a TPNS method was called on a client built
	// without Config.TPNS.
	ErrTPNSNotConfigured = errors.New("TPNS is not configured: set Config.TPNS (AccessID, SecretKey, Region)")
	// ErrOverrideNotSupported: the TPNS task has no collapse ID, so it cannot
	// be overridden.
	ErrOverrideNotSupported = errors.New("override not supported")
	// ErrNotSent: the item was never sent, or no attempt carrying it reached
	// the service, so it certainly took no effect. It is safe to send again.
	// Such errors are *NotSentError values that also match their cause (the
	// context's end, or the failure that stopped the operation).
	ErrNotSent = errors.New("not sent")
	// ErrNoHistory: the conversation keeps no history to read, as in a
	// live-stream group (AVChatRoom, code 10044). Its message IDs can only
	// come from the after-send webhook (package webhook's Ledger).
	ErrNoHistory = errors.New("no history")
	// ErrNotRecalled: a sweep's verification read the message back and it
	// is still there, not recalled.
	ErrNotRecalled = errors.New("not recalled")
	// ErrDispatching: a scheduled push task started going out (90107), so
	// it can no longer be deleted; once dispatched, its push task is
	// revoked instead.
	ErrDispatching = errors.New("dispatching")
)

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

// codeTable returns the endpoint-specific table, or nil.
func codeTable(endpoint string) map[Code]codeInfo {
	switch endpoint {
	case EndpointGroupRecall:
		return groupCodes
	case EndpointOfficialRecall:
		return officialCodes
	case EndpointPushRevoke:
		return pushCodes
	case EndpointC2CRecall:
		return c2cCodes
	case EndpointGroupHistory, EndpointGroupDeleteBySender:
		return groupReadCodes
	case EndpointOfficialHistory:
		return officialReadCodes
	case EndpointC2CHistory:
		return c2cReadCodes
	case EndpointSetNoSpeaking, EndpointGetNoSpeaking:
		return muteCodes
	case EndpointSchedList, EndpointSchedGet, EndpointSchedDelete, EndpointPushStatistics, EndpointPushTrace:
		return schedCodes
	case EndpointJoinedGroups, EndpointGroupMute, EndpointGroupMuted:
		return groupReadCodes
	case EndpointRecentContacts:
		return contactCodes
	case EndpointTPNSStop, EndpointTPNSRevoke, EndpointTPNSCancel, EndpointTPNSRecord, EndpointTPNSPush:
		return tpnsCodes
	}
	return nil
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

// APIError is an error answered by the service: a non-zero ErrorCode on
// Chat, or a non-zero ret_code on TPNS. It matches the categories of its
// code with errors.Is; a code the documentation does not list still gives an
// *APIError with its number, matching no category.
type APIError struct {
	Endpoint   string // an Endpoint constant, such as EndpointGroupRecall
	Code       Code   // the service's error code
	Info       string // the service's own text (ErrorInfo or err_msg)
	StatusCode int    // the HTTP status of the response, normally 200
}

// Error reads like
// "chatrecall: group_msg_recall: code 10010 (group does not exist): <service text>".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("chatrecall: ")
	b.WriteString(e.Endpoint)
	b.WriteString(": code ")
	b.WriteString(strconv.Itoa(int(e.Code)))
	if info, ok := lookupCode(e.Endpoint, e.Code); ok {
		b.WriteString(" (")
		b.WriteString(info.desc)
		b.WriteString(")")
	} else {
		b.WriteString(" (undocumented code)")
	}
	if e.Info != "" {
		b.WriteString(": ")
		b.WriteString(excerpt(e.Info, 200))
	}
	return b.String()
}

// Is reports whether target is one of the categories of e's code.
func (e *APIError) Is(target error) bool {
	info, _ := lookupCode(e.Endpoint, e.Code)
	for _, c := range info.cats {
		if c == target {
			return true
		}
	}
	return false
}

// Description is the documented meaning of the code, or "" if undocumented.
func (e *APIError) Description() string {
	info, _ := lookupCode(e.Endpoint, e.Code)
	return info.desc
}

// Retryable reports whether the code is one the client retries: temporary
// failures and rate limits.
func (e *APIError) Retryable() bool {
	return e.Is(ErrTemporary) || (e.Is(ErrRateLimited) && e.Code != CodeTooManyFailedVerifications)
}

// Repeats reports whether err is a failure that every further request of
// the same kind would meet again, whatever item it carried: the
// credentials or the app (a wrong key, a disabled service, HTTP 401 or 403,
// too many failed signature checks), a missing permission, a request the
// service cannot read, or the target itself (a group or official account
// that does not exist or cannot recall). Sending more only adds failures,
// and may trip the service's lockout for bad signatures.
//
// Multi-item calls already stop at such a failure: the items not sent end
// with ErrNotSent and PartialError.Cause holds the failure (Repeats of the
// PartialError is Repeats of its Cause). A loop of single-item calls, one
// RecallC2CMessage per message, should stop on it too. An expired UserSig
// does not repeat (the client signs anew); item failures (not found,
// already recalled), rate limits, timeouts and a cancelled context do not.
func Repeats(err error) bool {
	var partial *PartialError
	if errors.As(err, &partial) {
		return partial.Cause != nil && Repeats(partial.Cause)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fatal(endpointNamed(apiErr.Endpoint), err)
	}
	return fatal(nil, err)
}

// HTTPError is a response whose HTTP status was not 2xx. Such responses
// come from the network path (gateways, proxies), not from the service, so
// the body is kept only as a short excerpt with secrets removed.
type HTTPError struct {
	Endpoint   string
	StatusCode int
	Excerpt    string // at most 200 bytes of the body, redacted
	// RetryAfter is the wait a 429 or 503 asked for in its Retry-After
	// header (capped at 30 s); the client waits at least that long before
	// its next attempt. 0 when none was given.
	RetryAfter time.Duration
}

// Error reads like "chatrecall: group_msg_recall: HTTP 502 Bad Gateway: <html>...".
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("chatrecall: %s: HTTP %d %s", e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Excerpt != "" {
		s += ": " + e.Excerpt
	}
	return s
}

// Is matches ErrTemporary for 5xx and 408, ErrRateLimited for 429, ErrAuth for
// 401, ErrPermission for 403 and ErrNotFound for 404.
func (e *HTTPError) Is(target error) bool {
	switch {
	case e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout:
		return target == ErrTemporary
	case e.StatusCode == http.StatusTooManyRequests:
		return target == ErrRateLimited
	case e.StatusCode == http.StatusUnauthorized:
		return target == ErrAuth
	case e.StatusCode == http.StatusForbidden:
		return target == ErrPermission
	case e.StatusCode == http.StatusNotFound:
		return target == ErrNotFound
	}
	return false
}

// TransportError is a failure to get any HTTP response: DNS, connect, TLS,
// timeout, or a connection dropped mid-exchange. Err is the underlying error
// (often a *url.Error, whose URL has had its usersig removed). It matches
// ErrTemporary.
type TransportError struct {
	Endpoint string
	Host     string
	// Sent is true when the request may have reached the service (the
	// failure came after connecting), so it may have taken effect.
	Sent bool
	Err  error
	cert bool // the server's certificate was refused: never retried
}

// Error reads like "chatrecall: group_msg_recall: POST console.tim.qq.com: <cause>".
func (e *TransportError) Error() string {
	return "chatrecall: " + e.Endpoint + ": POST " + e.Host + ": " + e.Err.Error()
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// Is matches ErrTemporary.
func (e *TransportError) Is(target error) bool { return target == ErrTemporary }

// Timeout reports whether the failure was a timeout.
func (e *TransportError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// DecodeError is a 2xx response whose body could not be decoded. It matches
// ErrTemporary: the service may have acted on the request.
type DecodeError struct {
	Endpoint string
	Excerpt  string // at most 200 bytes of the body, redacted
	Err      error
}

// Error reads like "chatrecall: group_msg_recall: undecodable response (...): <excerpt>".
func (e *DecodeError) Error() string {
	return fmt.Sprintf("chatrecall: %s: undecodable response (%v): %q", e.Endpoint, e.Err, e.Excerpt)
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrTemporary.
func (e *DecodeError) Is(target error) bool { return target == ErrTemporary }

// ValidationError is input refused before any request was sent. It names the
// method, the field, and what is wrong with the value given. It matches
// ErrInvalidRequest.
type ValidationError struct {
	Method  string // such as "RecallGroupMessages"
	Field   string // such as "MsgSeqs[3]"
	Problem string // such as "duplicate of MsgSeqs[1] (12)"
}

// Error reads like "chatrecall: RecallGroupMessages: MsgSeqs[3]: duplicate of MsgSeqs[1] (12)".
func (e *ValidationError) Error() string {
	return "chatrecall: " + e.Method + ": " + e.Field + ": " + e.Problem
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

func invalidf(method, field, format string, args ...any) *ValidationError {
	return &ValidationError{Method: method, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// ItemError is the failure of one item of a multi-item recall (one group
// message sequence number, one official-account MsgKey). Err is the cause:
// an *APIError with the item's own RetCode, or the error of the whole request
// that carried it.
type ItemError struct {
	Item string // such as "MsgSeq 12" or `MsgKey "abc"`
	Err  error
}

// Error reads like "MsgSeq 12: chatrecall: group_msg_recall: code 10030 (...)".
func (e *ItemError) Error() string { return e.Item + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ItemError) Unwrap() error { return e.Err }

// PartialError reports that some items of a multi-item recall were not
// recalled. The result returned beside it is still complete: every item has
// its outcome. It unwraps to the item errors, so errors.Is(err, ErrNotFound)
// is true when any item was not found.
type PartialError struct {
	Endpoint string
	Total    int // items requested
	Failed   int // items not recalled, including Unknown and NotSent
	Unknown  int // items whose outcome is unknown (ErrOutcomeUnknown)
	NotSent  int // items never sent, which certainly took no effect (ErrNotSent)
	// Cause is the failure that stopped the operation before every item was
	// sent: a whole-request failure that every request would repeat (wrong
	// key, no permission, unknown group), or the context's end. Nil when
	// every item was tried.
	Cause error
	Errs  []error // one *ItemError per failed item, in input order
}

// Error reads like "chatrecall: group_msg_recall: 2 of 25 items not recalled;
// first: MsgSeq 12: ...".
func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chatrecall: %s: %d of %d items not recalled", e.Endpoint, e.Failed, e.Total)
	if e.Unknown > 0 || e.NotSent > 0 {
		fmt.Fprintf(&b, " (%d with outcome unknown, %d not sent)", e.Unknown, e.NotSent)
	}
	if e.Cause != nil {
		b.WriteString("; stopped by: ")
		b.WriteString(strings.TrimPrefix(e.Cause.Error(), "chatrecall: "))
	}
	if len(e.Errs) > 0 {
		b.WriteString("; first: ")
		msg := e.Errs[0].Error()
		b.WriteString(strings.Replace(msg, "chatrecall: "+e.Endpoint+": ", "", 1))
	}
	return b.String()
}

// Unwrap returns the item errors.
func (e *PartialError) Unwrap() []error { return e.Errs }

// unknownError marks an item or call whose outcome cannot be known. It
// matches ErrOutcomeUnknown, unwraps to the last failure seen and, when the
// loop was stopped (a cancelled context), to that cause as well, so
// errors.Is(err, context.DeadlineExceeded) holds after a deadline.
type unknownError struct{ last, cause error }

func (e *unknownError) Error() string {
	s := "outcome unknown"
	if e.cause != nil {
		s += " (stopped: " + strings.TrimPrefix(e.cause.Error(), "chatrecall: ") + ")"
	}
	if e.last != nil {
		s += ": " + e.last.Error()
	}
	return s
}
func (e *unknownError) Unwrap() []error      { return nonNil(e.cause, e.last) }
func (e *unknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// NotSentError is the outcome of an item that was never sent, or whose every
// attempt failed before reaching the service: it certainly took no effect.
// It matches ErrNotSent and unwraps to its cause (a cancelled context, the
// failure that stopped the operation, a refused connection) and to the last
// failure of an attempt, if any.
type NotSentError struct {
	Cause error // why it was not sent
	Last  error // the last attempt's failure, if an attempt was made
}

// Error reads like "not sent: context canceled".
func (e *NotSentError) Error() string {
	s := "not sent"
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	if e.Last != nil && e.Last != e.Cause {
		s += " (last attempt: " + e.Last.Error() + ")"
	}
	return s
}

// Unwrap returns the cause and the last failure.
func (e *NotSentError) Unwrap() []error {
	if e.Last == e.Cause {
		return nonNil(e.Cause)
	}
	return nonNil(e.Cause, e.Last)
}

// Is matches ErrNotSent.
func (e *NotSentError) Is(target error) bool { return target == ErrNotSent }

// stoppedError is an item the service refused (definitely not applied) whose
// retries were then stopped by cause, such as a cancelled context.
type stoppedError struct{ cause, last error }

func (e *stoppedError) Error() string {
	return e.last.Error() + " (then stopped: " + e.cause.Error() + ")"
}
func (e *stoppedError) Unwrap() []error { return nonNil(e.cause, e.last) }

func nonNil(errs ...error) []error {
	out := errs[:0:0]
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// categories in the order Category tries them: the most specific first.
var categories = []error{
	ErrOutcomeUnknown, ErrNotSent, ErrAlreadyRecalled, ErrGone, ErrRecallWindowExpired, ErrNotRecallable,
	ErrOfflinePushInfoRequired, ErrOverrideNotSupported, ErrUserSigExpired, ErrNotFound,
	ErrRateLimited, ErrTemporary, ErrAuth, ErrPermission, ErrServiceDisabled,
	ErrTPNSNotConfigured, ErrInvalidRequest,
}

// Category returns the most specific category sentinel err matches (such
// as ErrNotFound), for tables, metrics and logs; nil for a nil error or one
// that matches none (a cancelled context, for example).
func Category(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range categories {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}

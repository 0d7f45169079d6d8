package chatrecalltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file routes a request to its service and checks it as the service
// would (signature, admin, body), before any handler sees it.

var chatPaths = map[string]string{
	"/v4/group_open_http_svc/group_msg_recall":                       chatrecall.EndpointGroupRecall,
	"/v4/official_account_open_http_svc/official_account_msg_recall": chatrecall.EndpointOfficialRecall,
	"/v4/timpush/revoke":                                                 chatrecall.EndpointPushRevoke,
	"/v4/timpush/list_sched_task":                                        chatrecall.EndpointSchedList,
	"/v4/timpush/get_sched_task":                                         chatrecall.EndpointSchedGet,
	"/v4/timpush/delete_sched_task":                                      chatrecall.EndpointSchedDelete,
	"/v4/timpush/all_member_push_statistics":                             chatrecall.EndpointPushStatistics,
	"/v4/timpush/all_member_push_trace":                                  chatrecall.EndpointPushTrace,
	"/v4/openim/admin_msgwithdraw":                                       chatrecall.EndpointC2CRecall,
	"/v4/group_open_http_svc/group_msg_get_simple":                       chatrecall.EndpointGroupHistory,
	"/v4/openim/admin_getroammsg":                                        chatrecall.EndpointC2CHistory,
	"/v4/official_account_open_http_svc/official_account_msg_get_simple": chatrecall.EndpointOfficialHistory,
	"/v4/group_open_http_svc/delete_group_msg_by_sender":                 chatrecall.EndpointGroupDeleteBySender,
	"/v4/openconfigsvr/setnospeaking":                                    chatrecall.EndpointSetNoSpeaking,
	"/v4/openconfigsvr/getnospeaking":                                    chatrecall.EndpointGetNoSpeaking,
	"/v4/im_open_login_svc/kick":                                         chatrecall.EndpointKick,
	"/v4/group_open_http_svc/forbid_send_msg":                            chatrecall.EndpointGroupMute,
	"/v4/group_open_http_svc/get_group_muted_account":                    chatrecall.EndpointGroupMuted,
	"/v4/group_open_http_svc/get_joined_group_list":                      chatrecall.EndpointJoinedGroups,
	"/v4/recentcontact/get_list":                                         chatrecall.EndpointRecentContacts,
}

var tpnsPaths = map[string]string{
	"/v3/push/stop_push_msg":         chatrecall.EndpointTPNSStop,
	"/v3/push/revoke_push_msg":       chatrecall.EndpointTPNSRevoke,
	"/v3/push/cancel_timing_task":    chatrecall.EndpointTPNSCancel,
	"/v3/statistics/get_push_record": chatrecall.EndpointTPNSRecord,
	"/v3/push/app":                   chatrecall.EndpointTPNSPush,
}

// exchange is one request in flight.
type exchange struct {
	w     http.ResponseWriter
	r     *http.Request
	ep    string
	body  []byte
	index int
	gen   int // the Reset generation index is of
}

// ServeHTTP implements http.Handler, so the fake can also be mounted in a
// server of the test's own.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	x := &exchange{w: w, r: r, body: body}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		obj = nil
	}
	ep, isChat := chatPaths[r.URL.Path]
	if !isChat {
		ep = tpnsPaths[r.URL.Path]
	}
	x.ep = ep
	s.mu.Lock()
	x.index, x.gen = len(s.requests), s.gen
	s.requests = append(s.requests, Request{Endpoint: ep, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Header: r.Header.Clone(), Body: body, JSON: obj, At: s.clock.Now()})
	s.mu.Unlock()

	switch {
	case isChat || strings.HasPrefix(r.URL.Path, "/v4/"):
		s.serveChat(x)
	case ep != "" || strings.HasPrefix(r.URL.Path, "/v3/"):
		s.serveTPNS(x)
	default:
		s.note(x, -1, "")
		http.NotFound(w, r)
	}
}

func (s *Server) note(x *exchange, code chatrecall.Code, fault string) {
	s.mu.Lock()
	if r := s.rec(x); r != nil {
		r.Code = code
		if fault != "" {
			r.Fault = fault
		}
	}
	s.mu.Unlock()
}

func (s *Server) markApplied(x *exchange, items []string) {
	s.mu.Lock()
	if r := s.rec(x); r != nil {
		r.Applied, r.AppliedItems = true, items
	}
	s.mu.Unlock()
}

// logChange gives the change log x's record, one request at a time.
func (s *Server) logChange(x *exchange, applied []string) {
	s.mu.Lock()
	r := Request{Endpoint: x.ep, Body: x.body, Applied: true, AppliedItems: applied, At: s.clock.Now()}
	if rec := s.rec(x); rec != nil {
		r = *rec
		r.At = s.clock.Now() // when the change was made, which Replay's clock reads
	}
	s.changeLog(r)
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func chatError(code chatrecall.Code, info string) map[string]any {
	return map[string]any{"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}
}

// pushStyle reports whether an endpoint answers the timpush/openim codes
// (90001, 90009) rather than the common ones (60003, 60010).
func pushStyle(ep string) bool {
	return ep == chatrecall.EndpointPushRevoke || ep == chatrecall.EndpointC2CRecall || ep == chatrecall.EndpointC2CHistory
}

func (s *Server) serveChat(x *exchange) {
	code, info := s.checkChat(x)
	if code != 0 {
		s.note(x, code, "")
		writeJSON(x.w, chatError(code, info))
		return
	}
	s.respond(x, func() (any, chatrecall.Code, []string) { return s.applyChat(x) })
}

// checkChat applies the service's strictness rules to a Chat request.
func (s *Server) checkChat(x *exchange) (chatrecall.Code, string) {
	r, ep := x.r, x.ep
	if ep == "" {
		return chatrecall.CodeResourcePathWrong, "resource path wrong"
	}
	if r.Method != http.MethodPost {
		return chatrecall.CodeHTTPUnparseable, "method must be POST"
	}
	q := r.URL.Query()
	appStr := q.Get("sdkappid")
	if appStr == "" {
		return chatrecall.CodeSDKAppIDMissing, "sdkappid missing"
	}
	app, err := strconv.ParseUint(appStr, 10, 64)
	if err != nil {
		return chatrecall.CodeSDKAppIDInvalid, "sdkappid invalid"
	}
	if app != s.appID {
		return chatrecall.CodeSDKAppIDNotFound, "sdkappid not found in this region"
	}
	if q.Get("random") == "" {
		return chatrecall.CodeHTTPUnparseable, "random missing"
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return chatrecall.CodeHTTPUnparseable, "random is not a 32-bit unsigned integer"
	}
	if q.Get("contenttype") != "json" {
		return chatrecall.CodeHTTPUnparseable, "contenttype must be json"
	}
	id := q.Get("identifier")
	if id == "" {
		return chatrecall.CodeAccountOrSigInvalid, "identifier missing"
	}
	sig := q.Get("usersig")
	if sig == "" {
		return chatrecall.CodeUserSigEmpty, "usersig empty"
	}
	if _, err := chatrecall.VerifyUserSig(s.appID, s.key, id, sig, s.clock.Now()); err != nil {
		switch err {
		case chatrecall.ErrUserSigExpired:
			return chatrecall.CodeUserSigExpired, "usersig expired"
		case chatrecall.ErrUserSigAppID:
			return chatrecall.CodeUserSigAppIDMismatch, "sdkappid differs from the usersig's"
		case chatrecall.ErrUserSigIdentifier:
			return chatrecall.CodeUserSigIdentifierMismatch, "identifier differs from the usersig's"
		case chatrecall.ErrUserSigSignature:
			return chatrecall.CodeUserSigWrongKey, "usersig signed with another key"
		default:
			return chatrecall.CodeUserSigInvalid, "usersig invalid"
		}
	}
	if !s.admins[id] {
		if pushStyle(ep) {
			return chatrecall.CodePushAdminRequired, "needs App admin"
		}
		return chatrecall.CodeAdminRequired, "needs App admin"
	}
	if len(x.body) == 0 || !json.Valid(x.body) {
		if pushStyle(ep) {
			return chatrecall.CodePushBodyNotJSON, "body is not JSON"
		}
		return chatrecall.CodeBodyNotJSON, "body is not JSON"
	}
	return 0, ""
}

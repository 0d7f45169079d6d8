package chatrecalltest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// This file is the TPNS service: its authentication and its handlers.

func jsonString(body []byte, field string) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return "", false
	}
	var v string
	if json.Unmarshal(m[field], &v) != nil {
		return "", false
	}
	return v, true
}

func tpnsError(code chatrecall.Code, msg string) map[string]any {
	return map[string]any{"ret_code": code, "err_msg": msg}
}

func (s *Server) serveTPNS(x *exchange) {
	code, msg := s.checkTPNS(x)
	if code != 0 {
		s.note(x, code, "")
		writeJSON(x.w, tpnsError(code, msg))
		return
	}
	s.respond(x, func() (any, chatrecall.Code, []string) { return s.applyTPNS(x) })
}

// checkTPNS authenticates a TPNS request by signature or Basic auth.
func (s *Server) checkTPNS(x *exchange) (chatrecall.Code, string) {
	r := x.r
	if x.ep == "" {
		return chatrecall.CodeTPNSParamInvalid, "unknown API"
	}
	if r.Method != http.MethodPost {
		return chatrecall.CodeTPNSParamParse, "method must be POST"
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		id, secret, ok := strings.Cut(string(raw), ":")
		if !strings.HasPrefix(auth, "Basic ") || err != nil || !ok {
			return chatrecall.CodeTPNSAuthFailed, "malformed Basic authorization"
		}
		if id != s.tpnsID {
			return chatrecall.CodeTPNSWrongAccessPoint, "wrong AccessId or access point"
		}
		if secret != s.tpnsKey {
			return chatrecall.CodeTPNSAuthFailed, "authentication failed"
		}
	} else {
		id, ts, sign := r.Header.Get("AccessId"), r.Header.Get("TimeStamp"), r.Header.Get("Sign")
		if id == "" || ts == "" || sign == "" {
			return chatrecall.CodeTPNSAuthFailed, "AccessId, TimeStamp and Sign are required"
		}
		if id != s.tpnsID {
			return chatrecall.CodeTPNSWrongAccessPoint, "wrong AccessId or access point"
		}
		t, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return chatrecall.CodeTPNSAuthFailed, "TimeStamp is not a number"
		}
		if d := s.clock.Now().Sub(time.Unix(t, 0)); d > TPNSMaxClockSkew || d < -TPNSMaxClockSkew {
			return chatrecall.CodeTPNSAuthFailed, "TimeStamp too far from the server's clock"
		}
		if tpnsauth.Sign(s.tpnsKey, id, t, x.body) != sign {
			return chatrecall.CodeTPNSAuthFailed, "signature mismatch"
		}
	}
	if len(x.body) == 0 || !json.Valid(x.body) {
		return chatrecall.CodeTPNSParamParse, "body is not JSON"
	}
	return 0, ""
}

// collapseAudience are the audiences whose tasks get a collapse ID.
var collapseAudience = map[string]bool{"all": true, "tag": true, "package_account_push": true}

var broadcastAudience = map[string]bool{"all": true, "tag": true, "package_account_push": true, "package_token_push": true}

// applyTPNS performs a TPNS request that passed authentication.
func (s *Server) applyTPNS(x *exchange) (any, chatrecall.Code, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(code chatrecall.Code, msg string) (any, chatrecall.Code, []string) {
		return tpnsError(code, msg), code, nil
	}
	ok := func() map[string]any { return map[string]any{"ret_code": 0, "err_msg": ""} }
	var req map[string]json.RawMessage
	_ = json.Unmarshal(x.body, &req)
	str := func(k string) string {
		var v string
		_ = json.Unmarshal(req[k], &v)
		return v
	}
	switch x.ep {
	case chatrecall.EndpointTPNSStop, chatrecall.EndpointTPNSRevoke, chatrecall.EndpointTPNSCancel:
		id := str("pushid")
		if id == "" {
			return fail(chatrecall.CodeTPNSParamMissing, "pushid is required")
		}
		t := s.state.tpns[id]
		if t == nil {
			return fail(chatrecall.CodeTPNSTaskNotFound, "push task does not exist")
		}
		switch x.ep {
		case chatrecall.EndpointTPNSStop:
			if t.Platform == "ios" {
				return fail(chatrecall.CodeTPNSParamInvalid, "terminate is not supported on iOS")
			}
			if t.Status != TPNSStatusInit && t.Status != TPNSStatusWait && t.Status != TPNSStatusStarted {
				return fail(chatrecall.CodeTPNSParamInvalid, "task is not being delivered (status "+t.Status+")")
			}
			t.Status = TPNSStatusStopped
		case chatrecall.EndpointTPNSRevoke:
			if s.tpnsRevokeOff {
				return fail(chatrecall.CodeTPNSParamInvalid, "revoke is being upgraded and is not available")
			}
			if t.Status != TPNSStatusStarted && t.Status != TPNSStatusFinished {
				return fail(chatrecall.CodeTPNSParamInvalid, "task cannot be revoked (status "+t.Status+")")
			}
			t.Status = TPNSStatusRevoked
		case chatrecall.EndpointTPNSCancel:
			scheduled := !t.SendTime.IsZero() && t.SendTime.After(s.clock.Now())
			if !scheduled || (t.Status != TPNSStatusInit && t.Status != TPNSStatusWait) {
				return fail(chatrecall.CodeTPNSParamInvalid, "task is not a scheduled push waiting to be sent")
			}
			t.Status = TPNSStatusCanceled
		}
		return ok(), 0, []string{id}
	case chatrecall.EndpointTPNSRecord:
		id := str("pushId")
		if id == "" && str("startDate") != "" {
			// The time-range form: every task, paged by offset and limit.
			var offset, limit int
			_ = json.Unmarshal(req["offset"], &offset)
			if json.Unmarshal(req["limit"], &limit) != nil || limit <= 0 {
				limit = 20
			}
			ids := make([]string, 0, len(s.state.tpns))
			for id := range s.state.tpns {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			recs := []any{}
			for i := offset; i < len(ids) && i < offset+limit; i++ {
				recs = append(recs, tpnsRecord(s.state.tpns[ids[i]]))
			}
			return map[string]any{"retCode": 0, "errMsg": "", "count": len(ids), "pushRecordData": recs}, 0, nil
		}
		if id == "" {
			return fail(chatrecall.CodeTPNSParamMissing, "pushId is required")
		}
		t := s.state.tpns[id]
		if t == nil {
			return fail(chatrecall.CodeTPNSTaskNotFound, "push task does not exist")
		}
		return map[string]any{"retCode": 0, "errMsg": "", "pushRecordData": []any{tpnsRecord(t)}}, 0, nil
	case chatrecall.EndpointTPNSPush:
		audience := str("audience_type")
		var msg struct {
			Title   string `json:"title"`
			Content string `json:"content"`
		}
		if audience == "" || len(req["message"]) == 0 || json.Unmarshal(req["message"], &msg) != nil {
			return fail(chatrecall.CodeTPNSParamMissing, "audience_type and message are required")
		}
		// collapse_id 0 means "not set": Tencent's own TPNS SDKs send
		// "collapse_id":0 on every push. All, tag and package_account_push
		// tasks get one assigned; a push with a set collapse_id replaces the
		// task that has it.
		var collapse int64
		if raw, has := req["collapse_id"]; has && json.Unmarshal(raw, &collapse) != nil {
			return fail(chatrecall.CodeTPNSParamInvalid, "collapse_id must be an integer")
		}
		if collapse != 0 {
			for _, t := range s.state.tpns {
				if t.CollapseID == collapse && t.Status != TPNSStatusCollapsed {
					t.Status = TPNSStatusCollapsed
				}
			}
		} else if collapseAudience[audience] {
			s.state.seq++
			collapse = 9000 + s.state.seq
		}
		id := s.newID("")
		s.state.tpns[id] = &TPNSTask{ID: id, PushType: audience, Status: TPNSStatusFinished, CollapseID: collapse, Title: msg.Title, Content: msg.Content}
		s.state.seq++
		env := str("environment")
		if env == "" {
			env = "product"
		}
		return map[string]any{"seq": s.state.seq, "push_id": id, "ret_code": 0, "err_msg": "", "environment": env}, 0, []string{id}
	}
	return fail(chatrecall.CodeTPNSParamInvalid, "unknown API")
}

// tpnsRecord is a task as get_push_record describes it. A numeric push ID
// is written as a JSON number, as in the documentation's single-task sample
// ("pushId": 133703); others as strings, as in its field table.
func tpnsRecord(t *TPNSTask) map[string]any {
	rec := map[string]any{"pushId": t.ID, "status": t.Status, "pushType": t.PushType, "title": t.Title,
		"content": t.Content, "messageType": "notify", "environment": "product"}
	if n, err := strconv.ParseInt(t.ID, 10, 64); err == nil && strconv.FormatInt(n, 10) == t.ID {
		rec["pushId"] = n
	}
	if t.CollapseID != 0 {
		rec["collapseID"] = t.CollapseID
	}
	if t.UploadID != 0 {
		rec["uploadId"] = t.UploadID
	}
	return rec
}

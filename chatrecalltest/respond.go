package chatrecalltest

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file answers a request: the fault plan, the rate limit, the
// handler, then the answer (or its loss, or its alteration).

// respond runs the fault plan, the rate limit and apply, then writes the
// answer (or loses it, or alters it, as the fault says).
func (s *Server) respond(x *exchange, apply func() (resp any, code chatrecall.Code, applied []string)) {
	f, fname := s.drawFault(x.ep)
	if f.Kind != FaultNone {
		s.mu.Lock()
		if r := s.rec(x); r != nil {
			r.Injected = f
		}
		s.mu.Unlock()
	}
	switch f.Kind {
	case FaultHTTP502:
		s.note(x, -1, fname)
		s.writeHTML(x, f, http.StatusBadGateway, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
		return
	case FaultHTTPStatus:
		s.note(x, -1, fname)
		if f.RetryAfter != "" {
			x.w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.writeHTML(x, f, f.Status, http.StatusText(f.Status))
		return
	case FaultRedirect:
		s.note(x, -1, fname)
		loc := f.Location
		if loc == "" {
			loc = "https://redirect.invalid/"
		}
		// As a misconfigured gateway would: keep the path and query.
		x.w.Header().Set("Location", strings.TrimRight(loc, "/")+x.r.URL.RequestURI())
		x.w.WriteHeader(http.StatusFound)
		return
	case FaultCode:
		s.note(x, f.Code, fname)
		s.writeCode(x, f, f.Code)
		return
	case FaultDrop:
		s.note(x, -1, fname)
		hangUp(x.w)
		return
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
		}
	}
	if code, info := s.rateLimit(x); code != 0 {
		s.note(x, code, fname)
		if isTPNS(x.ep) {
			writeJSON(x.w, tpnsError(code, info))
		} else {
			writeJSON(x.w, chatError(code, info))
		}
		return
	}
	resp, code, applied := apply()
	if applied != nil {
		s.markApplied(x, applied)
		if s.changeLog != nil {
			s.logChange(x, applied)
		}
		s.recallCallback(x.ep, x.body, applied)
	}
	switch f.Kind {
	case FaultLost:
		s.note(x, code, fname)
		hangUp(x.w)
		return
	case FaultAppliedCode:
		s.note(x, f.Code, fname)
		s.writeCode(x, f, f.Code)
		return
	case FaultAppliedHTTP502:
		s.note(x, -1, fname)
		s.writeHTML(x, f, http.StatusBadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return
	case FaultContradict, FaultOmit:
		resp = alterList(resp, f.Kind)
	case FaultShortPage, FaultEmptyPage, FaultStalePage:
		resp = s.alterPage(resp, f.Kind, x.body)
	}
	s.note(x, code, fname)
	writeJSON(x.w, resp)
}

// alterList rewrites a recall's RecallRetList: FaultContradict lists every
// item twice, first with its code and then with another; FaultOmit drops
// the last item.
func alterList(resp any, kind FaultKind) any {
	m, ok := resp.(map[string]any)
	if !ok {
		return resp
	}
	items, ok := m["RecallRetList"].([]retItem)
	if !ok || len(items) == 0 {
		return resp
	}
	if kind == FaultOmit {
		m["RecallRetList"] = items[:len(items)-1]
		return m
	}
	out := make([]retItem, 0, 2*len(items))
	for _, it := range items {
		other := it
		other.RetCode = chatrecall.CodeGroupMsgNotFound
		if it.RetCode != 0 {
			other.RetCode = 0
		}
		out = append(out, it, other)
	}
	m["RecallRetList"] = out
	return m
}

// echo is what a gateway that repeats the request in its error says.
func echo(x *exchange) string {
	var b strings.Builder
	b.WriteString("request: ")
	b.WriteString(x.r.Method)
	b.WriteString(" ")
	b.WriteString(x.r.URL.String())
	keys := make([]string, 0, len(x.r.Header))
	for k := range x.r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("; ")
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(strings.Join(x.r.Header[k], ","))
	}
	return b.String()
}

func (s *Server) writeHTML(x *exchange, f Fault, status int, body string) {
	if f.Echo {
		body += "\n" + echo(x)
	}
	x.w.Header().Set("Content-Type", "text/html")
	x.w.WriteHeader(status)
	_, _ = io.WriteString(x.w, body)
}

func (s *Server) writeCode(x *exchange, f Fault, code chatrecall.Code) {
	info := "injected fault"
	if f.Echo {
		info += ": " + echo(x)
	}
	if isTPNS(x.ep) {
		writeJSON(x.w, tpnsError(code, info))
	} else {
		writeJSON(x.w, chatError(code, info))
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

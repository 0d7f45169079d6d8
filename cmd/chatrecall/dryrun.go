package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/chatrecall/chatrecall"
)

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// dryRun is the transport of --dry-run: it prints each request as it would
// be sent, secrets redacted, and sends nothing (its error matches
// chatrecall.ErrNotSent, so the SDK knows nothing took effect).
type dryRun struct {
	out  io.Writer
	json *printer // -o json|jsonl; nil for text
	mu   sync.Mutex
	n    int
	tpns bool // a record lookup was shown: the override's own push cannot be
}

// newDryRun prints the requests a --dry-run would send.
func (a *app) newDryRun() *dryRun {
	d := &dryRun{out: a.e.stdout}
	if a.o.json {
		d.json = a.out()
	}
	return d
}

type dryRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body"`
}

var errDryRun = fmt.Errorf("dry run: %w", chatrecall.ErrNotSent)

func (d *dryRun) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	u := *r.URL
	q := u.Query()
	if q.Has("usersig") {
		q.Set("usersig", "REDACTED")
	}
	u.RawQuery = q.Encode()
	h := map[string]string{}
	for _, k := range []string{"Accessid", "Timestamp", "Sign", "Authorization"} {
		if v := r.Header.Get(k); v != "" {
			if k == "Sign" || k == "Authorization" {
				v = "REDACTED"
			}
			h[k] = v
		}
	}
	if len(h) == 0 {
		h = nil
	}
	req := dryRequest{Method: r.Method, URL: u.String(), Headers: h, Body: body}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	if strings.HasSuffix(req.URL, "/v3/statistics/get_push_record") {
		d.tpns = true
	}
	if d.json != nil {
		d.json.put(req)
		return nil, errDryRun
	}
	fmt.Fprintf(d.out, "%s %s\n", req.Method, req.URL)
	for _, k := range []string{"Accessid", "Timestamp", "Sign", "Authorization"} {
		if v, ok := req.Headers[k]; ok {
			fmt.Fprintf(d.out, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintf(d.out, "%s\n\n", req.Body)
	return nil, errDryRun
}

// finish prints what the dry run showed and, for operations that reach
// many people, what they would reach.
func (d *dryRun) finish(note string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.json != nil {
		return
	}
	fmt.Fprintf(d.out, "dry run: %d request(s) shown, none sent\n", d.n)
	if note != "" {
		fmt.Fprintln(d.out, "note: "+note)
	}
	if d.tpns {
		fmt.Fprintln(d.out, "note: an override's push carries the collapse ID that this record lookup would return; it is not shown")
	}
}

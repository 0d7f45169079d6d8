package chatrecall

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall/internal/tpnsauth"
)

// Run with: go test -run '^$' -bench . -benchmem -count 5 .
// BENCHMARKS.md has the figures and the machine.

// benchResponse is the fixed group-recall answer of the bench server.
const benchResponse = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RecallRetList":[{"MsgSeq":100,"RetCode":0},{"MsgSeq":101,"RetCode":0}]}`

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchResponse)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchTransport() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// The floor: a raw net/http POST of the same body to a prebuilt URL, over a
// kept-alive connection, with the response drained.
func BenchmarkFloor(b *testing.B) {
	srv := benchServer(b)
	hc := benchTransport()
	body := []byte(`{"GroupId":"@TGS#2J4SZEAEL","MsgSeqList":[{"MsgSeq":100},{"MsgSeq":101}]}`)
	u := srv.URL + "/v4/group_open_http_svc/group_msg_recall?sdkappid=1400000000&identifier=administrator&usersig=x&random=1&contenttype=json"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := hc.Post(u, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// FloorJSON is Floor plus encoding the request and decoding the response.
func BenchmarkFloorJSON(b *testing.B) {
	srv := benchServer(b)
	floorJSON(b, benchTransport(), srv.URL)
}

// FloorJSONSigned is FloorJSON with a real UserSig in its URL (256 bytes
// escaped, against FloorJSON's "x"): the same request bytes the SDK sends,
// which measures what the signature alone costs both sides of the socket.
func BenchmarkFloorJSONSigned(b *testing.B) {
	srv := benchServer(b)
	sig, err := GenUserSig(testAppID, testKey, "administrator", 24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	floorJSONSigned(b, benchTransport(), srv.URL, url.QueryEscape(sig))
}

// floorJSON posts the group recall to base as a user writing the call by
// hand would: the floor's own types, json.Marshal and json.Unmarshal.
func floorJSON(b *testing.B, hc *http.Client, base string) { floorJSONSigned(b, hc, base, "x") }

// floorJSONSigned is floorJSON with usersig set to sig (escaped).
func floorJSONSigned(b *testing.B, hc *http.Client, base, sig string) {
	call := floorCall(hc, base, sig)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// floorCall returns one hand-written group recall: the floor's own types,
// json.Marshal, a POST, io.ReadAll and json.Unmarshal.
func floorCall(hc *http.Client, base, sig string) func() error {
	u := base + "/v4/group_open_http_svc/group_msg_recall?sdkappid=1400000000&identifier=administrator&usersig=" + sig + "&random=1&contenttype=json"
	return func() error {
		body, err := json.Marshal(&floorReq)
		if err != nil {
			return err
		}
		resp, err := hc.Post(u, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		return floorDecode(resp)
	}
}

// The request a hand-written call sends, in its own types.
type (
	floorSeq     struct{ MsgSeq uint64 }
	floorRequest struct {
		GroupId    string
		MsgSeqList []floorSeq
	}
)

var floorReq = floorRequest{GroupId: "@TGS#2J4SZEAEL", MsgSeqList: []floorSeq{{100}, {101}}}

// floorDecode reads and decodes an answer as a hand-written call would.
func floorDecode(resp *http.Response) error {
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out floorResponse
	return json.Unmarshal(raw, &out)
}

// benchClient is the default configuration (limiter, retries, UserSig
// cache on) pointed at the bench server. The group limit is raised so the
// limiter runs but never waits: at the documented 200/s the benchmark would
// measure the service's limit, not the SDK.
func benchClient(b *testing.B, url string, opts ...Option) *Client {
	opts = append([]Option{WithRateLimit(EndpointGroupRecall, 1e9, time.Second), WithLimiter(NewLocalLimiter(nil))}, opts...)
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, BaseURL: url}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

var benchRecall = GroupRecall{GroupID: "@TGS#2J4SZEAEL", MsgSeqs: []uint64{100, 101}}

func BenchmarkGroupRecall(b *testing.B) {
	srv := benchServer(b)
	groupRecall(b, benchClient(b, srv.URL))
}

// groupRecall recalls benchRecall b.N times.
func groupRecall(b *testing.B, c *Client) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.RecallGroupMessages(ctx, benchRecall); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGroupRecallParallel(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv.URL)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.RecallGroupMessages(ctx, benchRecall); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// GroupRecallVsFloorJSON interleaves the two in one process, against one
// server: blocks of FloorJSON calls and of GroupRecall calls alternate (the
// order swapping every pair), each block long enough to include its own
// garbage collections, and the metrics are the two per-call means over all
// blocks and their ratio. Drift of a shared machine, which moves separate
// benchmarks by ±30%, then hits both sides alike within a fraction of a
// second. Run it for at least a few seconds: -benchtime 100000x.
func BenchmarkGroupRecallVsFloorJSON(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv.URL)
	ctx := context.Background()
	interleave(b, "floor", floorCall(benchTransport(), srv.URL, "x"), "recall", func() error {
		_, err := c.RecallGroupMessages(ctx, benchRecall)
		return err
	})
}

// FloorAttemptVsFloorJSON measures what issue 12 requires of every attempt,
// written by hand: FloorJSON with a real UserSig in the URL, a per-attempt
// timeout, a client trace and a request built with NewRequestWithContext.
// GroupRecallVsFloorAttempt is then what the SDK's own logic adds (limits,
// signature cache, validation, classification, the result).
func BenchmarkFloorAttemptVsFloorJSON(b *testing.B) {
	srv := benchServer(b)
	interleave(b, "floor", floorCall(benchTransport(), srv.URL, "x"), "attempt", floorAttemptCall(b, benchTransport(), srv.URL))
}

func BenchmarkGroupRecallVsFloorAttempt(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv.URL)
	ctx := context.Background()
	interleave(b, "attempt", floorAttemptCall(b, benchTransport(), srv.URL), "recall", func() error {
		_, err := c.RecallGroupMessages(ctx, benchRecall)
		return err
	})
}

// FloorJSONVsFloorJSON is the method's own noise: the same call on both sides.
func BenchmarkFloorJSONVsFloorJSON(b *testing.B) {
	srv := benchServer(b)
	interleave(b, "floor", floorCall(benchTransport(), srv.URL, "x"), "floor2", floorCall(benchTransport(), srv.URL, "x"))
}

// floorAttemptCall is floorCall with what every attempt needs (see
// BenchmarkFloorAttemptVsFloorJSON), still written by hand.
func floorAttemptCall(b *testing.B, hc *http.Client, base string) func() error {
	sig, err := GenUserSig(testAppID, testKey, "administrator", 24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	u := base + "/v4/group_open_http_svc/group_msg_recall?sdkappid=1400000000&identifier=administrator&usersig=" + url.QueryEscape(sig) + "&random=1234567890&contenttype=json"
	return func() error {
		body, err := json.Marshal(&floorReq)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var getConn, gotConn, wroteErr atomic.Bool // what the SDK records
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GetConn:      func(string) { getConn.Store(true) },
			GotConn:      func(httptrace.GotConnInfo) { gotConn.Store(true) },
			WroteRequest: func(w httptrace.WroteRequestInfo) { wroteErr.Store(w.Err != nil) },
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		return floorDecode(resp)
	}
}

// FloorAttemptNoNetwork is the hand-written attempt through memoryTransport,
// beside FloorJSONNoNetwork and GroupRecallNoNetwork.
func BenchmarkFloorAttemptNoNetwork(b *testing.B) {
	call := floorAttemptCall(b, &http.Client{Transport: memoryTransport{}}, "http://bench.invalid")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// interleave runs b.N calls, alternating blocks of base and other (the
// order swapping every pair), and reports each one's mean and their ratio.
func interleave(b *testing.B, baseName string, base func() error, otherName string, other func() error) {
	const block = 1000
	calls := [2]func() error{base, other}
	var spent [2]time.Duration
	var n [2]int
	b.ReportAllocs()
	b.ResetTimer()
	for done, pair := 0, 0; done < b.N; pair++ {
		for k := range 2 {
			side := (k + pair) % 2 // swapped every pair
			m := min(block, b.N-done)
			start := time.Now()
			for range m {
				if err := calls[side](); err != nil {
					b.Fatal(err)
				}
			}
			spent[side] += time.Since(start)
			n[side] += m
			done += m
		}
	}
	if n[0] == 0 || n[1] == 0 {
		return // too short to compare (the -benchtime 1x of CI)
	}
	baseNs := float64(spent[0].Nanoseconds()) / float64(n[0])
	otherNs := float64(spent[1].Nanoseconds()) / float64(n[1])
	b.ReportMetric(baseNs, baseName+"-ns/call")
	b.ReportMetric(otherNs, otherName+"-ns/call")
	b.ReportMetric(otherNs/baseNs, "ratio")
}

// memoryTransport answers every request with benchResponse without a
// socket: the NoNetwork pair measures what each side costs in CPU, free of
// the loopback round trip and of the scheduling noise it brings.
type memoryTransport struct{}

func (memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(benchResponse)), Request: r}, nil
}

// FloorJSONNoNetwork is FloorJSON through memoryTransport.
func BenchmarkFloorJSONNoNetwork(b *testing.B) {
	floorJSON(b, &http.Client{Transport: memoryTransport{}}, "http://bench.invalid")
}

// GroupRecallNoNetwork is GroupRecall through memoryTransport.
func BenchmarkGroupRecallNoNetwork(b *testing.B) {
	groupRecall(b, benchClient(b, "http://bench.invalid", WithHTTPClient(&http.Client{Transport: memoryTransport{}})))
}

// floorResponse is the answer type a hand-written call would decode into.
type floorResponse struct {
	ActionStatus  string
	ErrorCode     int
	ErrorInfo     string
	RecallRetList []struct {
		MsgSeq  uint64
		RetCode int
	}
}

// The two decodes side by side: the SDK's response type (whose codes
// remember whether they were present) against plain ints.
func BenchmarkDecodeFloor(b *testing.B) {
	raw := []byte(benchResponse)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var out floorResponse
		if err := json.Unmarshal(raw, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGroupRecall(b *testing.B) {
	raw := []byte(benchResponse)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		out := new(groupRecallResponse)
		if err := json.Unmarshal(raw, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenUserSig(b *testing.B) {
	now := time.Unix(1795299342, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := GenUserSigAt(1400000000, testKey, "administrator", 24*time.Hour, now); err != nil {
			b.Fatal(err)
		}
	}
}

// CachedUserSig is the signature lookup on the request path.
func BenchmarkCachedUserSig(b *testing.B) {
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionChina})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.sig.get(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.sig.get(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyUserSig(b *testing.B) {
	now := time.Unix(1795299342, 0)
	sig, _ := GenUserSigAt(1400000000, testKey, "administrator", 24*time.Hour, now)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := VerifyUserSig(1400000000, testKey, "administrator", sig, now); err != nil {
			b.Fatal(err)
		}
	}
}

// TPNSSign1KB is the client's pooled signing of a 1 KB body.
func BenchmarkTPNSSign1KB(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sign := tpnsauth.Sign("1452fcebae9f3115ba794fb0fff2fd73", "1500001048", 1565314789, body)
		if len(sign) != 88 {
			b.Fatal(sign)
		}
	}
}

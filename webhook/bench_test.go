package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/webhook"
)

// percentiles reports the p50 and p99 of lat as benchmark metrics.
func percentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkHandlerMemoryLedger: group after-send callbacks verified,
// decoded, answered and recorded in memory (the timer stops once every one
// is recorded), from one sender and from 16; with the answers' p50 and
// p99.
func BenchmarkHandlerMemoryLedger(b *testing.B) {
	for _, senders := range []int{1, 16} {
		b.Run("senders="+strconv.Itoa(senders), func(b *testing.B) {
			h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return now }, Queue: b.N + 1})
			if err != nil {
				b.Fatal(err)
			}
			ledger := webhook.NewMemoryLedger(b.N+1, 0)
			webhook.Record(h, ledger, nil)
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = callback(webhook.CommandGroupAfterSend, strings.Replace(groupSample, `"MsgSeq":123`, `"MsgSeq":`+strconv.Itoa(i+1), 1), nil)
			}
			lat := make([][]time.Duration, senders)
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for s := 0; s < senders; s++ {
				wg.Add(1)
				go func(s int) {
					defer wg.Done()
					for i := s; i < b.N; i += senders {
						w := httptest.NewRecorder()
						t := time.Now()
						h.ServeHTTP(w, reqs[i])
						lat[s] = append(lat[s], time.Since(t))
						if w.Code != http.StatusOK {
							b.Error(w.Code)
							return
						}
					}
				}(s)
			}
			wg.Wait()
			h.Wait() // recorded, not only answered
			b.StopTimer()
			if st := h.Stats(); st.Overflow != 0 || st.HandlerErrors != 0 {
				b.Fatalf("%+v", st)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			percentiles(b, all)
		})
	}
}

// BenchmarkKeptAliveConnection: callbacks one after another on one
// kept-alive connection (as Tencent sends them) while every event function
// takes 3 s: the answer times, which dispatch must not hold up. Runs with
// CHATRECALL_LONG_BENCH=1 (it waits for the 3 s functions).
func BenchmarkKeptAliveConnection(b *testing.B) {
	if os.Getenv("CHATRECALL_LONG_BENCH") == "" {
		b.Skip("set CHATRECALL_LONG_BENCH=1: every event function takes 3 s")
	}
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Workers: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	h.OnGroupAfterSend(func(ctx context.Context, _ *webhook.GroupAfterSend) error {
		select {
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
		}
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	q := url.Values{"SdkAppid": {strconv.Itoa(appID)}, "CallbackCommand": {webhook.CommandGroupAfterSend}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := strings.Replace(groupSample, `"MsgSeq":123`, `"MsgSeq":`+strconv.Itoa(i+1), 1)
		t := time.Now()
		resp, err := c.Post(srv.URL+"/cb?"+q.Encode(), "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	percentiles(b, lat)
	h.Wait()
}

// instantAPI answers every recall at once: what is measured is the
// verdicts' ingest, with the recalls queued behind it.
type instantAPI struct{}

func (instantAPI) RecallC2CMessage(context.Context, chatrecall.C2CRecall) (*chatrecall.Result, error) {
	return &chatrecall.Result{}, nil
}
func (instantAPI) RecallGroupMessages(_ context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	return &chatrecall.GroupRecallResult{Items: make([]chatrecall.GroupRecallItem, len(r.MsgSeqs))}, nil
}
func (instantAPI) GroupHistoryPage(context.Context, chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error) {
	return &chatrecall.GroupHistoryPage{}, nil
}

// BenchmarkVerdictIngest: blocked one-to-one verdicts verified, decoded and
// queued for recall by a VerdictRecaller, from 16 senders: verdicts per
// second ingested (each answered and on the recalls' queue).
func BenchmarkVerdictIngest(b *testing.B) {
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return now }, Queue: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	v, err := webhook.NewVerdictRecaller(instantAPI{}, webhook.VerdictOptions{Allow: func(chatrecall.Conversation) bool { return true }, Queue: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	h.OnResultNotify(v.Handle)
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		reqs[i] = callback(webhook.CommandContentResultNotify, verdict("r"+strconv.Itoa(i), "C2C", "spammer", 1, "bob", strconv.Itoa(i+1)+"_1_1", 1), nil)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for s := 0; s < 16; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := s; i < b.N; i += 16 {
				h.ServeHTTP(httptest.NewRecorder(), reqs[i])
			}
		}(s)
	}
	wg.Wait()
	h.Wait() // every verdict is on the recalls' queue
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
	v.Wait()
	if n := v.Counts()[webhook.VerdictRecalled]; n != int64(b.N) {
		b.Fatalf("recalled %d of %d: %v", n, b.N, v.Counts())
	}
}

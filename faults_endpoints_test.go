package chatrecall_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// truthTally checks outcomes against the fake's ground truth, as
// TestFaultMatrix does for group recalls: no definite answer the truth
// contradicts (wrong), and no success no answer supports (guessed).
type truthTally struct {
	applied, appliedTruthfully                       map[string]bool
	done, confirmed, failed, unknown, wrong, guessed int
}

// newTruthTally reads what each request to endpoint applied, and whether
// its answer said so truthfully.
func newTruthTally(srv *chatrecalltest.Server, endpoint string) *truthTally {
	t := &truthTally{applied: map[string]bool{}, appliedTruthfully: map[string]bool{}}
	for _, r := range srv.RequestsTo(endpoint) {
		omitted := ""
		if r.Injected.Kind == chatrecalltest.FaultOmit {
			// The answer lists every item but the last one truthfully.
			if list, _ := r.JSON["MsgSeqList"].([]any); len(list) > 0 { // group: [{"MsgSeq":n}]
				omitted = fmt.Sprint(list[len(list)-1].(map[string]any)["MsgSeq"])
			}
			if list, _ := r.JSON["MsgKeyList"].([]any); len(list) > 0 { // official: ["key"]
				omitted = fmt.Sprint(list[len(list)-1])
			}
		}
		for _, item := range r.AppliedItems {
			t.applied[item] = true
			if r.Injected.Truthful() || (r.Injected.Kind == chatrecalltest.FaultOmit && item != omitted) {
				t.appliedTruthfully[item] = true
			}
		}
	}
	return t
}

// add checks one item: err and confirmed are what the SDK said, changed is
// the ground truth (the fake recalled, revoked or stopped it).
func (t *truthTally) add(tb testing.TB, item string, err error, confirmed, changed bool) {
	switch {
	case err == nil:
		t.done++
		if !changed {
			t.wrong++
			tb.Errorf("%s reported done but the fake did not change it", item)
		}
		if confirmed {
			t.confirmed++
			if !t.applied[item] {
				t.guessed++
				tb.Errorf("%s confirmed by retry but no request applied it", item)
			}
		} else if !t.appliedTruthfully[item] {
			t.guessed++
			tb.Errorf("%s reported done but no answer said so truthfully", item)
		}
	case errors.Is(err, chatrecall.ErrOutcomeUnknown):
		t.unknown++
	default:
		t.failed++
		if changed || t.applied[item] {
			t.wrong++
			tb.Errorf("%s reported failed (%v) but was applied", item, err)
		}
	}
}

func (t *truthTally) String() string {
	return fmt.Sprintf("%d done (%d confirmed by retry), %d failed, %d unknown; %d wrong, %d guessed",
		t.done, t.confirmed, t.failed, t.unknown, t.wrong, t.guessed)
}

// singleItemFaults are the faults a one-item endpoint can meet: each
// "applied, then answered with an error" class, lost and dropped
// connections, slow answers, and truthful refusals.
func singleItemFaults(appliedCode chatrecall.Code, timeout time.Duration) []chatrecalltest.Chance {
	return []chatrecalltest.Chance{
		{P: 0.06, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultHTTP502}},
		{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: appliedCode}},
		{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedCode, Code: appliedCode}},
		{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultAppliedHTTP502}},
		{P: 0.04, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDrop}},
		{P: 0.05, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultLost}},
		{P: 0.01, Fault: chatrecalltest.Fault{Kind: chatrecalltest.FaultDelay, Delay: 2 * timeout}},
	}
}

// eachConcurrently runs call for every index on 16 goroutines of one
// client, as a service recalling many single items would.
func eachConcurrently(n int, call func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				call(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// TestFaultMatrixEveryEndpoint is TestFaultMatrix for the other recall
// endpoints: official-account recalls (many items per request, with
// contradictory and incomplete lists), and one-to-one recalls, TPNS stops,
// revokes and cancels, and Chat push revokes (one item per request, 16 at a
// time on one client). Every outcome is checked against the fake's ground truth.
func TestFaultMatrixEveryEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of traffic")
	}
	const timeout = 300 * time.Millisecond
	retry := chatrecall.WithRetry(chatrecall.RetryPolicy{MaxAttempts: 4, Budget: -1})
	newClient := func(t *testing.T, srv *chatrecalltest.Server) *chatrecall.Client {
		c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithTimeout(timeout), chatrecall.WithClock(&fastClock{}),
			chatrecall.WithoutRateLimits(), retry)
		require.NoError(t, err)
		return c
	}

	t.Run("official", func(t *testing.T) {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		defer srv.Close()
		keys := make([]string, 2000)
		for i := range keys {
			keys[i] = "1_" + strconv.Itoa(i+1) + "_1700000000"
		}
		srv.AddOfficialMessages("@TOA#_storm", keys...)
		injectAll(srv, chatrecall.EndpointOfficialRecall, 20261122, timeout)
		res, err := newClient(t, srv).RecallOfficialAccountMessages(context.Background(),
			chatrecall.OfficialAccountRecall{Account: "@TOA#_storm", MsgKeys: keys})
		srv.Close()
		require.NotNil(t, res)
		require.Len(t, res.Items, len(keys))
		tally := newTruthTally(srv, chatrecall.EndpointOfficialRecall)
		for i, it := range res.Items {
			require.Equal(t, keys[i], it.MsgKey)
			tally.add(t, it.MsgKey, it.Err, it.ConfirmedByRetry, srv.OfficialMessage("@TOA#_storm", it.MsgKey) == chatrecalltest.MessageRecalled)
		}
		if tally.failed+tally.unknown > 0 {
			var pe *chatrecall.PartialError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tally.unknown, pe.Unknown)
		}
		t.Logf("official, %d keys: %s; %d requests", len(keys), tally, len(srv.RequestsTo(chatrecall.EndpointOfficialRecall)))
		assert.Greater(t, tally.done, len(keys)*9/10)
	})

	// singleItems calls each of n items once, 16 at a time on one client,
	// under singleItemFaults, and checks each against changed.
	singleItems := func(t *testing.T, srv *chatrecalltest.Server, endpoint string, appliedCode chatrecall.Code, ids []string,
		call func(c *chatrecall.Client, i int) (*chatrecall.Result, error), changed func(i int) bool) {
		srv.FailRandomly(endpoint, 20261122, singleItemFaults(appliedCode, timeout)...)
		c := newClient(t, srv)
		errs, confirmed := make([]error, len(ids)), make([]bool, len(ids))
		eachConcurrently(len(ids), func(i int) {
			res, err := call(c, i)
			errs[i] = err
			confirmed[i] = res != nil && (res.ConfirmedByRetry || res.ConfirmedByRecord)
		})
		srv.Close()
		tally := newTruthTally(srv, endpoint)
		for i, id := range ids {
			tally.add(t, id, errs[i], confirmed[i], changed(i))
		}
		t.Logf("%s, %d items: %s; %d requests", endpoint, len(ids), tally, len(srv.RequestsTo(endpoint)))
		assert.Greater(t, tally.done, len(ids)*9/10)
	}

	t.Run("c2c", func(t *testing.T) {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		defer srv.Close()
		keys := make([]string, 600)
		for i := range keys {
			keys[i] = "31906_" + strconv.Itoa(i+1) + "_1572869830"
			srv.AddC2CMessage("spammer", "user"+strconv.Itoa(i%7), keys[i])
		}
		singleItems(t, srv, chatrecall.EndpointC2CRecall, chatrecall.CodeInternalServerError, keys,
			func(c *chatrecall.Client, i int) (*chatrecall.Result, error) {
				return c.RecallC2CMessage(context.Background(), chatrecall.C2CRecall{From: "spammer", To: "user" + strconv.Itoa(i%7), MsgKey: keys[i]})
			},
			func(i int) bool { return srv.C2CMessage(keys[i]) == chatrecalltest.MessageRecalled })
	})

	// tpnsTasks runs one TPNS task operation over n fresh tasks.
	tpnsTasks := func(t *testing.T, endpoint string, n int, task chatrecalltest.TPNSTask, status string,
		op func(c *chatrecall.Client, ctx context.Context, pushID string) (*chatrecall.Result, error)) {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		defer srv.Close()
		ids := make([]string, n)
		for i := range ids {
			ids[i] = srv.AddTPNSTask(task)
		}
		singleItems(t, srv, endpoint, chatrecall.CodeTPNSInternalCall, ids,
			func(c *chatrecall.Client, i int) (*chatrecall.Result, error) {
				return op(c, context.Background(), ids[i])
			},
			func(i int) bool {
				st, ok := srv.TPNSTaskState(ids[i])
				return ok && st.Status == status
			})
	}
	t.Run("tpns stop", func(t *testing.T) {
		tpnsTasks(t, chatrecall.EndpointTPNSStop, 400, chatrecalltest.TPNSTask{PushType: "all", Platform: "android"},
			chatrecalltest.TPNSStatusStopped, (*chatrecall.Client).StopTPNSPush)
	})
	t.Run("tpns revoke", func(t *testing.T) {
		tpnsTasks(t, chatrecall.EndpointTPNSRevoke, 200, chatrecalltest.TPNSTask{PushType: "tag", Status: chatrecalltest.TPNSStatusFinished},
			chatrecalltest.TPNSStatusRevoked, (*chatrecall.Client).RevokeTPNSPush)
	})
	t.Run("tpns cancel", func(t *testing.T) {
		tpnsTasks(t, chatrecall.EndpointTPNSCancel, 200,
			chatrecalltest.TPNSTask{PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: time.Now().Add(time.Hour)},
			chatrecalltest.TPNSStatusCanceled, (*chatrecall.Client).CancelTPNSScheduledPush)
	})

	t.Run("push revoke", func(t *testing.T) {
		srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
		defer srv.Close()
		ids := make([]string, 200)
		for i := range ids {
			ids[i] = srv.AddPushTask(chatrecalltest.PushTask{KeptCopies: true})
		}
		singleItems(t, srv, chatrecall.EndpointPushRevoke, chatrecall.CodeInternalServerError, ids,
			func(c *chatrecall.Client, i int) (*chatrecall.Result, error) {
				return c.RevokeChatPush(context.Background(), chatrecall.ChatPushRevoke{TaskID: ids[i]})
			},
			func(i int) bool {
				st, ok := srv.PushTaskState(ids[i])
				return ok && st.Revoked
			})
	})
}

package chatrecall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets feed arbitrary bytes to every decoder of service
// responses, through the real pipeline, and check the one rule that
// matters: nothing is reported recalled unless the body said so. Seed
// corpora live in testdata/fuzz; .ci/run runs each target for 10 s.

type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return &http.Response{StatusCode: b.status, Body: io.NopCloser(bytes.NewReader(b.body)), Header: http.Header{}, Request: r}, nil
}

func fuzzClient(t *testing.T, status int, body []byte) *Client {
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore,
		TPNS: &TPNSConfig{AccessID: "1500001048", SecretKey: "tpns-secret-value", Region: TPNSGuangzhou}},
		WithHTTPClient(&http.Client{Transport: bodyTransport{status, body}}), WithRetry(NoRetry()),
		WithLimiter(LimiterFunc(func(context.Context, LimitRequest) error { return nil })))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listedOK is an independent reading of a RecallRetList: the keys whose
// RetCode is 0, when the body's top level is an object with such a list.
func listedOK(body []byte, keyField string) map[string]bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	var list []map[string]json.RawMessage
	for k, v := range doc {
		if strings.EqualFold(k, "RecallRetList") {
			_ = json.Unmarshal(v, &list)
		}
	}
	ok := map[string]bool{}
	for _, e := range list {
		var key, code json.RawMessage
		for k, v := range e {
			switch {
			case strings.EqualFold(k, keyField):
				key = v
			case strings.EqualFold(k, "RetCode"):
				code = v
			}
		}
		var c float64
		if json.Unmarshal(code, &c) == nil && c == 0 && key != nil {
			ok[strings.Trim(string(key), `"`)] = true
		}
	}
	return ok
}

func checkNoSecret(t *testing.T, c *Client, err error) {
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, testKey) || strings.Contains(msg, "tpns-secret-value") {
		t.Fatalf("secret in error: %s", msg)
	}
	if cur := c.sig.cur.Load(); cur != nil && (strings.Contains(msg, cur.sig) || strings.Contains(msg, cur.escaped)) {
		t.Fatalf("UserSig in error: %s", msg)
	}
}

func FuzzGroupRecallResponse(f *testing.F) {
	f.Add(200, []byte(`{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgSeq":1,"RetCode":0},{"MsgSeq":2,"RetCode":10030}]}`))
	f.Add(200, []byte(`{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"x","RecallRetList":[{"MsgSeq":3,"RetCode":0}]}`))
	f.Add(200, []byte(`{"ActionStatus":"OK"}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(200, []byte(`{"ErrorCode":"0"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		c := fuzzClient(t, status, body)
		seqs := []uint64{1, 2, 3}
		res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: seqs})
		checkNoSecret(t, c, err)
		if res == nil || len(res.Items) != len(seqs) {
			t.Fatalf("want %d outcomes, got %+v (%v)", len(seqs), res, err)
		}
		ok := listedOK(body, "MsgSeq")
		for _, it := range res.Items {
			if it.Err == nil && (status > 299 || !ok[itoa(int(it.MsgSeq))]) {
				t.Fatalf("seq %d reported recalled; body %q", it.MsgSeq, body)
			}
			if it.Err != nil && !errors.As(err, new(*PartialError)) {
				t.Fatalf("item error %v not in the call's error %v", it.Err, err)
			}
		}
	})
}

func FuzzOfficialRecallResponse(f *testing.F) {
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgKey":"a","RetCode":0},{"MsgKey":"b","RetCode":10031}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgKey":1,"RetCode":0}]}`))
	f.Add([]byte(`{"ErrorCode":0,"RecallRetList":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, 200, body)
		keys := []string{"a", "b"}
		res, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "@TOA#_x", MsgKeys: keys})
		checkNoSecret(t, c, err)
		if res == nil || len(res.Items) != len(keys) {
			t.Fatalf("want %d outcomes, got %+v", len(keys), res)
		}
		ok := listedOK(body, "MsgKey")
		for _, it := range res.Items {
			if it.Err == nil && !ok[it.MsgKey] {
				t.Fatalf("key %q reported recalled; body %q", it.MsgKey, body)
			}
		}
	})
}

func FuzzChatEnvelope(f *testing.F) {
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`))
	f.Add([]byte(`{"ActionStatus":"OK"}`))
	f.Add([]byte(`{"ActionStatus":"FAIL","ErrorCode":20023,"ErrorInfo":"recalled"}`))
	f.Add([]byte(`{"ErrorCode":0.5}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, 200, body)
		err := errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "k"}))
		checkNoSecret(t, c, err)
		if err != nil {
			return
		}
		var env struct {
			ActionStatus string
			ErrorCode    *int
		}
		if json.Unmarshal(body, &env) != nil {
			t.Fatalf("success from an undecodable body %q", body)
		}
		if (env.ErrorCode != nil && *env.ErrorCode != 0) || (env.ErrorCode == nil && env.ActionStatus != "OK") {
			t.Fatalf("success from %q", body)
		}
	})
}

func FuzzTPNSResponse(f *testing.F) {
	f.Add([]byte(`{"retCode":0,"errMsg":"","pushRecordData":[{"pushId":"1","status":"PUSH_FINISHED","collapseID":7}]}`))
	f.Add([]byte(`{"ret_code":0,"err_msg":"","seq":1,"push_id":["a","b"]}`))
	f.Add([]byte(`{"ret_code":1008015,"err_msg":"no task"}`))
	f.Add([]byte(`{"retCode":"0"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, 200, body)
		rec, err := c.GetTPNSPushRecord(context.Background(), "1")
		checkNoSecret(t, c, err)
		if err == nil && rec == nil {
			t.Fatal("nil record without an error")
		}
		res, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all", Content: "x"}})
		checkNoSecret(t, c, err)
		if err == nil && (res == nil || res.CollapseID == 0) {
			t.Fatalf("override without a collapse ID succeeded: %+v", res)
		}
		var p tpnsPushResponse
		if json.Unmarshal(body, &p) == nil {
			_, _, _ = p.result()
		}
	})
}

func FuzzVerifyUserSig(f *testing.F) {
	for _, v := range loadUserSigVectors(f) {
		f.Add(v.UserSig, v.Identifier, v.SDKAppID, v.Key)
	}
	f.Add("eAEAsgBN-3", "a", uint64(1), "k")
	f.Add("", "a", uint64(1), "k")
	f.Fuzz(func(t *testing.T, sig, id string, app uint64, key string) {
		now := time.Unix(1795299342, 0)
		info, err := VerifyUserSig(app, key, id, sig, now)
		if err == nil && (info.Identifier != id || info.SDKAppID != app) {
			t.Fatalf("verified a signature for %q/%d as %q/%d", info.Identifier, info.SDKAppID, id, app)
		}
		_, _ = ParseUserSig(sig)
		if app != 0 && key != "" && id != "" && len(id) <= 1024 && utf8.ValidString(id) {
			s, err := GenUserSigAt(app, key, id, time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyUserSig(app, key, id, s, now); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
		}
	})
}

// FuzzHistoryPage feeds one body to all three history readers, answered to
// every page they ask for: each read must end (the same page again makes no
// progress), group sequence numbers must fall, and no message is yielded
// twice.
func FuzzHistoryPage(f *testing.F) {
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"GroupId":"g","IsFinished":0,"RspMsgList":[{"From_Account":"u","MsgSeq":5,"MsgTimeStamp":1,"IsPlaceMsg":2,"MsgBody":[]},{"MsgSeq":4}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"Complete":0,"MsgCnt":1,"LastMsgTime":5,"LastMsgKey":"1_2_5","MsgList":[{"From_Account":"a","To_Account":"b","MsgKey":"1_2_5","MsgTimeStamp":5,"MsgFlagBits":8}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"Official_Account":"o","IsFinished":0,"LastMsgKey":"3_1_9","RspMsgList":[{"MsgKey":"3_1_9","MsgSeq":3,"MsgTimeStamp":9}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"IsFinished":1,"RspMsgList":[]}`))
	f.Add([]byte(`{"ErrorCode":10044,"ErrorInfo":"no roaming"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, 200, body)
		ctx := context.Background()
		for _, r := range []struct {
			kind string
			read iter.Seq2[Message, error]
		}{
			{KindGroup, c.GroupHistory(ctx, GroupHistoryQuery{GroupID: "g"})},
			{KindC2C, c.C2CHistory(ctx, C2CHistoryQuery{Account: "a", Peer: "b", Until: time.Unix(10, 0)})},
			{KindOfficial, c.OfficialHistory(ctx, OfficialHistoryQuery{Account: "o"})},
		} {
			seen := map[string]bool{}
			var last uint64
			n := 0
			for m, err := range r.read {
				if err != nil {
					checkNoSecret(t, c, err)
					break
				}
				if n++; n > 10000 {
					t.Fatalf("read does not end: %q", body)
				}
				id := m.MsgKey
				if r.kind == KindGroup {
					if last != 0 && m.MsgSeq >= last {
						t.Fatalf("group seq %d after %d from %q", m.MsgSeq, last, body)
					}
					last = m.MsgSeq
					id = strconv.FormatUint(m.MsgSeq, 10)
				}
				if seen[id] {
					t.Fatalf("message %s yielded twice from %q", id, body)
				}
				seen[id] = true
			}
		}
	})
}

// FuzzContainmentAndPushAnswers feeds one body to every reader of
// containment, discovery's groups, the scheduled tasks and the push's
// reach: none panics or leaks a secret, a delete is never reported done
// unless the body says OK, and the scheduled task read has the ID it was
// asked for or an error.
func FuzzContainmentAndPushAnswers(f *testing.F) {
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"TaskInfo":{"TaskID":7,"Type":"All","SchedAt":"2026-12-02 08:00:00","Status":"pending","PushTaskID":""}}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"Total":2,"Tasks":[{"TaskID":1},{"TaskID":"x"}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"TotalCount":10,"SentCount":"9","InstanceTrace":[{"PushTime":1,"System":2,"PushPlatform":"APNs"}]}`))
	f.Add([]byte(`{"ActionStatus":"OK","ErrorCode":0,"MutedAccountList":[{"Member_Account":"m","MutedUntil":4294967295}],"C2CmsgNospeakingTime":5}`))
	f.Add([]byte(`{"ActionStatus":"FAIL","ErrorCode":90107,"ErrorInfo":"dispatching"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, 200, body)
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0)
		if task, err := c.GetPushSchedTask(ctx, 7); err != nil {
			checkNoSecret(t, c, err)
		} else if task == nil {
			t.Fatal("no task and no error")
		}
		_, err := c.DeletePushSchedTask(ctx, 7, "All")
		checkNoSecret(t, c, err)
		if err == nil {
			var env struct {
				ErrorCode json.RawMessage
			}
			if json.Unmarshal(body, &env) != nil || (len(env.ErrorCode) > 0 && string(env.ErrorCode) != "0") {
				t.Fatalf("delete reported done for %q", body)
			}
		}
		_, err = c.ListPushSchedTasks(ctx, ListSchedTasks{Begin: now, End: now.Add(time.Hour)})
		checkNoSecret(t, c, err)
		_, err = c.PushStatistics(ctx, "p", now, now.Add(time.Hour))
		checkNoSecret(t, c, err)
		_, err = c.PushTrace(ctx, "p", "u")
		checkNoSecret(t, c, err)
		_, err = c.GroupMutedAccounts(ctx, "g", "")
		checkNoSecret(t, c, err)
		_, err = c.GetNoSpeaking(ctx, "m")
		checkNoSecret(t, c, err)
	})
}

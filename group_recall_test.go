package chatrecall

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const groupURL = sgpHost + "/v4/group_open_http_svc/group_msg_recall"

func okGroupReply(_ int, req sentRequest) (*http.Response, error) {
	var body struct {
		MsgSeqList []struct{ MsgSeq uint64 }
	}
	_ = json.Unmarshal(req.Body, &body)
	type ret struct {
		MsgSeq  uint64
		RetCode int
	}
	list := []ret{}
	for _, s := range body.MsgSeqList {
		list = append(list, ret{s.MsgSeq, 0})
	}
	return jsonResponse(200, mustJSON(map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RecallRetList": list}))
}

func TestRecallGroupMessagesExactRequest(t *testing.T) {
	tests := []struct {
		name     string
		in       GroupRecall
		wantBody string
	}{
		{
			name:     "required fields only",
			in:       GroupRecall{GroupID: "@TGS#2J4SZEAEL", MsgSeqs: []uint64{100, 101}},
			wantBody: `{"GroupId":"@TGS#2J4SZEAEL","MsgSeqList":[{"MsgSeq":100},{"MsgSeq":101}]}`,
		},
		{
			name:     "topic and reason",
			in:       GroupRecall{GroupID: "@TGS#_@TGS#cQVLVHIM62CJ", MsgSeqs: []uint64{7}, TopicID: "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", Reason: "spam"},
			wantBody: `{"GroupId":"@TGS#_@TGS#cQVLVHIM62CJ","MsgSeqList":[{"MsgSeq":7}],"TopicId":"@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic","Reason":"spam"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			rec := &recorder{}
			mt.RegisterResponder("POST", groupURL, rec.responder(okGroupReply))
			c := newMockClient(t, mt)

			res, err := c.RecallGroupMessages(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, len(tt.in.MsgSeqs), res.Summary().Recalled)

			reqs := rec.all()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "https", r.URL.Scheme)
			assert.Equal(t, "adminapisgp.im.qcloud.com", r.URL.Host)
			assert.Equal(t, "/v4/group_open_http_svc/group_msg_recall", r.URL.Path)
			assertChatQuery(t, r.URL, "administrator")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, tt.wantBody, string(r.Body))
			if tt.in.TopicID == "" {
				assert.NotContains(t, string(r.Body), "TopicId")
				assert.NotContains(t, string(r.Body), "Reason")
			}
		})
	}
}

func TestRecallGroupMessagesMixedRetCodes(t *testing.T) {
	mt := httpmock.NewMockTransport()
	// Top-level success; each message has its own outcome. The list is in a
	// different order from the request, and carries a field we don't know.
	mt.RegisterResponder("POST", groupURL, func(*http.Request) (*http.Response, error) {
		return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","NewField":1,
			"RecallRetList":[{"MsgSeq":103,"RetCode":10032},{"MsgSeq":100,"RetCode":0},
			{"MsgSeq":101,"RetCode":10030},{"MsgSeq":102,"RetCode":10031},{"MsgSeq":104,"RetCode":0}]}`)
	})
	c := newMockClient(t, mt)
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{100, 101, 102, 103, 104}})
	require.Error(t, err)
	require.NotNil(t, res)
	require.Len(t, res.Items, 5)

	want := []struct {
		seq  uint64
		code Code
		cat  error
	}{{100, 0, nil}, {101, 10030, ErrGone}, {102, 10031, ErrRecallWindowExpired}, {103, 10032, ErrNotRecallable}, {104, 0, nil}}
	for i, w := range want {
		it := res.Items[i]
		assert.Equal(t, w.seq, it.MsgSeq, "input order kept")
		if w.code == 0 {
			assert.NoError(t, it.Err, "seq %d", w.seq)
			assert.True(t, it.Recalled())
			continue
		}
		var apiErr *APIError
		require.ErrorAs(t, it.Err, &apiErr, "seq %d", w.seq)
		assert.Equal(t, w.code, apiErr.Code)
		assert.ErrorIs(t, it.Err, w.cat)
		assert.False(t, it.Recalled())
	}
	assert.Equal(t, 2, res.Summary().Recalled)

	var pe *PartialError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 5, pe.Total)
	assert.Equal(t, 3, pe.Failed)
	assert.Equal(t, 0, pe.Unknown)
	assert.Len(t, pe.Errs, 3)
	assert.ErrorIs(t, err, ErrGone)
	assert.ErrorIs(t, err, ErrRecallWindowExpired)
	assert.ErrorIs(t, err, ErrNotRecallable)
	assert.NotErrorIs(t, err, ErrAuth)
	assert.Contains(t, err.Error(), "3 of 5 items not recalled")
	assert.Contains(t, err.Error(), "MsgSeq 101")
}

func TestRecallGroupMessagesTopLevelFailureWithList(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, func(*http.Request) (*http.Response, error) {
		return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":10030,"ErrorInfo":"some failed",
			"RecallRetList":[{"MsgSeq":1,"RetCode":0},{"MsgSeq":2,"RetCode":10030}]}`)
	})
	c := newMockClient(t, mt)
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err, "its own RetCode 0 wins over the top-level code")
	assert.ErrorIs(t, res.Items[1].Err, ErrGone)
	assert.ErrorIs(t, res.Items[2].Err, ErrGone, "an item missing from the list takes the top-level error")
}

func TestRecallGroupMessagesUnlistedItemIsUnknown(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, func(*http.Request) (*http.Response, error) {
		// 2 is not listed; 3 is listed without a RetCode (found by fuzzing:
		// a missing code once decoded as 0, "recalled").
		return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgSeq":1,"RetCode":0},{"MsgSeq":3}]}`)
	})
	c := newMockClient(t, mt)
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2, 3}})
	require.Error(t, err)
	assert.NoError(t, res.Items[0].Err)
	assert.ErrorIs(t, res.Items[1].Err, ErrOutcomeUnknown, "never reported as recalled without the service saying so")
	assert.ErrorIs(t, res.Items[2].Err, ErrOutcomeUnknown)
}

func TestRecallGroupMessages25SeqsIn3Requests(t *testing.T) {
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", groupURL, rec.responder(func(_ int, req sentRequest) (*http.Response, error) {
		if strings.Contains(string(req.Body), `{"MsgSeq":11}`) {
			return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":91000,"ErrorInfo":"internal error"}`)
		}
		return okGroupReply(0, req)
	}))
	c := newMockClient(t, mt)
	seqs := make([]uint64, 25)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	res, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: seqs})
	require.Error(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 3)
	sizes := map[int]int{}
	for _, r := range reqs {
		var b struct{ MsgSeqList []struct{ MsgSeq uint64 } }
		require.NoError(t, json.Unmarshal(r.Body, &b))
		sizes[len(b.MsgSeqList)]++
		assert.LessOrEqual(t, len(b.MsgSeqList), 10)
	}
	assert.Equal(t, map[int]int{10: 2, 5: 1}, sizes)

	require.Len(t, res.Items, 25)
	for i, it := range res.Items {
		assert.Equal(t, uint64(i+1), it.MsgSeq)
		if it.MsgSeq >= 11 && it.MsgSeq <= 20 {
			var apiErr *APIError
			require.ErrorAs(t, it.Err, &apiErr, "seq %d", it.MsgSeq)
			assert.Equal(t, CodePushInternalError, apiErr.Code)
			assert.ErrorIs(t, it.Err, ErrTemporary)
		} else {
			assert.NoError(t, it.Err, "seq %d", it.MsgSeq)
		}
	}
	var pe *PartialError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 10, pe.NotDone)
	assert.Equal(t, 25, pe.Total)
}

func TestRecallGroupMessagesValidation(t *testing.T) {
	tests := []struct {
		name  string
		in    GroupRecall
		field string
		text  string
	}{
		{"empty group", GroupRecall{MsgSeqs: []uint64{1}}, "GroupID", "required"},
		{"no seqs", GroupRecall{GroupID: "g"}, "MsgSeqs", "at least one"},
		{"zero seq", GroupRecall{GroupID: "g", MsgSeqs: []uint64{4, 0}}, "MsgSeqs[1]", "got 0"},
		{"duplicate", GroupRecall{GroupID: "g", MsgSeqs: []uint64{12, 13, 12}}, "MsgSeqs[2]", "duplicate of MsgSeqs[0] (12)"},
		{"long reason", GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}, Reason: strings.Repeat("x", 101)}, "Reason", "101 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			c := newMockClient(t, mt)
			res, err := c.RecallGroupMessages(context.Background(), tt.in)
			require.NotNil(t, res, "a result with one item per input, even refused")
			require.Len(t, res.Items, len(tt.in.MsgSeqs))
			for i, it := range res.Items {
				assert.Equal(t, tt.in.MsgSeqs[i], it.MsgSeq)
				assert.Equal(t, OutcomeNotSent, OutcomeOf(it.Err), "each item: not sent")
				assert.ErrorIs(t, it.Err, ErrInvalidRequest, "and why")
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, err.Error(), tt.text)
			assert.Contains(t, err.Error(), "RecallGroupMessages")
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Equal(t, 0, mt.GetTotalCallCount(), "nothing sent")
		})
	}
}

func TestUserSigExpiredRenewsAndRetriesOnce(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", groupURL, rec.responder(func(n int, req sentRequest) (*http.Response, error) {
		if n == 1 {
			clock.Advance(time.Minute)
			return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"sig expired"}`)
		}
		return okGroupReply(n, req)
	}))
	c := newMockClient(t, mt, WithClock(clock))
	_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2, "one retry, even with retries off")
	assert.NotEqual(t, reqs[0].URL.Query().Get("usersig"), reqs[1].URL.Query().Get("usersig"), "a new signature")

	// A service that keeps saying 70001 gets exactly one retry.
	mt2 := httpmock.NewMockTransport()
	mt2.RegisterResponder("POST", groupURL, func(*http.Request) (*http.Response, error) {
		return jsonResponse(200, `{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"sig expired"}`)
	})
	c2 := newMockClient(t, mt2, WithClock(clock), WithRetry(DefaultRetryPolicy()))
	res, err := c2.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.ErrorIs(t, err, ErrUserSigExpired)
	assert.ErrorIs(t, res.Items[0].Err, ErrAuth)
	assert.Equal(t, 2, mt2.GetTotalCallCount())
}

func TestCancelledContextSendsNothing(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", groupURL, okGroupReply2)
	c := newMockClient(t, mt)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := c.RecallGroupMessages(ctx, GroupRecall{GroupID: "g", MsgSeqs: []uint64{1, 2}})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "never sent, so certainly not applied")
	assert.ErrorIs(t, res.Items[0].Err, context.Canceled)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func okGroupReply2(r *http.Request) (*http.Response, error) {
	return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0}`)
}

func TestErrorCategories(t *testing.T) {
	tests := []struct {
		endpoint string
		code     Code
		cat      error
	}{
		{EndpointGroupRecall, CodeBodyNotJSON, ErrInvalidRequest},
		{EndpointGroupRecall, CodeGroupInvalidParameter, ErrInvalidRequest},
		{EndpointGroupRecall, CodeAccountOrSigInvalid, ErrAuth},
		{EndpointGroupRecall, CodeUserSigWrongKey, ErrAuth},
		{EndpointGroupRecall, CodeUserSigExpired, ErrUserSigExpired},
		{EndpointGroupRecall, CodeUserSigExpired, ErrAuth},
		{EndpointGroupRecall, CodeAdminRequired, ErrPermission},
		{EndpointGroupRecall, CodeIPNotAllowed, ErrPermission},
		{EndpointGroupRecall, CodeRESTFrequencyExceeded, ErrRateLimited},
		{EndpointGroupRecall, CodeTooManyFailedVerifications, ErrRateLimited},
		{EndpointGroupRecall, CodeServiceTimeout, ErrTemporary},
		{EndpointGroupRecall, CodeGroupInternalError, ErrTemporary},
		{EndpointGroupRecall, CodeInternalServerError, ErrTemporary},
		{EndpointGroupRecall, CodeGroupNotFound, ErrNotFound},
		{EndpointGroupRecall, CodeGroupMsgNotFound, ErrGone},
		{EndpointGroupRecall, CodeAccountNotFound, ErrNotFound},
		{EndpointGroupRecall, CodeGroupMsgTooOld, ErrRecallWindowExpired},
		{EndpointGroupRecall, CodeGroupMsgNotRecallable, ErrNotRecallable},
		{EndpointGroupRecall, CodeGroupTypeNoRecall, ErrNotRecallable},
		{EndpointGroupRecall, CodeGroupRecallForbidden, ErrNotRecallable},
		{EndpointGroupRecall, CodeSDKAppIDDisabled, ErrServiceDisabled},
		{EndpointGroupRecall, CodePackageExpired, ErrServiceDisabled},
	}
	for _, tt := range tests {
		e := &APIError{Endpoint: tt.endpoint, Code: tt.code}
		assert.ErrorIs(t, e, tt.cat, "%s code %d", tt.endpoint, tt.code)
		wrapped := &PartialError{Errs: []error{&ItemError{Item: "x", Err: e}}}
		assert.ErrorIs(t, wrapped, tt.cat, "through PartialError")
	}
	unknown := &APIError{Endpoint: EndpointGroupRecall, Code: 12345, Info: "new"}
	for _, cat := range []error{ErrInvalidRequest, ErrAuth, ErrTemporary, ErrNotFound, ErrRateLimited} {
		assert.NotErrorIs(t, unknown, cat)
	}
	assert.Equal(t, "chatrecall: group_msg_recall: code 12345 (undocumented code): new", unknown.Error())
	assert.Equal(t, "chatrecall: group_msg_recall: code 10010 (group does not exist): no such group",
		(&APIError{Endpoint: EndpointGroupRecall, Code: 10010, Info: "no such group"}).Error())
	assert.True(t, errors.Is(&HTTPError{StatusCode: 502}, ErrTemporary))
	assert.True(t, errors.Is(&HTTPError{StatusCode: 429}, ErrRateLimited))
}

// TestRequestBodiesMatchEncodingJSON: the hand-written bodies are what
// encoding/json would write, for awkward strings too.
func TestRequestBodiesMatchEncodingJSON(t *testing.T) {
	// Control characters and invalid UTF-8 are refused before sending (see
	// TestBadInputSendsNothing); everything else must arrive intact.
	awkward := []string{"plain", `quo"te`, `back\slash`, "<tag>&amp;", "中文", "\u2028", "emoji 🎉"}
	for _, s := range awkward {
		r := GroupRecall{GroupID: s, MsgSeqs: []uint64{7, 8, 9}, TopicID: s, Reason: s}
		var got []byte
		mt := httpmock.NewMockTransport()
		rec := &recorder{}
		mt.RegisterResponder("POST", groupURL, rec.responder(okGroupReply))
		mt.RegisterResponder("POST", sgpHost+"/v4/official_account_open_http_svc/official_account_msg_recall", rec.responder(okEnvelope))
		c := newMockClient(t, mt)
		_, _ = c.RecallGroupMessages(context.Background(), r)
		got = rec.all()[0].Body
		want, _ := json.Marshal(map[string]any{"GroupId": s, "MsgSeqList": []map[string]uint64{{"MsgSeq": 7}, {"MsgSeq": 8}, {"MsgSeq": 9}}, "TopicId": s, "Reason": s})
		assert.JSONEq(t, string(want), string(got), "%q", s)
		assert.True(t, json.Valid(got))

		_, _ = c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: s, MsgKeys: []string{s, "k"}})
		got = rec.all()[1].Body
		want, _ = json.Marshal(map[string]any{"Official_Account": s, "MsgKeyList": []string{s, "k"}})
		assert.JSONEq(t, string(want), string(got), "%q", s)
	}
}

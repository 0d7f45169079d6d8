package chatrecall

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall/internal/tpnsauth"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type tpnsVectors struct {
	Signature []struct {
		Note      string `json:"note"`
		Timestamp string `json:"timestamp"`
		AccessID  string `json:"access_id"`
		SecretKey string `json:"secret_key"`
		Body      string `json:"body"`
		HMACHex   string `json:"hmac_hex"`
		Sign      string `json:"sign"`
	} `json:"signature"`
	BasicAuth []struct {
		AccessID      string `json:"access_id"`
		SecretKey     string `json:"secret_key"`
		Authorization string `json:"authorization"`
	} `json:"basic_auth"`
}

func loadTPNSVectors(t testing.TB) tpnsVectors {
	raw, err := os.ReadFile("testdata/tpns_sign_vectors.json")
	require.NoError(t, err)
	var v tpnsVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Signature)
	require.NotEmpty(t, v.BasicAuth)
	return v
}

func TestTPNSSignVectors(t *testing.T) {
	v := loadTPNSVectors(t)
	for _, s := range v.Signature {
		t.Run(s.Note, func(t *testing.T) {
			ts, err := strconv.ParseInt(s.Timestamp, 10, 64)
			require.NoError(t, err)
			assert.Equal(t, s.Sign, tpnsauth.Sign(s.SecretKey, s.AccessID, ts, []byte(s.Body)))
		})
	}
	for _, b := range v.BasicAuth {
		assert.Equal(t, b.Authorization, tpnsauth.BasicAuth(b.AccessID, b.SecretKey))
	}
}

const (
	tpnsBase     = "https://api.tpns.tencent.com"
	tpnsAccess   = "1500001048"
	tpnsSecret   = "tpns-secret-value"
	tpnsFixedNow = 1795299339
)

func newTPNSMockClient(t testing.TB, mt *httpmock.MockTransport, auth TPNSAuth, opts ...Option) *Client {
	t.Helper()
	clock := &manualClock{now: time.Unix(tpnsFixedNow, 0)}
	base := []Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetry(NoRetry()), WithClock(clock)}
	c, err := NewClient(Config{TPNS: &TPNSConfig{AccessID: tpnsAccess, SecretKey: tpnsSecret, Region: TPNSGuangzhou, Auth: auth}}, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func assertTPNSAuth(t *testing.T, r sentRequest, auth TPNSAuth) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Empty(t, r.URL.RawQuery)
	if auth == TPNSAuthBasic {
		assert.Equal(t, tpnsauth.BasicAuth(tpnsAccess, tpnsSecret), r.Header.Get("Authorization"))
		assert.Empty(t, r.Header.Get("Sign"))
		return
	}
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.Equal(t, tpnsAccess, r.Header.Get("AccessId"))
	assert.Equal(t, strconv.Itoa(tpnsFixedNow), r.Header.Get("TimeStamp"))
	assert.Equal(t, tpnsauth.Sign(tpnsSecret, tpnsAccess, tpnsFixedNow, r.Body), r.Header.Get("Sign"), "signed over the exact bytes sent")
}

func TestTPNSTaskRequestShapes(t *testing.T) {
	for _, auth := range []TPNSAuth{TPNSAuthSignature, TPNSAuthBasic} {
		tests := []struct {
			name string
			path string
			body string
			call func(*Client) error
		}{
			{"stop", "/v3/push/stop_push_msg", `{"pushid":"43214535"}`, func(c *Client) error { return errOf(c.StopTPNSPush(context.Background(), "43214535")) }},
			{"revoke", "/v3/push/revoke_push_msg", `{"pushid":"43214535"}`, func(c *Client) error { return errOf(c.RevokeTPNSPush(context.Background(), "43214535")) }},
			{"cancel", "/v3/push/cancel_timing_task", `{"pushid":"43214535"}`, func(c *Client) error {
				return errOf(c.CancelTPNSScheduledPush(context.Background(), "43214535"))
			}},
			{"record", "/v3/statistics/get_push_record", `{"pushId":"43214535"}`, func(c *Client) error {
				_, err := c.GetTPNSPushRecord(context.Background(), "43214535")
				return err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name+"/"+map[TPNSAuth]string{0: "sign", 1: "basic"}[auth], func(t *testing.T) {
				mt := httpmock.NewMockTransport()
				rec := &recorder{}
				mt.RegisterResponder("POST", tpnsBase+tt.path, rec.responder(func(int, sentRequest) (*http.Response, error) {
					return jsonResponse(200, `{"ret_code":0,"err_msg":"","retCode":0,"errMsg":"","pushRecordData":[{"pushId":"43214535","status":"PUSH_FINISHED"}]}`)
				}))
				c := newTPNSMockClient(t, mt, auth)
				require.NoError(t, tt.call(c))
				reqs := rec.all()
				require.Len(t, reqs, 1)
				assert.Equal(t, tt.path, reqs[0].URL.Path)
				assert.Equal(t, "api.tpns.tencent.com", reqs[0].URL.Host)
				assert.Equal(t, tt.body, string(reqs[0].Body), "exact body")
				assertTPNSAuth(t, reqs[0], auth)
			})
		}
	}
}

func TestTPNSStopBodyMatchesVector(t *testing.T) {
	// The shared vector "a stop_push_msg body" is exactly what StopTPNSPush sends.
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterResponder("POST", tpnsBase+"/v3/push/stop_push_msg", rec.responder(func(int, sentRequest) (*http.Response, error) {
		return jsonResponse(200, `{"ret_code":0}`)
	}))
	c, err := NewClient(Config{TPNS: &TPNSConfig{AccessID: "1500001048", SecretKey: "1452fcebae9f3115ba794fb0fff2fd73", Region: TPNSGuangzhou}},
		WithHTTPClient(&http.Client{Transport: mt}), WithClock(&manualClock{now: time.Unix(1795299339, 0)}))
	require.NoError(t, err)
	require.NoError(t, errOf(c.StopTPNSPush(context.Background(), "43214535")))
	r := rec.all()[0]
	assert.Equal(t, "ZTc2OTk0Nzc3ZDY4OWJmMWM2ZjkxNmRhNjQwYTExZWI0MTUyMzJmZjZhODNkZTU2M2U0OTIzZGIzZDk3MTIzNQ==", r.Header.Get("Sign"))
}

func TestTPNSOverride(t *testing.T) {
	push := TPNSPush{AudienceType: TPNSAudienceAll, Platform: "android", Title: "Correction", Content: "Ignore the last message",
		Android: map[string]any{"action": map[string]any{"action_type": 1}}, Environment: "product", ExpireTime: 3600}

	t.Run("reads the record, then pushes with its collapse id", func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		rec := &recorder{}
		mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", rec.responder(func(int, sentRequest) (*http.Response, error) {
			return jsonResponse(200, `{"retCode":0,"errMsg":"","pushRecordData":[{"pushId":"111","status":"PUSH_FINISHED","pushType":"all","collapseID":777,"date":"2026-11-21 10:00:00"}]}`)
		}))
		mt.RegisterResponder("POST", tpnsBase+"/v3/push/app", rec.responder(func(int, sentRequest) (*http.Response, error) {
			return jsonResponse(200, `{"seq":9,"push_id":"222","ret_code":0,"err_msg":"","environment":"product"}`)
		}))
		c := newTPNSMockClient(t, mt, TPNSAuthSignature)
		res, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "111", Push: push, ForceCollapse: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"222"}, res.PushIDs)
		assert.Equal(t, int64(777), res.CollapseID)
		assert.Equal(t, int64(9), res.Seq)

		reqs := rec.all()
		require.Len(t, reqs, 2)
		assert.Equal(t, "/v3/statistics/get_push_record", reqs[0].URL.Path, "the record is read first")
		assert.Equal(t, "/v3/push/app", reqs[1].URL.Path)
		assert.JSONEq(t, `{"audience_type":"all","platform":"android","message_type":"notify",
			"message":{"title":"Correction","content":"Ignore the last message","android":{"action":{"action_type":1}}},
			"environment":"product","expire_time":3600,"collapse_id":777,"force_collapse":true}`, string(reqs[1].Body))
		assertTPNSAuth(t, reqs[1], TPNSAuthSignature)
	})

	t.Run("no collapse id: no push", func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", httpmock.NewStringResponder(200,
			`{"retCode":0,"pushRecordData":[{"pushId":"111","status":"PUSH_FINISHED","pushType":"token_list"}]}`))
		c := newTPNSMockClient(t, mt, TPNSAuthSignature)
		_, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "111", Push: push})
		assert.ErrorIs(t, err, ErrOverrideNotSupported)
		assert.Contains(t, err.Error(), "token_list")
		assert.Equal(t, 1, mt.GetTotalCallCount(), "only the record was read")
	})

	t.Run("loop push answers several ids", func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", httpmock.NewStringResponder(200,
			`{"retCode":0,"pushRecordData":[{"pushId":"111","collapseID":5}]}`))
		mt.RegisterResponder("POST", tpnsBase+"/v3/push/app", httpmock.NewStringResponder(200, `{"ret_code":0,"push_id":["a","b"]}`))
		c := newTPNSMockClient(t, mt, TPNSAuthBasic)
		res, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "111", Push: push})
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, res.PushIDs)
	})

	// An iOS part needs an environment whatever Platform says (Tencent's own
	// TPNS SDKs refuse it otherwise): the caller's, else the original's;
	// with neither, nothing is pushed.
	for _, tc := range []struct {
		name, platform, recordEnv, callerEnv, sent string
	}{
		{"ios part, no platform, the record's environment", "", "dev", "", "dev"},
		{"ios part, platform ios, the caller's environment wins", "ios", "dev", "product", "product"},
		{"ios part, no environment anywhere: refused", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			rec := &recorder{}
			mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", rec.responder(func(int, sentRequest) (*http.Response, error) {
				return jsonResponse(200, `{"retCode":0,"pushRecordData":[{"pushId":"111","pushType":"all","collapseID":5,"environment":"`+tc.recordEnv+`"}]}`)
			}))
			mt.RegisterResponder("POST", tpnsBase+"/v3/push/app", rec.responder(func(int, sentRequest) (*http.Response, error) {
				return jsonResponse(200, `{"ret_code":0,"push_id":"9"}`)
			}))
			c := newTPNSMockClient(t, mt, TPNSAuthSignature)
			ios := TPNSPush{Platform: tc.platform, Content: "Correction", IOS: map[string]any{"aps": map[string]any{"sound": "default"}}, Environment: tc.callerEnv}
			_, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "111", Push: ios})
			reqs := rec.all()
			if tc.sent == "" {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "Push.Environment", ve.Field)
				require.Len(t, reqs, 1, "only the record was read: nothing pushed")
				return
			}
			require.NoError(t, err)
			require.Len(t, reqs, 2)
			var body map[string]any
			require.NoError(t, json.Unmarshal(reqs[1].Body, &body))
			assert.Equal(t, tc.sent, body["environment"])
		})
	}

	t.Run("an ambiguous push is not retried", func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", httpmock.NewStringResponder(200,
			`{"retCode":0,"pushRecordData":[{"pushId":"111","collapseID":5}]}`))
		mt.RegisterResponder("POST", tpnsBase+"/v3/push/app", httpmock.NewStringResponder(502, `<html>bad gateway</html>`))
		c := newTPNSMockClient(t, mt, TPNSAuthSignature, WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		_, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "111", Push: push})
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, 2, mt.GetTotalCallCount(), "one record read, one push: a retry might deliver twice")
	})
}

func TestTPNSEnvelopeSpellingsAndCodes(t *testing.T) {
	codes := []struct {
		constant Code
		code     Code
		cat      error
	}{
		{CodeTPNSParamParse, 1008001, ErrInvalidRequest},
		{CodeTPNSParamMissing, 1008002, ErrInvalidRequest},
		{CodeTPNSAuthFailed, 1008003, ErrAuth},
		{CodeTPNSInternalCall, 1008004, ErrTemporary},
		{CodeTPNSParamInvalid, 1008007, ErrInvalidRequest},
		{CodeTPNSTaskNotFound, 1008015, ErrNotFound},
		{CodeTPNSBadDate, 1008016, ErrInvalidRequest},
		{CodeTPNSContentRejected, 1008019, ErrInvalidRequest},
		{CodeTPNSCertExpired, 1008023, ErrAuth},
		{CodeTPNSTooFrequent, 1008028, ErrRateLimited},
		{CodeTPNSAppNotPaid, 1008030, ErrServiceDisabled},
		{CodeTPNSResourcesExpired, 1008031, ErrServiceDisabled},
		{CodeTPNSWrongAccessPoint, 1008035, ErrAuth},
		{CodeTPNSTargetNotFound, 10010005, ErrNotFound},
		{CodeTPNSInvalidPushTime, 10010012, ErrInvalidRequest},
		{CodeTPNSRepeatedPush, 10010018, ErrInvalidRequest},
	}
	for _, tc := range codes {
		assert.Equal(t, tc.code, tc.constant)
		for _, body := range []string{
			`{"ret_code":` + strconv.Itoa(int(tc.code)) + `,"err_msg":"service says"}`,
			`{"retCode":` + strconv.Itoa(int(tc.code)) + `,"errMsg":"service says"}`,
		} {
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("POST", tpnsBase+"/v3/push/stop_push_msg", httpmock.NewStringResponder(200, body))
			c := newTPNSMockClient(t, mt, TPNSAuthSignature)
			err := errOf(c.StopTPNSPush(context.Background(), "1"))
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, body)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, "service says", apiErr.Info)
			assert.ErrorIs(t, err, tc.cat, body)
			assert.NotContains(t, apiErr.Error(), "undocumented", body)
		}
	}
	// No code in either spelling is not success.
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", tpnsBase+"/v3/push/stop_push_msg", httpmock.NewStringResponder(200, `{"result":"ok"}`))
	var de *DecodeError
	assert.ErrorAs(t, errOf(newTPNSMockClient(t, mt, TPNSAuthSignature).StopTPNSPush(context.Background(), "1")), &de)
	// A non-2xx status is an *HTTPError.
	mt = httpmock.NewMockTransport()
	mt.RegisterResponder("POST", tpnsBase+"/v3/push/stop_push_msg", httpmock.NewStringResponder(503, `busy`))
	var he *HTTPError
	assert.ErrorAs(t, errOf(newTPNSMockClient(t, mt, TPNSAuthSignature).StopTPNSPush(context.Background(), "1")), &he)
}

func TestTPNSNotConfiguredAndBadInput(t *testing.T) {
	mt := httpmock.NewMockTransport()
	chatOnly := newMockClient(t, mt)
	ctx := context.Background()
	for name, err := range map[string]error{
		"stop":   errOf(chatOnly.StopTPNSPush(ctx, "1")),
		"revoke": errOf(chatOnly.RevokeTPNSPush(ctx, "1")),
		"cancel": errOf(chatOnly.CancelTPNSScheduledPush(ctx, "1")),
		"record": func() error { _, err := chatOnly.GetTPNSPushRecord(ctx, "1"); return err }(),
		"override": func() error {
			_, err := chatOnly.OverrideTPNSPush(ctx, TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all", Content: "x"}})
			return err
		}(),
	} {
		assert.ErrorIs(t, err, ErrTPNSNotConfigured, name)
	}
	assert.Equal(t, 0, mt.GetTotalCallCount())

	tp := newTPNSMockClient(t, mt, TPNSAuthSignature)
	bad := []struct {
		field string
		o     TPNSOverride
	}{
		{"PushID", TPNSOverride{Push: TPNSPush{AudienceType: "all", Content: "x"}}},
		{"Push.AudienceType", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "everyone", Content: "x"}}},
		{"Push.Content", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all"}}},
		{"Push.TokenList", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "token_list", Content: "x"}}},
		{"Push.AccountList", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "account", Content: "x"}}},
		{"Push.TagRules", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "tag", Content: "x"}}},
		{"Push.UploadID", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "package_account_push", Content: "x"}}},
		{"Push.MessageType", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all", Content: "x", MessageType: "loud"}}},
		{"Push.Environment", TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all", Content: "x", Environment: "staging"}}},
		{`Push.Extra["collapse_id"]`, TPNSOverride{PushID: "1", Push: TPNSPush{AudienceType: "all", Content: "x", Extra: map[string]any{"collapse_id": 1}}}},
	}
	for _, b := range bad {
		_, err := tp.OverrideTPNSPush(ctx, b.o)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, b.field)
		assert.Equal(t, b.field, ve.Field)
	}
	for name, err := range map[string]error{
		"stop":   errOf(tp.StopTPNSPush(ctx, "")),
		"revoke": errOf(tp.RevokeTPNSPush(ctx, "")),
		"cancel": errOf(tp.CancelTPNSScheduledPush(ctx, "")),
		"record": func() error { _, err := tp.GetTPNSPushRecord(ctx, ""); return err }(),
	} {
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	assert.Equal(t, 0, mt.GetTotalCallCount())

	// A TPNS-only client refuses Chat calls clearly.
	_, err := tp.RecallGroupMessages(ctx, GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
	assert.ErrorContains(t, err, "Chat is not configured")
}

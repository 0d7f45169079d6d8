package chatrecall

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPushRecordDocumentedSample: the documentation's single-task sample
// answers "pushId" as a number (133703); it decodes, and an override of
// that task goes ahead.
func TestPushRecordDocumentedSample(t *testing.T) {
	const sample = `{"retCode":0,"errMsg":"","pushRecordData":[{"pushId":133703,"status":"PUSH_FINISHED",` +
		`"pushType":"all","collapseID":2,"title":"Hello","content":"World","messageType":"notify","environment":"product"}]}`
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", tpnsBase+"/v3/statistics/get_push_record", httpmock.NewStringResponder(200, sample))
	var pushed []byte
	mt.RegisterResponder("POST", tpnsBase+"/v3/push/app", func(r *http.Request) (*http.Response, error) {
		pushed = readAll(r)
		return jsonResponse(200, `{"seq":1,"push_id":"133704","ret_code":0,"err_msg":"","environment":"product"}`)
	})
	c := newTPNSMockClient(t, mt, TPNSAuthSignature)
	rec, err := c.GetTPNSPushRecord(context.Background(), "133703")
	require.NoError(t, err)
	assert.Equal(t, "133703", rec.PushID)
	assert.Equal(t, int64(2), rec.CollapseID)

	res, err := c.OverrideTPNSPush(context.Background(), TPNSOverride{PushID: "133703", Push: TPNSPush{Content: "Corrected"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"133704"}, res.PushIDs)
	assert.Contains(t, string(pushed), `"audience_type":"all"`, "the audience comes from the record")
	assert.Contains(t, string(pushed), `"collapse_id":2`)

	for _, id := range []string{`"133703"`, `133703`, `1.5e3`} {
		var r TPNSPushRecord
		require.NoError(t, r.UnmarshalJSON([]byte(`{"pushId":`+id+`}`)), id)
	}
	var r TPNSPushRecord
	assert.Error(t, r.UnmarshalJSON([]byte(`{"pushId":true}`)))
}

// TestVIVOClassificationZeroIsSent: 0 ("operation message") is a
// documented value; nil omits the field.
func TestVIVOClassificationZeroIsSent(t *testing.T) {
	for _, tt := range []struct {
		v    *int
		want string
	}{{Int(0), `"VIVOClassification":0`}, {Int(1), `"VIVOClassification":1`}, {nil, ""}} {
		mt := httpmock.NewMockTransport()
		rec := &recorder{}
		mt.RegisterResponder("POST", sgpHost+"/v4/timpush/revoke", rec.responder(okEnvelope))
		_, err := newMockClient(t, mt).RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t",
			OfflinePushInfo: &OfflinePushInfo{Title: "x", AndroidInfo: &AndroidInfo{VIVOClassification: tt.v}}})
		require.NoError(t, err)
		body := string(rec.all()[0].Body)
		if tt.want == "" {
			assert.NotContains(t, body, "VIVOClassification")
		} else {
			assert.Contains(t, body, tt.want)
		}
	}
	_, err := newMockClient(t, httpmock.NewMockTransport()).RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t",
		OfflinePushInfo: &OfflinePushInfo{AndroidInfo: &AndroidInfo{VIVOClassification: Int(2)}}})
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

// TestVerifyUserSigRejectsUserBuf: like Tencent's reference VerifyUserSig,
// a signature carrying TLS.userbuf is refused, even with a correct HMAC.
func TestVerifyUserSigRejectsUserBuf(t *testing.T) {
	now := time.Unix(1700000000, 0)
	buf := base64.StdEncoding.EncodeToString([]byte("privmap"))
	mac := sigMAC(nil, testKey, "administrator", testAppID, now.Unix(), 86400, &buf)
	doc := `{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":` + strconv.Itoa(testAppID) +
		`,"TLS.expire":86400,"TLS.time":` + strconv.FormatInt(now.Unix(), 10) + `,"TLS.userbuf":"` + buf + `","TLS.sig":"` + string(mac) + `"}`
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	_, _ = w.Write([]byte(doc))
	require.NoError(t, w.Close())
	sig := sigEncoding.EncodeToString(z.Bytes())

	info, err := ParseUserSig(sig)
	require.NoError(t, err, "it parses")
	assert.Equal(t, []byte("privmap"), info.UserBuf)
	_, err = VerifyUserSig(testAppID, testKey, "administrator", sig, now)
	assert.ErrorIs(t, err, ErrUserSigUserBuf)
}

// TestLimitsAreKeyedPerService: clients of one app share its limits; a
// client with a BaseURL shares them only with clients at the same host.
func TestLimitsAreKeyedPerService(t *testing.T) {
	mk := func(base string) *Client {
		cfg := Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore, BaseURL: base,
			TPNS: &TPNSConfig{AccessID: "1500000000", SecretKey: "s", Region: TPNSGuangzhou, BaseURL: base}}
		c, err := NewClient(cfg)
		require.NoError(t, err)
		return c
	}
	key := func(c *Client, ep string) string { return c.limitReqs[ep].Key }
	a, b, a2, region := mk("http://127.0.0.1:1001"), mk("http://127.0.0.1:1002"), mk("http://127.0.0.1:1001"), mk("")
	assert.NotEqual(t, key(a, EndpointPushRevoke), key(b, EndpointPushRevoke))
	assert.Equal(t, key(a, EndpointPushRevoke), key(a2, EndpointPushRevoke))
	assert.NotEqual(t, key(a, EndpointTPNSRecord), key(b, EndpointTPNSRecord))
	assert.Equal(t, "1400000000:timpush/revoke", key(region, EndpointPushRevoke))
}

// TestHTTPMockActivateWithoutWithHTTPClient: httpmock.Activate replaces
// http.DefaultTransport with a non-*http.Transport; NewClient must not
// panic, and requests must go through the mock, before or after NewClient.
func TestHTTPMockActivateWithoutWithHTTPClient(t *testing.T) {
	before, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore}, WithRetry(NoRetry()), WithLimiter(NewLocalLimiter(nil)))
	require.NoError(t, err)
	httpmock.Activate()
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder("POST", groupURL, httpmock.NewStringResponder(200, `{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgSeq":1,"RetCode":0}]}`))
	after, err := NewClient(Config{SDKAppID: testAppID, SecretKey: testKey, Region: RegionSingapore}, WithRetry(NoRetry()), WithLimiter(NewLocalLimiter(nil)))
	require.NoError(t, err)
	for _, c := range []*Client{before, after} {
		_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "g", MsgSeqs: []uint64{1}})
		require.NoError(t, err)
	}
	assert.Equal(t, 2, httpmock.GetTotalCallCount())
}

func readAll(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

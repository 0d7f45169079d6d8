package chatrecall

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/golden/" + name)
	require.NoError(t, err)
	return string(b)
}

func okEnvelope(int, sentRequest) (*http.Response, error) {
	return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`)
}

// TestRequestShapes checks method, host, path, query and the exact JSON body
// of each Chat endpoint against golden files.
func TestRequestShapes(t *testing.T) {
	full := &OfflinePushInfo{
		PushFlag: 0, Title: "Correction", Desc: "The earlier notice was sent in error",
		AndroidInfo: &AndroidInfo{
			Sound: "android.mp3", HuaWeiChannelID: "hw-channel", XiaoMiChannelID: "mi-channel",
			OPPOChannelID: "oppo-channel", GoogleChannelID: "fcm-channel", VIVOClassification: Int(1),
			HuaWeiImportance: "NORMAL", ExtAsHuaweiIntentParam: 1, HuaWeiCategory: "IM",
			OPPOCategory: "IM", VIVOCategory: "IM", HonorImportance: "NORMAL", MeiZuNoticeMsgType: 1,
		},
		ApnsInfo: &ApnsInfo{Sound: "apns.mp3", BadgeMode: 1, Title: "Correction", SubTitle: "Sorry",
			Image: "https://example.com/a.png", MutableContent: 1},
	}
	require.NoError(t, full.SetExt(map[string]any{"entity": map[string]string{"k": "v"}}))

	tests := []struct {
		name   string
		path   string
		golden string
		reply  func(int, sentRequest) (*http.Response, error)
		call   func(*Client) error
	}{
		{"group", "/v4/group_open_http_svc/group_msg_recall", "group_recall.json", okGroupReply, func(c *Client) error {
			_, err := c.RecallGroupMessages(context.Background(), GroupRecall{GroupID: "@TGS#2J4SZEAEL", MsgSeqs: []uint64{100, 101},
				TopicID: "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", Reason: "spam"})
			return err
		}},
		{"official", "/v4/official_account_open_http_svc/official_account_msg_recall", "official_recall.json",
			func(int, sentRequest) (*http.Response, error) {
				return jsonResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"RecallRetList":[{"MsgKey":"1_2_3","RetCode":0},{"MsgKey":"1_2_4","RetCode":0}]}`)
			}, func(c *Client) error {
				_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "@TOA#_2J4SZEAEL",
					MsgKeys: []string{"1_2_3", "1_2_4"}, Reason: "sent by mistake"})
				return err
			}},
		{"push revoke minimal", "/v4/timpush/revoke", "push_revoke_minimal.json", okEnvelope, func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "53f3d2f2-2a38-4a5f-9ea4-aa8de8a34d06"}))
		}},
		{"push revoke full", "/v4/timpush/revoke", "push_revoke_full.json", okEnvelope, func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "53f3d2f2-2a38-4a5f-9ea4-aa8de8a34d06", OfflinePushInfo: full}))
		}},
		{"c2c", "/v4/openim/admin_msgwithdraw", "c2c_recall.json", okEnvelope, func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "vinson", To: "dramon", MsgKey: "31906_833502_1572869830"}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			rec := &recorder{}
			mt.RegisterResponder("POST", sgpHost+tt.path, rec.responder(tt.reply))
			c := newMockClient(t, mt)
			require.NoError(t, tt.call(c))
			reqs := rec.all()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "adminapisgp.im.qcloud.com", r.URL.Host)
			assert.Equal(t, tt.path, r.URL.Path)
			assertChatQuery(t, r.URL, "administrator")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, golden(t, tt.golden), string(r.Body))
		})
	}
}

// TestEndpointCodes maps every documented code of each endpoint to its
// constant, its description and its category.
func TestEndpointCodes(t *testing.T) {
	tests := []struct {
		endpoint string
		constant Code
		code     Code
		cat      error
		desc     string
	}{
		{EndpointOfficialRecall, CodeOfficialInternalError, 10002, ErrTemporary, "internal error"},
		{EndpointOfficialRecall, CodeOfficialInvalidCommand, 10003, ErrInvalidRequest, "invalid command"},
		{EndpointOfficialRecall, CodeOfficialInvalidParameter, 10004, ErrInvalidRequest, "invalid parameter"},
		{EndpointOfficialRecall, CodeOfficialNoPermission, 10007, ErrPermission, "no permission"},
		{EndpointOfficialRecall, CodeOfficialAccountNotFound, 10010, ErrNotFound, "official account does not exist"},
		{EndpointOfficialRecall, CodeOfficialAccountIDInvalid, 10015, ErrInvalidRequest, "invalid official account ID"},
		{EndpointOfficialRecall, CodeOfficialMsgNotFound, 10030, ErrGone, "does not exist"},
		{EndpointOfficialRecall, CodeOfficialMsgTooOld, 10031, ErrRecallWindowExpired, "too old"},
		{EndpointOfficialRecall, CodeOfficialMsgNotRecallable, 10032, ErrNotRecallable, "cannot be recalled"},

		{EndpointPushRevoke, CodePushBodyNotJSON, 90001, ErrInvalidRequest, "not valid JSON"},
		{EndpointPushRevoke, CodePushAdminRequired, 90009, ErrPermission, "App admin"},
		{EndpointPushRevoke, CodePushTaskNotFound, 90049, ErrNotRecallable, "not revocable: the TaskId is unknown, or not one timpush/push returned"},
		{EndpointPushRevoke, CodePushTaskNotFound, 90049, ErrNotFound, "unknown"},
		{EndpointPushRevoke, CodePushAlreadyRevoked, 90050, ErrAlreadyRecalled, "already revoked"},
		{EndpointPushRevoke, CodePushRevokeTooFrequent, 90051, ErrRateLimited, "1 call per second"},
		{EndpointPushRevoke, CodePushRevokeWindowExpired, 90052, ErrRecallWindowExpired, "older than 24 hours"},
		{EndpointPushRevoke, CodePushOfflinePushInfoNeeded, 90053, ErrOfflinePushInfoRequired, "kept no roaming/unread copy, so the revoke must carry OfflinePushInfo"},
		{EndpointPushRevoke, CodePushInternalError, 91000, ErrTemporary, "internal error"},

		{EndpointC2CRecall, CodeC2CMsgNotFound, 20022, ErrNotFound, "does not exist"},
		{EndpointC2CRecall, CodeC2CAlreadyRecalled, 20023, ErrAlreadyRecalled, "already recalled"},
		{EndpointC2CRecall, CodeC2CBodyNotJSON, 90001, ErrInvalidRequest, "not valid JSON"},
		{EndpointC2CRecall, CodeC2CToAccountInvalid, 90003, ErrNotFound, "To_Account"},
		{EndpointC2CRecall, CodeC2CFromAccountInvalid, 90008, ErrNotFound, "From_Account"},
		{EndpointC2CRecall, CodeC2CAdminRequired, 90009, ErrPermission, "App admin"},
		{EndpointC2CRecall, CodeC2CMsgKeyInvalid, 90054, ErrInvalidRequest, "MsgKey invalid"},
		{EndpointC2CRecall, CodeC2CInternalError, 91000, ErrTemporary, "internal error"},

		{EndpointGroupRecall, CodeGroupInternalError, 10002, ErrTemporary, "internal error"},
		{EndpointGroupRecall, CodeGroupInvalidCommand, 10003, ErrInvalidRequest, "invalid command"},
		{EndpointGroupRecall, CodeGroupInvalidParameter, 10004, ErrInvalidRequest, "invalid parameter"},
		{EndpointGroupRecall, CodeGroupNoPermission, 10007, ErrPermission, "no permission"},
		{EndpointGroupRecall, CodeGroupNotFound, 10010, ErrNotFound, "group does not exist"},
		{EndpointGroupRecall, CodeGroupIDInvalid, 10015, ErrInvalidRequest, "invalid group ID"},
		{EndpointGroupRecall, CodeGroupMsgNotFound, 10030, ErrGone, "does not exist"},
		{EndpointGroupRecall, CodeGroupMsgTooOld, 10031, ErrRecallWindowExpired, "too old"},
		{EndpointGroupRecall, CodeGroupMsgNotRecallable, 10032, ErrNotRecallable, "cannot be recalled"},
		{EndpointGroupRecall, CodeGroupTypeNoRecall, 10033, ErrNotRecallable, "group type"},
		{EndpointGroupRecall, CodeGroupRecallForbidden, 10041, ErrNotRecallable, "forbid group recall"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.code, tt.constant)
		e := &APIError{Endpoint: tt.endpoint, Code: tt.code}
		assert.ErrorIs(t, e, tt.cat, "%s %d", tt.endpoint, tt.code)
		assert.Contains(t, e.Error(), tt.desc, "%s %d", tt.endpoint, tt.code)
		d, ok := DescribeCode(tt.endpoint, tt.code)
		assert.True(t, ok)
		assert.Contains(t, d, tt.desc)
	}
	// Every common code is documented on every Chat endpoint.
	for code := range commonCodes {
		for _, ep := range []string{EndpointGroupRecall, EndpointOfficialRecall, EndpointPushRevoke, EndpointC2CRecall} {
			_, ok := DescribeCode(ep, code)
			assert.True(t, ok, "%s %d", ep, code)
			assert.True(t, len((&APIError{Endpoint: ep, Code: code}).Description()) > 0)
		}
	}
}

func TestEndpointErrorsThroughTheWire(t *testing.T) {
	tests := []struct {
		name string
		path string
		code Code
		cat  error
		call func(*Client) error
	}{
		{"push already revoked", "/v4/timpush/revoke", 90050, ErrAlreadyRecalled, func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t"}))
		}},
		{"push needs offline info", "/v4/timpush/revoke", 90053, ErrOfflinePushInfoRequired, func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t"}))
		}},
		{"c2c already recalled", "/v4/openim/admin_msgwithdraw", 20023, ErrAlreadyRecalled, func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "k"}))
		}},
		{"c2c not found", "/v4/openim/admin_msgwithdraw", 20022, ErrNotFound, func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b", MsgKey: "k"}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("POST", sgpHost+tt.path, httpmock.NewStringResponder(200,
				`{"ActionStatus":"FAIL","ErrorCode":`+strconv.Itoa(int(tt.code))+`,"ErrorInfo":"from the service"}`))
			c := newMockClient(t, mt)
			err := tt.call(c)
			assert.ErrorIs(t, err, tt.cat)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, "from the service", apiErr.Info)
			assert.Equal(t, 200, apiErr.StatusCode)
		})
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	chinese := strings.Repeat("撤", 34) // 34 characters, 102 bytes
	tests := []struct {
		name  string
		field string
		text  string
		call  func(*Client) error
	}{
		{"official no account", "Account", "required", func(c *Client) error {
			_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{MsgKeys: []string{"k"}})
			return err
		}},
		{"official no keys", "MsgKeys", "at least one", func(c *Client) error {
			_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "a"})
			return err
		}},
		{"official empty key", "MsgKeys[1]", "empty", func(c *Client) error {
			_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "a", MsgKeys: []string{"k", ""}})
			return err
		}},
		{"official duplicate key", "MsgKeys[2]", `duplicate of MsgKeys[0] ("k")`, func(c *Client) error {
			_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "a", MsgKeys: []string{"k", "j", "k"}})
			return err
		}},
		{"official chinese reason 102 bytes", "Reason", "is 102 bytes; at most 100", func(c *Client) error {
			_, err := c.RecallOfficialAccountMessages(context.Background(), OfficialAccountRecall{Account: "a", MsgKeys: []string{"k"}, Reason: chinese})
			return err
		}},
		{"push no task", "TaskID", "required", func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{}))
		}},
		{"push bad flag", "OfflinePushInfo.PushFlag", "got 2", func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t", OfflinePushInfo: &OfflinePushInfo{PushFlag: 2}}))
		}},
		{"push bad ext", "OfflinePushInfo.Ext", "JSON", func(c *Client) error {
			return errOf(c.RevokeChatPush(context.Background(), ChatPushRevoke{TaskID: "t", OfflinePushInfo: &OfflinePushInfo{Ext: "{oops"}}))
		}},
		{"c2c no from", "From", "From_Account", func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{To: "b", MsgKey: "k"}))
		}},
		{"c2c no to", "To", "To_Account", func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", MsgKey: "k"}))
		}},
		{"c2c no key", "MsgKey", "required", func(c *Client) error {
			return errOf(c.RecallC2CMessage(context.Background(), C2CRecall{From: "a", To: "b"}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			c := newMockClient(t, mt)
			err := tt.call(c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, err.Error(), tt.text)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
	// 33 Chinese characters are 99 bytes: accepted.
	assert.NoError(t, validateReason("m", strings.Repeat("撤", 33)))
}

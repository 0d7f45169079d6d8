package moderation

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
)

// newClient is the whole set-up: a client whose HTTP client is mocked.
func newClient(t *testing.T) *chatrecall.Client {
	t.Helper()
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := chatrecall.NewClient(
		chatrecall.Config{SDKAppID: 1400000000, SecretKey: "test-key", Region: chatrecall.RegionSingapore},
		chatrecall.WithHTTPClient(hc),
		chatrecall.WithRetry(chatrecall.NoRetry()), // one mocked answer per call
	)
	require.NoError(t, err)
	return c
}

func TestTakeDownCountsEachMessage(t *testing.T) {
	c := newClient(t)
	// The URL carries sdkappid, identifier, usersig, random and contenttype;
	// httpmock matches the path whatever the query.
	httpmock.RegisterResponder("POST", "https://adminapisgp.im.qcloud.com/v4/group_open_http_svc/group_msg_recall",
		func(req *http.Request) (*http.Response, error) {
			assert.Equal(t, "1400000000", req.URL.Query().Get("sdkappid"))
			return httpmock.NewStringResponse(200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",
				"RecallRetList":[{"MsgSeq":1,"RetCode":0},{"MsgSeq":2,"RetCode":10030},{"MsgSeq":3,"RetCode":10031}]}`), nil
		})

	r, err := TakeDown(context.Background(), c, "@TGS#spam", []uint64{1, 2, 3})
	require.NoError(t, err)
	assert.Equal(t, Report{Recalled: 1, AlreadyGone: 1, Failed: 1}, r)
	assert.Equal(t, 1, httpmock.GetTotalCallCount())
}

func TestTakeDownWhenTheServiceRefuses(t *testing.T) {
	c := newClient(t)
	httpmock.RegisterResponder("POST", `=~/group_msg_recall\z`,
		httpmock.NewStringResponder(200, `{"ActionStatus":"FAIL","ErrorCode":60010,"ErrorInfo":"not an admin"}`))

	r, err := TakeDown(context.Background(), c, "@TGS#spam", []uint64{1, 2})
	require.ErrorIs(t, err, chatrecall.ErrPermission, "a whole-request failure is returned, not swallowed")
	assert.Equal(t, Report{Failed: 2}, r, "every message has an outcome")
}

func TestTakeDownOfAGroupThatDoesNotExist(t *testing.T) {
	c := newClient(t)
	httpmock.RegisterResponder("POST", `=~/group_msg_recall\z`,
		httpmock.NewStringResponder(200, `{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"group does not exist"}`))

	r, err := TakeDown(context.Background(), c, "@TGS#typo", []uint64{1, 2})
	require.ErrorIs(t, err, chatrecall.ErrNotFound)
	assert.Equal(t, Report{Failed: 2}, r, "a missing group is not 'already gone'")
}

func TestTakeDownOfBadInputSendsNothing(t *testing.T) {
	c := newClient(t)
	r, err := TakeDown(context.Background(), c, "@TGS#spam", []uint64{1, 0})
	require.ErrorIs(t, err, chatrecall.ErrInvalidRequest)
	assert.Equal(t, Report{Failed: 2}, r)
	assert.Zero(t, httpmock.GetTotalCallCount())
}

package chatrecall_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

func TestRepeats(t *testing.T) {
	api := func(endpoint string, code chatrecall.Code) error {
		return &chatrecall.APIError{Endpoint: endpoint, Code: code}
	}
	wrongKey := api(chatrecall.EndpointC2CRecall, chatrecall.CodeUserSigWrongKey)
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"wrong key", wrongKey, true},
		{"wrong key, wrapped", fmt.Errorf("recalling: %w", wrongKey), true},
		{"wrong key, one item's", &chatrecall.ItemError{Item: "MsgSeq 1", Err: wrongKey}, true},
		{"invalid UserSig", api(chatrecall.EndpointGroupRecall, chatrecall.CodeUserSigInvalid), true},
		{"expired UserSig: renewed", api(chatrecall.EndpointGroupRecall, chatrecall.CodeUserSigExpired), false},
		{"too many failed verifications", api(chatrecall.EndpointC2CRecall, chatrecall.CodeTooManyFailedVerifications), true},
		{"app disabled", api(chatrecall.EndpointGroupRecall, chatrecall.CodeSDKAppIDDisabled), true},
		{"needs the App admin", api(chatrecall.EndpointC2CRecall, chatrecall.CodeAdminRequired), true},
		{"body not JSON", api(chatrecall.EndpointGroupRecall, chatrecall.CodeBodyNotJSON), true},
		{"group does not exist", api(chatrecall.EndpointGroupRecall, chatrecall.CodeGroupNotFound), true},
		{"group type cannot recall", api(chatrecall.EndpointGroupRecall, chatrecall.CodeGroupTypeNoRecall), true},
		{"official account does not exist", api(chatrecall.EndpointOfficialRecall, chatrecall.CodeOfficialAccountNotFound), true},
		{"group message not found", api(chatrecall.EndpointGroupRecall, chatrecall.CodeGroupMsgNotFound), false},
		{"group internal error", api(chatrecall.EndpointGroupRecall, chatrecall.CodeGroupInternalError), false},
		{"one-to-one already recalled", api(chatrecall.EndpointC2CRecall, chatrecall.CodeC2CAlreadyRecalled), false},
		{"REST frequency", api(chatrecall.EndpointGroupRecall, chatrecall.CodeRESTFrequencyExceeded), false},
		{"server timeout", api(chatrecall.EndpointC2CRecall, chatrecall.CodeServerTimeout), false},
		{"HTTP 401", &chatrecall.HTTPError{Endpoint: chatrecall.EndpointGroupRecall, StatusCode: http.StatusUnauthorized}, true},
		{"HTTP 403", &chatrecall.HTTPError{Endpoint: chatrecall.EndpointGroupRecall, StatusCode: http.StatusForbidden}, true},
		{"HTTP 429", &chatrecall.HTTPError{Endpoint: chatrecall.EndpointGroupRecall, StatusCode: http.StatusTooManyRequests}, false},
		{"HTTP 502", &chatrecall.HTTPError{Endpoint: chatrecall.EndpointGroupRecall, StatusCode: http.StatusBadGateway}, false},
		{"transport", &chatrecall.TransportError{Endpoint: chatrecall.EndpointGroupRecall, Err: errors.New("connection reset")}, false},
		{"cancelled", context.Canceled, false},
		{"invalid input", &chatrecall.ValidationError{Method: "RecallGroupMessages", Field: "GroupID", Problem: "is required"}, false},
		{"partial, stopped by a wrong key", &chatrecall.PartialError{Cause: wrongKey, Errs: []error{&chatrecall.ItemError{Item: "MsgSeq 1", Err: wrongKey}}}, true},
		{"partial, stopped by the context", &chatrecall.PartialError{Cause: context.Canceled, Errs: []error{&chatrecall.ItemError{Item: "MsgSeq 1", Err: wrongKey}}}, false},
		{"partial, every item tried", &chatrecall.PartialError{Errs: []error{&chatrecall.ItemError{Item: "MsgSeq 1", Err: api(chatrecall.EndpointGroupRecall, chatrecall.CodeGroupMsgNotFound)}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, chatrecall.Repeats(tc.err))
		})
	}
}

// TestRepeatsFromTheService: what the SDK returns for a wrong key repeats,
// for a single-item call and as a multi-item call's cause; a message that
// is not there does not.
func TestRepeatsFromTheService(t *testing.T) {
	srv := chatrecalltest.NewServer(chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	ctx := context.Background()

	good, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	_, err = good.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"})
	require.Error(t, err)
	assert.False(t, chatrecall.Repeats(err), "%v", err)

	cfg := srv.Config()
	cfg.SecretKey = "wrong-secret-value"
	bad, err := chatrecall.NewClient(cfg)
	require.NoError(t, err)
	_, err = bad.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: "alice", To: "bob", MsgKey: "1_2_3"})
	require.Error(t, err)
	assert.True(t, chatrecall.Repeats(err), "%v", err)
	_, err = bad.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: "@TGS#1", MsgSeqs: []uint64{1, 2, 3}})
	var partial *chatrecall.PartialError
	require.ErrorAs(t, err, &partial)
	assert.True(t, chatrecall.Repeats(err), "%v", err)
}

package chatrecall_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// TestTPNSNotConfiguredSaysItOnce: the error names the method once, with
// one "chatrecall:" prefix.
func TestTPNSNotConfiguredSaysItOnce(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	c, err := chatrecall.NewClient(chatrecall.Config{SDKAppID: chatrecalltest.DefaultSDKAppID, SecretKey: chatrecalltest.DefaultSecretKey, Region: chatrecall.RegionSingapore})
	require.NoError(t, err)
	_, err = c.StopTPNSPush(context.Background(), "1001")
	require.ErrorIs(t, err, chatrecall.ErrTPNSNotConfigured)
	assert.Equal(t, 1, strings.Count(err.Error(), "chatrecall:"), err.Error())
	assert.Equal(t, "chatrecall: StopTPNSPush: TPNS is not configured: set Config.TPNS (AccessID, SecretKey, Region)", err.Error())
}

// TestFakeMessageStateString: every value prints, out of range included.
func TestFakeMessageStateString(t *testing.T) {
	assert.Equal(t, "recalled", chatrecalltest.MessageRecalled.String())
	assert.Equal(t, "MessageState(9)", chatrecalltest.MessageState(9).String())
	assert.Equal(t, "MessageState(-1)", chatrecalltest.MessageState(-1).String())
}

package chatrecall_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContainmentEndpoints: the exact requests of setnospeaking,
// getnospeaking and kick, what they read back, and their codes.
func TestContainmentEndpoints(t *testing.T) {
	clock := chatrecalltest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	srv := chatrecalltest.NewServer(chatrecalltest.WithClock(clock), chatrecalltest.WithoutRateLimits())
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config(), chatrecall.WithClock(clock), chatrecall.WithoutRateLimits())
	require.NoError(t, err)
	ctx := context.Background()

	_, err = c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "mallory", Group: chatrecall.MuteSeconds(7200)})
	require.NoError(t, err)
	reqs := srv.RequestsTo(chatrecall.EndpointSetNoSpeaking)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v4/openconfigsvr/setnospeaking", reqs[0].Path)
	assert.Equal(t, map[string]any{"Set_Account": "mallory", "GroupmsgNospeakingTime": float64(7200)}, reqs[0].JSON, "only what was given")

	clock.Advance(4 * time.Second)
	got, err := c.GetNoSpeaking(ctx, "mallory")
	require.NoError(t, err)
	assert.Equal(t, chatrecall.NoSpeaking{C2C: 0, Group: 7196}, *got, "the seconds left")
	assert.Equal(t, map[string]any{"Get_Account": "mallory"}, srv.RequestsTo(chatrecall.EndpointGetNoSpeaking)[0].JSON)
	assert.Equal(t, "one-to-one none, groups 7196s", got.String())

	_, err = c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "mallory", C2C: chatrecall.MuteSeconds(chatrecall.MuteForever), Group: chatrecall.MuteSeconds(0)})
	require.NoError(t, err)
	got, err = c.GetNoSpeaking(ctx, "mallory")
	require.NoError(t, err)
	assert.Equal(t, "one-to-one permanent, groups none", got.String())

	_, err = c.Kick(ctx, "mallory")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"UserID": "mallory"}, srv.RequestsTo(chatrecall.EndpointKick)[0].JSON)
	assert.Equal(t, 1, srv.Kicks("mallory"))

	// Codes: 130014 is retried; 130005 is the account's; 70107 on kick.
	srv.FailNext(chatrecall.EndpointSetNoSpeaking, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeMuteSystemError})
	_, err = c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "mallory", C2C: chatrecall.MuteSeconds(60)})
	require.NoError(t, err, "130014 retried")
	srv.FailNext(chatrecall.EndpointSetNoSpeaking, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeMuteAccountInvalid})
	_, err = c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "nobody", C2C: chatrecall.MuteSeconds(60)})
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)
	srv.FailNext(chatrecall.EndpointKick, 1, chatrecalltest.Fault{Kind: chatrecalltest.FaultCode, Code: chatrecall.CodeAccountNotFound})
	_, err = c.Kick(ctx, "nobody")
	assert.ErrorIs(t, err, chatrecall.ErrNotFound)
}

func TestContainmentBadInputSendsNothing(t *testing.T) {
	srv := chatrecalltest.NewServer()
	defer srv.Close()
	c, err := chatrecall.NewClient(srv.Config())
	require.NoError(t, err)
	ctx := context.Background()
	for _, tc := range []struct {
		name, field string
		err         error
	}{
		{"set: no account", "Account", func() error {
			_, err := c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{C2C: chatrecall.MuteSeconds(1)})
			return err
		}()},
		{"set: no time", "C2C", func() error { _, err := c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "m"}); return err }()},
		{"set: control character", "Account", func() error {
			_, err := c.SetNoSpeaking(ctx, chatrecall.SetNoSpeaking{Account: "m\x00", C2C: chatrecall.MuteSeconds(1)})
			return err
		}()},
		{"get: no account", "account", func() error { _, err := c.GetNoSpeaking(ctx, ""); return err }()},
		{"kick: bad UTF-8", "account", func() error { _, err := c.Kick(ctx, "\xff"); return err }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *chatrecall.ValidationError
			require.ErrorAs(t, tc.err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Empty(t, srv.Requests())
}

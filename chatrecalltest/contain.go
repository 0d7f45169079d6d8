package chatrecalltest

import (
	"encoding/json"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file models containment: an account's global mute (setnospeaking,
// getnospeaking), kept as an end time on the server's clock and read back
// as the seconds it has left, and kick, counted per account.

// mute is an account's global mute: when each one ends (zero: none), or
// forever.
type mute struct {
	c2c, group               time.Time
	c2cForever, groupForever bool
}

// left is how many whole seconds a mute has left at now.
func left(until time.Time, forever bool, now time.Time) uint32 {
	switch {
	case forever:
		return chatrecall.MuteForever
	case until.IsZero() || !until.After(now):
		return 0
	}
	return uint32(until.Sub(now) / time.Second)
}

func (m *mute) set(c2c, group *uint32, now time.Time) {
	put := func(v *uint32, until *time.Time, forever *bool) {
		if v == nil {
			return
		}
		*forever = *v == chatrecall.MuteForever
		*until = time.Time{}
		if *v != 0 && !*forever {
			*until = now.Add(time.Duration(*v) * time.Second)
		}
	}
	put(c2c, &m.c2c, &m.c2cForever)
	put(group, &m.group, &m.groupForever)
}

func (s *Server) muteOf(account string) *mute {
	m := s.state.mutes[account]
	if m == nil {
		m = &mute{}
		s.state.mutes[account] = m
	}
	return m
}

func (s *Server) applySetNoSpeaking(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account string  `json:"Set_Account"`
		C2C     *uint32 `json:"C2CmsgNospeakingTime"`
		Group   *uint32 `json:"GroupmsgNospeakingTime"`
	}
	switch {
	case json.Unmarshal(body, &req) != nil:
		return failWith(chatrecall.CodeMuteBodyNotJSON, "body is not JSON")
	case req.Account == "":
		return failWith(chatrecall.CodeMuteAccountMissing, "Set_Account is missing")
	case req.C2C == nil && req.Group == nil:
		return failWith(chatrecall.CodeMuteNoTime, "neither C2CmsgNospeakingTime nor GroupmsgNospeakingTime was given")
	}
	s.muteOf(req.Account).set(req.C2C, req.Group, s.clock.Now())
	// As the documented sample: no ActionStatus.
	return map[string]any{"ErrorCode": 0, "ErrorInfo": ""}, 0, []string{req.Account}
}

func (s *Server) applyGetNoSpeaking(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Account string `json:"Get_Account"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Account == "" {
		return failWith(chatrecall.CodeMuteAccountMissing, "Get_Account is missing")
	}
	c2c, group := s.noSpeaking(req.Account)
	return map[string]any{"ErrorCode": 0, "ErrorInfo": "", "C2CmsgNospeakingTime": c2c, "GroupmsgNospeakingTime": group}, 0, nil
}

func (s *Server) noSpeaking(account string) (c2c, group uint32) {
	m := s.state.mutes[account]
	if m == nil {
		return 0, 0
	}
	now := s.clock.Now()
	return left(m.c2c, m.c2cForever, now), left(m.group, m.groupForever, now)
}

func (s *Server) applyKick(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		UserID string `json:"UserID"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UserID == "" {
		return failWith(chatrecall.CodeInvalidParameter, "UserID is required")
	}
	s.state.kicks[req.UserID]++
	return okEnvelope(), 0, []string{req.UserID}
}

// NoSpeaking returns an account's global mute as getnospeaking would
// answer it now: the seconds each has left, 0 for none,
// chatrecall.MuteForever for permanent.
func (s *Server) NoSpeaking(account string) (c2c, group uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.noSpeaking(account)
}

// SetNoSpeakingState mutes an account as setnospeaking would (seconds
// from now; 0 none; chatrecall.MuteForever permanent), for a test's
// starting state.
func (s *Server) SetNoSpeakingState(account string, c2c, group uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.muteOf(account).set(&c2c, &group, s.clock.Now())
}

// Kicks counts the kicks an account received.
func (s *Server) Kicks(account string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.kicks[account]
}

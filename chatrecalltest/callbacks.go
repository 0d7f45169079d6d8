package chatrecalltest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
)

// callbackSink is where the server posts callbacks, as Tencent does.
type callbackSink struct {
	url    string
	token  string
	client *http.Client
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// WithCallback makes the server post Tencent's callbacks to url: signed
// after-send events for the messages sent through it (SendGroupMessage,
// SendC2CMessage, SendOfficialMessage) and after-recall events for the
// recalls it performs. token is the console's callback token ("" for
// authentication off).
func WithCallback(url, token string) Option {
	return func(s *Server) {
		s.callbacks.url, s.callbacks.token = url, token
		s.callbacks.client = &http.Client{Timeout: 2 * time.Second} // Tencent's callback timeout
	}
}

// CallbackErrors lists the callbacks the receiver refused or did not
// answer with the documented OK.
func (s *Server) CallbackErrors() []error {
	s.callbacks.mu.Lock()
	defer s.callbacks.mu.Unlock()
	return append([]error(nil), s.callbacks.errs...)
}

// WaitCallbacks waits for the callbacks in flight (after-recall events are
// posted after the recall is answered, as Tencent does).
func (s *Server) WaitCallbacks() { s.callbacks.wg.Wait() }

// post delivers one callback and records a failure.
func (s *Server) post(command string, body map[string]any) {
	c := &s.callbacks
	if c.url == "" {
		return
	}
	body["CallbackCommand"] = command
	if _, ok := body["EventTime"]; !ok {
		body["EventTime"] = s.clock.Now().UnixMilli()
	}
	b, _ := json.Marshal(body)
	q := url.Values{"SdkAppid": {strconv.FormatUint(s.appID, 10)}, "CallbackCommand": {command}, "contenttype": {"json"},
		"ClientIP": {"127.0.0.1"}, "OptPlatform": {"RESTAPI"}}
	if c.token != "" {
		rt := strconv.FormatInt(s.clock.Now().Unix(), 10)
		q.Set("RequestTime", rt)
		q.Set("Sign", callbackSign(c.token, rt))
	}
	resp, err := c.client.Post(c.url+"?"+q.Encode(), "application/json", bytes.NewReader(b))
	if err == nil {
		var reply struct{ ActionStatus string }
		derr := json.NewDecoder(resp.Body).Decode(&reply)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || derr != nil || reply.ActionStatus != "OK" {
			err = fmt.Errorf("%s: HTTP %d, ActionStatus %q", command, resp.StatusCode, reply.ActionStatus)
		}
	}
	if err != nil {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
	}
}

// SendGroupMessage adds a message from sender to a group at time at (as if
// a client sent it), posts its Group.CallbackAfterSendMsg, and returns its
// sequence number: one past the group's highest.
func (s *Server) SendGroupMessage(groupID, sender string, at time.Time) uint64 {
	return s.SendTopicMessage(groupID, "", sender, at)
}

// SendTopicMessage adds a message to a topic of a topic-enabled Community
// group (topicID empty: to the group itself), posts its
// Group.CallbackAfterSendMsg with the TopicId, and returns its sequence
// number: one past the topic's highest. A topic numbers its messages apart
// from the group and from the other topics.
func (s *Server) SendTopicMessage(groupID, topicID, sender string, at time.Time) uint64 {
	s.mu.Lock()
	st := s.groupStore(groupID, topicID)
	seq := st.next()
	st.add(&stored{seq: seq, sender: sender, at: at.Truncate(time.Second), random: uint32(seq * 7919 % 4294967296), state: MessagePresent})
	typ := s.state.groups[groupID].Type
	s.mu.Unlock()
	event := map[string]any{"GroupId": groupID, "Type": typ, "From_Account": sender, "Operator_Account": sender,
		"Random": seq * 7919 % 4294967296, "MsgSeq": seq, "MsgTime": at.Unix(), "OnlineOnlyFlag": 0, "MsgBody": []any{},
		"EventTime": strconv.FormatInt(at.UnixMilli(), 10)}
	if topicID != "" {
		event["TopicId"] = topicID
	}
	s.post(webhookGroupAfterSend, event)
	return seq
}

// SendC2CMessage adds a one-to-one message, posts its
// C2C.CallbackAfterSendMsg, and returns its MsgKey.
func (s *Server) SendC2CMessage(from, to string, at time.Time) string {
	s.mu.Lock()
	s.state.seq++
	seq := s.state.seq
	key := fmt.Sprintf("%d_%d_%d", seq, seq*7919%1000000, at.Unix())
	s.state.addC2C(&stored{seq: uint64(seq), key: key, sender: from, to: to, at: at.Truncate(time.Second), random: uint32(seq * 7919 % 1000000), state: MessagePresent})
	s.mu.Unlock()
	s.post(webhookC2CAfterSend, map[string]any{"From_Account": from, "To_Account": to, "MsgSeq": seq, "MsgRandom": seq * 7919 % 1000000,
		"MsgTime": at.Unix(), "MsgKey": key, "OnlineOnlyFlag": 0, "SendMsgResult": 0, "ErrorInfo": "send msg succeed", "UnreadMsgNum": 1, "MsgBody": []any{}})
	return key
}

// SendOfficialMessage adds a message of an official account, posts its
// OfficialAccount.CallbackAfterSendMsg, and returns its MsgKey.
func (s *Server) SendOfficialMessage(account string, at time.Time) string {
	s.mu.Lock()
	a := s.officialAccount(account)
	seq := a.store.next()
	key := fmt.Sprintf("%d_1_%d", seq, at.Unix())
	a.store.add(&stored{seq: seq, key: key, sender: account, at: at.Truncate(time.Second), state: MessagePresent})
	s.mu.Unlock()
	s.post(webhookOfficialAfterSend, map[string]any{"Official_Account": account, "MsgKey": key, "MsgTime": at.Unix(),
		"OnlineOnlyFlag": 0, "MsgBody": []any{}, "EventTime": at.UnixMilli()})
	return key
}

// recallCallback posts the after-recall event of a recall the server
// performed, after its answer (Tencent posts after-events asynchronously).
func (s *Server) recallCallback(ep string, body []byte, applied []string) {
	if s.callbacks.url == "" {
		return
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(body, &req) != nil {
		return
	}
	str := func(k string) string {
		var v string
		_ = json.Unmarshal(req[k], &v)
		return v
	}
	var command string
	var event map[string]any
	switch ep {
	case chatrecall.EndpointGroupRecall:
		list := make([]map[string]any, 0, len(applied))
		for _, a := range applied {
			n, _ := strconv.ParseUint(a, 10, 64)
			list = append(list, map[string]any{"MsgSeq": n})
		}
		command = webhookGroupAfterRecall
		event = map[string]any{"Operator_Account": "administrator", "Type": "Public", "GroupId": str("GroupId"), "MsgSeqList": list}
		if topic := str("TopicId"); topic != "" {
			event["TopicId"] = topic // the topic its seqs belong to
		}
	case chatrecall.EndpointC2CRecall:
		command = webhookC2CAfterWithdraw
		event = map[string]any{"From_Account": str("From_Account"), "To_Account": str("To_Account"), "MsgKey": str("MsgKey"), "UnreadMsgNum": 0}
	case chatrecall.EndpointOfficialRecall:
		list := make([]map[string]any, 0, len(applied))
		for _, a := range applied {
			list = append(list, map[string]any{"MsgKey": a})
		}
		command = webhookOfficialAfterWithdraw
		event = map[string]any{"Official_Account": str("Official_Account"), "WithdrawMsgList": list}
	default:
		return
	}
	s.callbacks.wg.Add(1)
	go func() {
		defer s.callbacks.wg.Done()
		s.post(command, event)
	}()
}

// The callback commands (webhook.Command*; the fake does not import the
// webhook package, which is tested against it).
const (
	webhookGroupAfterSend        = "Group.CallbackAfterSendMsg"
	webhookC2CAfterSend          = "C2C.CallbackAfterSendMsg"
	webhookOfficialAfterSend     = "OfficialAccount.CallbackAfterSendMsg"
	webhookGroupAfterRecall      = "Group.CallbackAfterRecallMsg"
	webhookC2CAfterWithdraw      = "C2C.CallbackAfterMsgWithDraw"
	webhookOfficialAfterWithdraw = "OfficialAccount.CallbackAfterMsgWithDraw"
)

// callbackSign is Tencent's callback Sign: lowercase hex SHA-256 of token
// and RequestTime.
func callbackSign(token, requestTime string) string {
	sum := sha256.Sum256([]byte(token + requestTime))
	return hex.EncodeToString(sum[:])
}

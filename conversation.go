package chatrecall

import "strconv"

// Kinds of conversation.
const (
	KindGroup    = "group"
	KindC2C      = "c2c"
	KindOfficial = "official"
)

// Conversation names where messages are: a group (GroupID, with TopicID
// for a topic), an official account (Official), or a one-to-one
// conversation (Account and Peer). Exactly one kind is set.
type Conversation struct {
	GroupID  string `json:"group,omitempty"`
	TopicID  string `json:"topic,omitempty"`
	Official string `json:"official,omitempty"`
	// Account is the one-to-one view read (Operator_Account); Peer the other
	// party. Either may have sent a message.
	Account string `json:"account,omitempty"`
	Peer    string `json:"peer,omitempty"`
}

// Kind returns KindGroup, KindC2C or KindOfficial (KindGroup when nothing
// else is set).
func (c Conversation) Kind() string {
	switch {
	case c.Account != "" || c.Peer != "":
		return KindC2C
	case c.Official != "":
		return KindOfficial
	}
	return KindGroup
}

// String describes the conversation, such as "group @TGS#x".
func (c Conversation) String() string {
	switch c.Kind() {
	case KindC2C:
		return "one-to-one " + strconv.Quote(c.Account) + " and " + strconv.Quote(c.Peer)
	case KindOfficial:
		return "official account " + strconv.Quote(c.Official)
	}
	if c.TopicID != "" {
		return "group " + strconv.Quote(c.GroupID) + " topic " + strconv.Quote(c.TopicID)
	}
	return "group " + strconv.Quote(c.GroupID)
}

// Validate checks that exactly one kind of conversation is named, with
// every field it needs, in text that can go on the wire. It returns a
// *ValidationError naming the field.
func (c Conversation) Validate() error { return c.validate("Conversation") }

func (c Conversation) validate(method string) error {
	for _, f := range [...]struct{ name, v string }{{"GroupID", c.GroupID}, {"TopicID", c.TopicID}, {"Official", c.Official}, {"Account", c.Account}, {"Peer", c.Peer}} {
		if err := checkText(method, f.name, f.v); err != nil {
			return err
		}
	}
	kinds := 0
	for _, set := range [...]bool{c.GroupID != "" || c.TopicID != "", c.Official != "", c.Account != "" || c.Peer != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return invalidf(method, "Conversation", "names more than one kind of conversation (%s); set GroupID, Official, or Account and Peer", c.String())
	case c.Kind() == KindC2C && c.Account == "":
		return invalidf(method, "Account", "is required for a one-to-one conversation (Operator_Account, whose view is read), got an empty string")
	case c.Kind() == KindC2C && c.Peer == "":
		return invalidf(method, "Peer", "is required for a one-to-one conversation (Peer_Account), got an empty string")
	case c.Kind() == KindC2C && c.Peer == c.Account:
		return invalidf(method, "Peer", "is %q, the same account as Account: a one-to-one conversation has two parties", c.Peer)
	case c.Kind() == KindGroup && c.GroupID == "":
		return invalidf(method, "GroupID", "is required (the group, such as @TGS#2J4SZEAEL; or set Official, or Account and Peer), got an empty string")
	}
	return nil
}

// CheckText reports, as a *ValidationError of method and field, whether s
// can go on the wire as an ID or a text: valid UTF-8 without control
// characters. Workflow packages (sweep) use it to check their own input
// with the client's rules.
func CheckText(method, field, s string) error { return checkText(method, field, s) }

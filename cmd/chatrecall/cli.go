package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitUnknown = 3
)

const usageText = `chatrecall: recall messages through Tencent Cloud's recall APIs

Usage:
  chatrecall [flags] group       --group ID (--seq 100,101,200-210 | --seqs-from FILE|-) [--topic ID] [--reason TEXT]
  chatrecall [flags] official    --account ID (--keys K1,K2 | --keys-from FILE|-) [--reason TEXT]
  chatrecall [flags] c2c         --from USER --to USER --key MSGKEY
  chatrecall [flags] push-revoke --task TASKID [--title T] [--desc D] [--ext JSON]
  chatrecall [flags] tpns stop|revoke|cancel|record --push ID
  chatrecall [flags] tpns override --push ID --title T --content C [--audience all] [--force-collapse]

Flags (before or after the subcommand):
  --json                one JSON object per item on stdout (JSON Lines)
  --dry-run             validate and print the requests that would be sent; send nothing
  --demo                use an in-process fake service, seeded (see below); no credentials
  --sdkappid N          overrides CHATRECALL_SDKAPPID
  --identifier NAME     overrides CHATRECALL_IDENTIFIER (default administrator)
  --region NAME         overrides CHATRECALL_REGION (singapore, china, ap-tokyo, ...)
  --secret-key-file F   read the secret key from F instead of CHATRECALL_SECRET_KEY
  --tpns-access-id ID   overrides CHATRECALL_TPNS_ACCESS_ID
  --tpns-region NAME    overrides CHATRECALL_TPNS_REGION (guangzhou, shanghai, hongkong, singapore)
  --tpns-secret-key-file F  read the TPNS secret from F instead of CHATRECALL_TPNS_SECRET_KEY
  --timeout D           per-attempt timeout (default 10s)
  --base-url URL        send Chat requests here instead of the region's domain (a proxy)
  --tpns-base-url URL   send TPNS requests here instead of the access point

--demo seeds: group @TGS#demo (seqs 1-2000), group @TGS#live (forbids recall),
official account @TOA#_demo (keys k1-k20), c2c alice->bob (keys 1_1_1, 1_1_2),
push tasks demo-task and demo-task-bare (kept no copies), TPNS pushes 1001 (in
delivery), 1002 (finished), 1003 (scheduled), 1004 (collapse ID 42), 1005 (token list).

Exit codes: 0 all done, 1 some failed, 2 usage or configuration error, 3 some outcome unknown.
`

// options are the flags every subcommand accepts.
type options struct {
	json, dryRun, demo              bool
	sdkAppID, identifier, region    string
	secretKeyFile                   string
	tpnsAccessID, tpnsRegion        string
	tpnsSecretKeyFile               string
	baseURL, tpnsBaseURL            string
	timeout                         time.Duration
	group, seqs, seqsFrom, topic    string
	reason, account, keys, keysFrom string
	from, to, key, task             string
	title, desc, ext, push, content string
	audience                        string
	forceCollapse                   bool
}

func commonFlags(fs *flag.FlagSet, o *options) {
	fs.BoolVar(&o.json, "json", o.json, "")
	fs.BoolVar(&o.dryRun, "dry-run", o.dryRun, "")
	fs.BoolVar(&o.demo, "demo", o.demo, "")
	fs.StringVar(&o.sdkAppID, "sdkappid", o.sdkAppID, "")
	fs.StringVar(&o.identifier, "identifier", o.identifier, "")
	fs.StringVar(&o.region, "region", o.region, "")
	fs.StringVar(&o.secretKeyFile, "secret-key-file", o.secretKeyFile, "")
	fs.StringVar(&o.tpnsAccessID, "tpns-access-id", o.tpnsAccessID, "")
	fs.StringVar(&o.tpnsRegion, "tpns-region", o.tpnsRegion, "")
	fs.StringVar(&o.tpnsSecretKeyFile, "tpns-secret-key-file", o.tpnsSecretKeyFile, "")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "")
	fs.StringVar(&o.baseURL, "base-url", o.baseURL, "")
	fs.StringVar(&o.tpnsBaseURL, "tpns-base-url", o.tpnsBaseURL, "")
}

// usageErr is a problem with the command line or the configuration.
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageErr{fmt.Sprintf(format, args...)}
}

// command is a parsed subcommand, ready to run against a client.
type command struct {
	name  string // group, official, c2c, push-revoke, tpns stop, ...
	tpns  bool   // needs TPNS credentials rather than Chat ones
	total int    // items, for the progress bar
	exec  func(ctx context.Context, c *chatrecall.Client, rep *reporter) error
}

func run(ctx context.Context, args []string, e env) int {
	o := options{timeout: chatrecall.DefaultTimeout, audience: chatrecall.TPNSAudienceAll}
	cmd, err := parse(args, &o, e)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, usageText)
		return exitOK
	}
	if err != nil {
		say(e.stderr, err)
		return exitUsage
	}
	cfg, cleanup, err := configure(&o, cmd, e)
	if err != nil {
		say(e.stderr, err)
		return exitUsage
	}
	defer cleanup()

	// One run, one client: its own limiter (run is also called many times
	// in one test process, where a shared one would carry waits across).
	opts := []chatrecall.Option{chatrecall.WithTimeout(o.timeout), chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil))}
	var dry *dryTransport
	if o.dryRun {
		dry = &dryTransport{}
		opts = append(opts, chatrecall.WithHTTPClient(&http.Client{Transport: dry}), chatrecall.WithRetry(chatrecall.NoRetry()),
			chatrecall.WithConcurrency(1), // requests listed in order
			chatrecall.WithLimiter(chatrecall.LimiterFunc(func(context.Context, chatrecall.LimitRequest) error { return nil })))
	}
	client, err := chatrecall.NewClient(cfg, opts...)
	if err != nil {
		say(e.stderr, err)
		return exitUsage
	}
	rep := &reporter{json: o.json, out: e.stdout}
	if e.tty && !o.dryRun && cmd.total > 10 {
		rep.bar = newProgress(e.stderr, cmd.total)
	}
	err = cmd.exec(ctx, client, rep)
	if rep.bar != nil {
		rep.bar.finish()
	}
	var ve *chatrecall.ValidationError
	if errors.As(err, &ve) || errors.As(err, new(*usageErr)) {
		say(e.stderr, err)
		return exitUsage
	}
	if o.dryRun {
		dry.print(e.stdout, o.json)
		return exitOK
	}
	if err != nil && len(rep.rows) == 0 {
		rep.add(row{Endpoint: cmd.name, Item: "-"}, err)
	}
	rep.flush()
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "chatrecall: interrupted: %s\n", rep.summary())
	}
	return rep.exitCode()
}

// say prints err as one line with a single "chatrecall: " prefix.
func say(w io.Writer, err error) {
	fmt.Fprintln(w, "chatrecall: "+strings.TrimPrefix(err.Error(), "chatrecall: "))
}

func parse(args []string, o *options, e env) (*command, error) {
	global := flag.NewFlagSet("chatrecall", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	commonFlags(global, o)
	if err := global.Parse(args); err != nil {
		return nil, flagErr("", err)
	}
	rest := global.Args()
	if len(rest) == 0 {
		return nil, usagef("no subcommand; use group, official, c2c, push-revoke or tpns (chatrecall -h for help)")
	}
	name := rest[0]
	rest = rest[1:]
	if name == "tpns" {
		if len(rest) == 0 {
			return nil, usagef("tpns: no operation; use stop, revoke, cancel, record or override")
		}
		name, rest = "tpns "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	commonFlags(fs, o)
	str := func(p *string, flagName string) { fs.StringVar(p, flagName, "", "") }
	switch name {
	case "group":
		str(&o.group, "group")
		str(&o.seqs, "seq")
		str(&o.seqsFrom, "seqs-from")
		str(&o.topic, "topic")
		str(&o.reason, "reason")
	case "official":
		str(&o.account, "account")
		str(&o.keys, "keys")
		str(&o.keysFrom, "keys-from")
		str(&o.reason, "reason")
	case "c2c":
		str(&o.from, "from")
		str(&o.to, "to")
		str(&o.key, "key")
	case "push-revoke":
		str(&o.task, "task")
		str(&o.title, "title")
		str(&o.desc, "desc")
		str(&o.ext, "ext")
	case "tpns stop", "tpns revoke", "tpns cancel", "tpns record":
		str(&o.push, "push")
	case "tpns override":
		str(&o.push, "push")
		str(&o.title, "title")
		str(&o.content, "content")
		fs.StringVar(&o.audience, "audience", o.audience, "")
		fs.BoolVar(&o.forceCollapse, "force-collapse", false, "")
	default:
		return nil, usagef("unknown subcommand %q; use group, official, c2c, push-revoke or tpns (chatrecall -h for help)", name)
	}
	if err := fs.Parse(rest); err != nil {
		return nil, flagErr(name, err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return build(name, o, e)
}

func flagErr(name string, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if name != "" {
		return usagef("%s: %v (chatrecall -h for help)", name, err)
	}
	return usagef("%v (chatrecall -h for help)", err)
}

// build turns the flags of a subcommand into the call it makes.
func build(name string, o *options, e env) (*command, error) {
	switch name {
	case "group":
		if o.group == "" {
			return nil, usagef("group: --group is required")
		}
		seqs, err := readSeqs(o.seqs, o.seqsFrom, e.stdin)
		if err != nil {
			return nil, err
		}
		return &command{name: name, total: len(seqs), exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			return recallGroup(ctx, c, rep, chatrecall.GroupRecall{GroupID: o.group, MsgSeqs: seqs, TopicID: o.topic, Reason: o.reason})
		}}, nil
	case "official":
		if o.account == "" {
			return nil, usagef("official: --account is required")
		}
		keys, err := readKeys(o.keys, o.keysFrom, e.stdin)
		if err != nil {
			return nil, err
		}
		return &command{name: name, total: len(keys), exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			return recallOfficial(ctx, c, rep, chatrecall.OfficialAccountRecall{Account: o.account, MsgKeys: keys, Reason: o.reason})
		}}, nil
	case "c2c":
		return &command{name: name, total: 1, exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			res, err := c.RecallC2CMessage(ctx, chatrecall.C2CRecall{From: o.from, To: o.to, MsgKey: o.key})
			return rep.single(row{Endpoint: chatrecall.EndpointC2CRecall, Target: o.from + "->" + o.to, Item: o.key, Outcome: "recalled", Detail: confirmation(res)}, err)
		}}, nil
	case "push-revoke":
		var info *chatrecall.OfflinePushInfo
		if o.title != "" || o.desc != "" || o.ext != "" {
			info = &chatrecall.OfflinePushInfo{Title: o.title, Desc: o.desc, Ext: o.ext}
		}
		return &command{name: name, total: 1, exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			res, err := c.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: o.task, OfflinePushInfo: info})
			return rep.single(row{Endpoint: chatrecall.EndpointPushRevoke, Item: o.task, Outcome: "recalled", Detail: confirmation(res)}, err)
		}}, nil
	case "tpns stop", "tpns revoke", "tpns cancel", "tpns record":
		op := strings.TrimPrefix(name, "tpns ")
		return &command{name: name, tpns: true, total: 1, exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			r := row{Item: o.push, Outcome: "done"}
			var err error
			var res *chatrecall.Result
			switch op {
			case "stop":
				r.Endpoint = chatrecall.EndpointTPNSStop
				res, err = c.StopTPNSPush(ctx, o.push)
			case "revoke":
				r.Endpoint = chatrecall.EndpointTPNSRevoke
				res, err = c.RevokeTPNSPush(ctx, o.push)
			case "cancel":
				r.Endpoint = chatrecall.EndpointTPNSCancel
				res, err = c.CancelTPNSScheduledPush(ctx, o.push)
			case "record":
				var rec *chatrecall.TPNSPushRecord
				r.Endpoint = chatrecall.EndpointTPNSRecord
				if rec, err = c.GetTPNSPushRecord(ctx, o.push); err == nil {
					r.Detail = fmt.Sprintf("status %s, type %s, collapse ID %d", rec.Status, rec.PushType, rec.CollapseID)
				}
			}
			if r.Detail == "" {
				r.Detail = confirmation(res)
			}
			return rep.single(r, err)
		}}, nil
	case "tpns override":
		return &command{name: name, tpns: true, total: 1, exec: func(ctx context.Context, c *chatrecall.Client, rep *reporter) error {
			res, err := c.OverrideTPNSPush(ctx, chatrecall.TPNSOverride{PushID: o.push, ForceCollapse: o.forceCollapse,
				Push: chatrecall.TPNSPush{AudienceType: o.audience, Title: o.title, Content: o.content}})
			r := row{Endpoint: chatrecall.EndpointTPNSPush, Item: o.push, Outcome: "done"}
			if err == nil {
				r.Detail = fmt.Sprintf("new push %s, collapse ID %d", strings.Join(res.PushIDs, ","), res.CollapseID)
			}
			return rep.single(r, err)
		}}, nil
	}
	return nil, usagef("unknown subcommand %q", name)
}

// configure finds the credentials the command needs, or starts the demo.
func configure(o *options, cmd *command, e env) (chatrecall.Config, func(), error) {
	if o.demo {
		srv := demoServer()
		fmt.Fprintln(e.stderr, "chatrecall: --demo: using an in-process fake service; nothing leaves this machine")
		return srv.Config(), srv.Close, nil
	}
	// Flags override the environment; only the variables this command
	// needs are read, so a half-set group of the other service is no obstacle.
	names := []string{chatrecall.EnvSDKAppID, chatrecall.EnvSecretKey, chatrecall.EnvIdentifier, chatrecall.EnvRegion}
	override := map[string]string{chatrecall.EnvSDKAppID: o.sdkAppID, chatrecall.EnvIdentifier: o.identifier, chatrecall.EnvRegion: o.region}
	secretFile, secretVar, flagName := o.secretKeyFile, chatrecall.EnvSecretKey, "--secret-key-file"
	if cmd.tpns {
		names = []string{chatrecall.EnvTPNSAccessID, chatrecall.EnvTPNSSecretKey, chatrecall.EnvTPNSRegion}
		override = map[string]string{chatrecall.EnvTPNSAccessID: o.tpnsAccessID, chatrecall.EnvTPNSRegion: o.tpnsRegion}
		secretFile, secretVar, flagName = o.tpnsSecretKeyFile, chatrecall.EnvTPNSSecretKey, "--tpns-secret-key-file"
	}
	if secretFile != "" {
		secret, err := readSecret(secretFile, flagName)
		if err != nil {
			return chatrecall.Config{}, nil, err
		}
		override[secretVar] = secret
	}
	relevant := map[string]bool{}
	for _, n := range names {
		relevant[n] = true
	}
	cfg, found, err := chatrecall.ConfigFromEnv(func(k string) string {
		if !relevant[k] {
			return ""
		}
		if v := override[k]; v != "" {
			return v
		}
		return e.getenv(k)
	})
	switch {
	case err != nil:
		return cfg, nil, err
	case !found && cmd.tpns:
		return cfg, nil, usagef("missing TPNS credentials: set %s (or the matching flags; --demo needs none)", strings.Join(names, ", "))
	case !found:
		return cfg, nil, usagef("missing credentials: set %s, %s, %s (or the matching flags; --demo needs none)", names[0], names[1], names[3])
	}
	if cmd.tpns {
		cfg.TPNS.BaseURL = o.tpnsBaseURL
		return chatrecall.Config{TPNS: cfg.TPNS}, func() {}, nil
	}
	cfg.BaseURL = o.baseURL
	return cfg, func() {}, nil
}

func readSecret(path, flagName string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("%s: cannot read %s", flagName, path) // the error may quote the file: not echoed
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", usagef("%s: %s is empty", flagName, path)
	}
	return s, nil
}

// demoServer is the fake service --demo runs against.
func demoServer() *chatrecalltest.Server {
	srv := chatrecalltest.NewServer()
	seqs := make([]uint64, 2000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#demo", seqs...)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom", NoRecall: true})
	srv.AddGroupMessages("@TGS#live", 1, 2, 3)
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i+1)
	}
	srv.AddOfficialMessages("@TOA#_demo", keys...)
	srv.AddC2CMessage("alice", "bob", "1_1_1")
	srv.AddC2CMessage("alice", "bob", "1_1_2")
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task", KeptCopies: true})
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task-bare"})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1001", PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1002", PushType: "tag", Status: chatrecalltest.TPNSStatusFinished})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1003", PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: time.Now().Add(time.Hour)})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1004", PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42, Title: "50% off"})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1005", PushType: "token_list", Status: chatrecalltest.TPNSStatusFinished})
	return srv
}

// bulkBatch is how many items one SDK call carries, so the progress bar
// moves and an interrupt leaves a clean line between done and not done.
const bulkBatch = 200

// outcome is one item's result from the SDK, in the CLI's terms.
type outcome struct {
	item      string
	err       error
	confirmed bool
}

// inBatches recalls keys bulkBatch at a time, reporting every item and
// moving the progress bar after each batch. After an interrupt the rest are
// reported as not sent.
func inBatches[K any](ctx context.Context, rep *reporter, endpoint, target string, keys []K, name func(K) string,
	call func(ctx context.Context, part []K) ([]outcome, error)) error {
	if len(keys) == 0 {
		_, err := call(ctx, keys) // the SDK names the problem
		return err
	}
	for lo := 0; lo < len(keys); lo += bulkBatch {
		part := keys[lo:min(lo+bulkBatch, len(keys))]
		if ctx.Err() != nil {
			for _, k := range part {
				rep.add(row{Endpoint: endpoint, Target: target, Item: name(k)}, ctx.Err())
			}
			continue
		}
		outs, err := call(ctx, part)
		if outs == nil {
			return err
		}
		failed := 0
		for _, o := range outs {
			rep.add(row{Endpoint: endpoint, Target: target, Item: o.item, Outcome: "recalled", Confirmed: o.confirmed}, o.err)
			if o.err != nil {
				failed++
			}
		}
		rep.progress(len(outs), failed)
	}
	return nil
}

func recallGroup(ctx context.Context, c *chatrecall.Client, rep *reporter, r chatrecall.GroupRecall) error {
	name := func(s uint64) string { return strconv.FormatUint(s, 10) }
	return inBatches(ctx, rep, chatrecall.EndpointGroupRecall, r.GroupID, r.MsgSeqs, name, func(ctx context.Context, part []uint64) ([]outcome, error) {
		req := r
		req.MsgSeqs = part
		res, err := c.RecallGroupMessages(ctx, req)
		if res == nil {
			return nil, err
		}
		outs := make([]outcome, len(res.Items))
		for i, it := range res.Items {
			outs[i] = outcome{name(it.MsgSeq), it.Err, it.ConfirmedByRetry}
		}
		return outs, nil
	})
}

func recallOfficial(ctx context.Context, c *chatrecall.Client, rep *reporter, r chatrecall.OfficialAccountRecall) error {
	name := func(k string) string { return k }
	return inBatches(ctx, rep, chatrecall.EndpointOfficialRecall, r.Account, r.MsgKeys, name, func(ctx context.Context, part []string) ([]outcome, error) {
		req := r
		req.MsgKeys = part
		res, err := c.RecallOfficialAccountMessages(ctx, req)
		if res == nil {
			return nil, err
		}
		outs := make([]outcome, len(res.Items))
		for i, it := range res.Items {
			outs[i] = outcome{it.MsgKey, it.Err, it.ConfirmedByRetry}
		}
		return outs, nil
	})
}

// readSeqs reads sequence numbers from --seq and --seqs-from: numbers and
// ranges (200-210) separated by commas, spaces or newlines.
func readSeqs(flagValue, from string, stdin io.Reader) ([]uint64, error) {
	text, err := itemsText("group", "--seq", "--seqs-from", flagValue, from, stdin)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, f := range fields(text) {
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, usagef("group: %q is not a sequence number", f)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := strconv.ParseUint(hi, 10, 64)
		if err != nil || b < a || b-a >= 1_000_000 {
			return nil, usagef("group: %q is not a range of at most 1,000,000 sequence numbers", f)
		}
		for s := a; s <= b; s++ {
			out = append(out, s)
		}
	}
	return out, nil
}

func readKeys(flagValue, from string, stdin io.Reader) ([]string, error) {
	text, err := itemsText("official", "--keys", "--keys-from", flagValue, from, stdin)
	if err != nil {
		return nil, err
	}
	return fields(text), nil
}

func itemsText(cmd, flagName, fromName, flagValue, from string, stdin io.Reader) (string, error) {
	switch {
	case flagValue != "" && from != "":
		return "", usagef("%s: give %s or %s, not both", cmd, flagName, fromName)
	case flagValue != "":
		return flagValue, nil
	case from == "-":
		b, err := io.ReadAll(bufio.NewReader(stdin))
		return string(b), err
	case from != "":
		b, err := os.ReadFile(from)
		if err != nil {
			return "", usagef("%s: %s: cannot read %s", cmd, fromName, from)
		}
		return string(b), nil
	}
	return "", usagef("%s: %s or %s is required", cmd, flagName, fromName)
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// row is one item's outcome, as printed.
type row struct {
	Endpoint  string `json:"endpoint"`
	Target    string `json:"target,omitempty"`
	Item      string `json:"item"`
	Outcome   string `json:"outcome"` // recalled or done, failed, unknown, not_sent
	Confirmed bool   `json:"confirmed_by_retry,omitempty"`
	Category  string `json:"category,omitempty"`
	Code      int    `json:"code,omitempty"`
	Error     string `json:"error,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// reporter collects rows and prints them as a table or JSON Lines.
type reporter struct {
	json bool
	out  io.Writer
	bar  *progress
	mu   sync.Mutex
	rows []row
}

func (r *reporter) add(rw row, err error) {
	if err != nil {
		rw.Error = strings.TrimPrefix(err.Error(), "chatrecall: ")
		var apiErr *chatrecall.APIError
		if errors.As(err, &apiErr) {
			rw.Code = int(apiErr.Code)
		}
		switch {
		case errors.Is(err, chatrecall.ErrOutcomeUnknown):
			rw.Outcome = "unknown"
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			rw.Outcome = "not_sent"
		default:
			rw.Outcome = "failed"
		}
		if c := chatrecall.Category(err); c != nil {
			rw.Category = c.Error()
		}
	}
	r.mu.Lock()
	r.rows = append(r.rows, rw)
	r.mu.Unlock()
}

// single records a one-item call. A validation error is returned to run,
// which reports it as a usage error.
func (r *reporter) single(rw row, err error) error {
	var ve *chatrecall.ValidationError
	if errors.As(err, &ve) {
		return err
	}
	r.add(rw, err)
	return nil
}

func (r *reporter) progress(done, failed int) {
	if r.bar != nil {
		r.bar.add(done, failed)
	}
}

func (r *reporter) flush() {
	if r.json {
		enc := json.NewEncoder(r.out)
		for _, rw := range r.rows {
			_ = enc.Encode(rw)
		}
		return
	}
	tw := tabwriter.NewWriter(r.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tTARGET\tITEM\tOUTCOME\tCATEGORY\tDETAIL")
	for _, rw := range r.rows {
		detail := rw.Detail
		if rw.Error != "" {
			detail = rw.Error
		}
		outcome := rw.Outcome
		if rw.Confirmed {
			outcome += " (confirmed by retry)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", rw.Endpoint, dash(rw.Target), rw.Item, outcome, dash(rw.Category), dash(detail))
	}
	_ = tw.Flush()
	fmt.Fprintln(r.out, r.summary())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (r *reporter) counts() (done, failed, unknown, notSent int) {
	for _, rw := range r.rows {
		switch rw.Outcome {
		case "recalled", "done":
			done++
		case "unknown":
			unknown++
		case "not_sent":
			notSent++
		default:
			failed++
		}
	}
	return
}

func (r *reporter) summary() string {
	done, failed, unknown, notSent := r.counts()
	return fmt.Sprintf("%d done, %d failed, %d unknown, %d not sent", done, failed, unknown, notSent)
}

func (r *reporter) exitCode() int {
	_, failed, unknown, notSent := r.counts()
	switch {
	case unknown > 0:
		return exitUnknown
	case failed+notSent > 0:
		return exitFailed
	}
	return exitOK
}

// dryTransport records requests instead of sending them.
type dryTransport struct {
	mu   sync.Mutex
	reqs []dryRequest
}

type dryRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body"`
}

var errDryRun = fmt.Errorf("dry run: %w", chatrecall.ErrNotSent)

func (d *dryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	u := *r.URL
	q := u.Query()
	if q.Has("usersig") {
		q.Set("usersig", "REDACTED")
	}
	u.RawQuery = q.Encode()
	h := map[string]string{}
	for _, k := range []string{"Accessid", "Timestamp", "Sign", "Authorization"} {
		if v := r.Header.Get(k); v != "" {
			if k == "Sign" || k == "Authorization" {
				v = "REDACTED"
			}
			h[k] = v
		}
	}
	if len(h) == 0 {
		h = nil
	}
	d.mu.Lock()
	d.reqs = append(d.reqs, dryRequest{Method: r.Method, URL: u.String(), Headers: h, Body: body})
	d.mu.Unlock()
	return nil, errDryRun
}

func (d *dryTransport) print(w io.Writer, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range d.reqs {
			_ = enc.Encode(r)
		}
		return
	}
	for _, r := range d.reqs {
		fmt.Fprintf(w, "%s %s\n", r.Method, r.URL)
		for _, k := range []string{"Accessid", "Timestamp", "Sign", "Authorization"} {
			if v, ok := r.Headers[k]; ok {
				fmt.Fprintf(w, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintf(w, "%s\n\n", r.Body)
	}
	fmt.Fprintf(w, "dry run: %d request(s) shown, none sent\n", len(d.reqs))
	for _, r := range d.reqs {
		if strings.HasSuffix(r.URL, "/v3/statistics/get_push_record") {
			fmt.Fprintln(w, "note: an override's push carries the collapse ID that this record lookup would return; it is not shown")
			break
		}
	}
}

// confirmation describes how a success was known, when its answer was lost.
func confirmation(r *chatrecall.Result) string {
	switch {
	case r == nil:
		return ""
	case r.ConfirmedByRetry:
		return "confirmed by retry"
	case r.ConfirmedByRecord:
		return "confirmed by the task record"
	}
	return ""
}

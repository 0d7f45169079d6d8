package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
)

// newClient builds the client of a command: the demo or the credentials it
// needs, a limiter of its own, the dry-run transport, and a BeforeAttempt
// hook that refuses new requests once a stop was requested (requests in
// flight finish). It returns a cleanup func.
func (a *app) newClient(tpns bool, hooks chatrecall.Hooks, dry *dryRun, extra ...chatrecall.Option) (*chatrecall.Client, func(), error) {
	cfg, cleanup, err := a.configure(tpns)
	if err != nil {
		return nil, nil, err
	}
	stopHook := chatrecall.Hooks{BeforeAttempt: func(context.Context, chatrecall.Operation, chatrecall.AttemptStart) error {
		if a.stop.stopped() {
			return errStopped
		}
		return nil
	}}
	opts := []chatrecall.Option{
		chatrecall.WithTimeout(a.o.timeout),
		// One run, one limiter: a run is a process of its own.
		chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil)),
		chatrecall.WithHooks(stopHook),
		chatrecall.WithHooks(hooks),
	}
	opts = append(opts, extra...)
	if dry != nil {
		opts = append(opts, chatrecall.WithHTTPClient(&http.Client{Transport: dry}), chatrecall.WithRetry(chatrecall.NoRetry()),
			chatrecall.WithConcurrency(1), chatrecall.WithoutRateLimits())
	}
	c, err := chatrecall.NewClient(cfg, opts...)
	if err != nil {
		cleanup()
		return nil, nil, &usageErr{err.Error()}
	}
	return c, cleanup, nil
}

// configure finds the credentials the command needs, or starts the demo.
func (a *app) configure(tpns bool) (chatrecall.Config, func(), error) {
	o := a.o
	if o.demo {
		if a.demo != nil {
			// One fake per run: a sweep plans, recalls and verifies
			// against the same one.
			return a.demo.Config(), func() {}, nil
		}
		srv, trail := demoServer()
		a.demo, a.demoTrail = srv, trail
		fmt.Fprintln(a.e.stderr, "chatrecall: --demo: using an in-process fake service; nothing leaves this machine")
		return srv.Config(), srv.Close, nil
	}
	// Flags override the environment; only the variables this command
	// needs are read, so a half-set group of the other service is no obstacle.
	names := []string{chatrecall.EnvSDKAppID, chatrecall.EnvSecretKey, chatrecall.EnvIdentifier, chatrecall.EnvRegion}
	override := map[string]string{chatrecall.EnvSDKAppID: o.sdkAppID, chatrecall.EnvIdentifier: o.identifier, chatrecall.EnvRegion: o.region}
	secretFile, secretVar, flagName := o.secretKeyFile, chatrecall.EnvSecretKey, "--secret-key-file"
	if tpns {
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
	// With --base-url and no region, the base URL stands for the region.
	if !tpns && o.baseURL != "" && o.region == "" && a.e.getenv(chatrecall.EnvRegion) == "" {
		override[chatrecall.EnvRegion] = "singapore"
	}
	if tpns && o.tpnsBaseURL != "" && o.tpnsRegion == "" && a.e.getenv(chatrecall.EnvTPNSRegion) == "" {
		override[chatrecall.EnvTPNSRegion] = "guangzhou"
	}
	cfg, found, err := chatrecall.ConfigFromEnv(func(k string) string {
		if !relevant[k] {
			return ""
		}
		if v := override[k]; v != "" {
			return v
		}
		return a.e.getenv(k)
	})
	switch {
	case err != nil:
		return cfg, nil, &usageErr{err.Error()}
	case !found && tpns:
		return cfg, nil, usagef("missing TPNS credentials: set %s (or the matching flags; --demo needs none)", strings.Join(names, ", "))
	case !found:
		return cfg, nil, usagef("missing credentials: set %s, %s, %s (or the matching flags; --demo needs none)", names[0], names[1], names[3])
	}
	if tpns {
		cfg.TPNS.BaseURL = o.tpnsBaseURL
		return chatrecall.Config{TPNS: cfg.TPNS}, func() {}, nil
	}
	cfg.BaseURL = o.baseURL
	return cfg, func() {}, nil
}

func readSecret(path, flagName string) (string, error) {
	if !isRegular(path) {
		return "", usagef("%s: %s is not a readable file", flagName, path)
	}
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
func demoServer() (*chatrecalltest.Server, *chatrecalltest.Trail) {
	srv := chatrecalltest.NewServer()
	seqs := make([]uint64, 2000)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	srv.AddGroupMessages("@TGS#demo", seqs...)
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#live", Type: "AVChatRoom", NoRecall: true})
	srv.AddGroupMessages("@TGS#live", 1, 2, 3)
	// A live-stream group whose messages can be recalled, for sweep ledger:
	// user01 and user00 take turns over the last half hour.
	srv.AddGroup(chatrecalltest.Group{ID: "@TGS#stream", Type: "AVChatRoom"})
	srv.FillGroup("@TGS#stream", chatrecalltest.Fill{Messages: 6, Senders: 2, From: time.Now().Add(-30 * time.Minute), To: time.Now()})
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i+1)
	}
	srv.AddOfficialMessages("@TOA#_demo", keys...)
	srv.AddC2CMessage("alice", "bob", "1_1_1")
	srv.AddC2CMessage("alice", "bob", "1_1_2")
	// For sweep: a week of chatter from 20 senders, the last hours included.
	now := time.Now()
	srv.FillGroup("@TGS#spam", chatrecalltest.Fill{Messages: 5000, Senders: 20, From: now.Add(-7 * 24 * time.Hour), To: now, Seed: 1})
	srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 200, From: now.Truncate(time.Hour).Add(-24 * time.Hour), To: now.Truncate(time.Hour), Seed: 2})
	srv.FillOfficial("@TOA#_news", chatrecalltest.Fill{Messages: 100, From: now.Add(-24 * time.Hour), To: now})
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task", KeptCopies: true})
	srv.AddPushTask(chatrecalltest.PushTask{ID: "demo-task-bare"})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1001", PushType: "all", Platform: "android", Status: chatrecalltest.TPNSStatusStarted})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1002", PushType: "tag", Status: chatrecalltest.TPNSStatusFinished})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1003", PushType: "all", Status: chatrecalltest.TPNSStatusWait, SendTime: time.Now().Add(time.Hour)})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1004", PushType: "all", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 42, Title: "50% off"})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1005", PushType: "token_list", Status: chatrecalltest.TPNSStatusFinished})
	srv.AddTPNSTask(chatrecalltest.TPNSTask{ID: "1006", PushType: "tag", Status: chatrecalltest.TPNSStatusFinished, CollapseID: 43, Title: "VIP only"})
	// For takedown: mallory, taken over two hours ago, posted in 8 groups,
	// to 30 peers (the conversation list keeps 20: the others, and 2
	// live-stream groups, only the demo's webhook ledger knows).
	// Its times (and so its one-to-one message keys) are the same in every
	// run within the hour, so a plan made by one --demo run applies in the
	// next.
	hour := now.Truncate(time.Hour)
	trail := srv.AddFootprint(chatrecalltest.Footprint{Account: demoAccount, Groups: 8, GroupMessages: 200, Own: 20,
		Peers: 30, PeerMessages: 2, PeerReplies: 1, LiveGroups: 2, LiveMessages: 3,
		From: hour.Add(-2 * time.Hour), To: hour.Add(-time.Minute), Seed: 3})
	// For push takeback: a sale push still pending, a digest that went out
	// half an hour ago, and two promos a keyword cannot tell apart.
	srv.AddSchedTask(chatrecalltest.SchedTask{ID: 101, Title: "Flash sale", Desc: "50% off everything", SchedAt: now.Add(time.Hour)})
	srv.AddSchedTask(chatrecalltest.SchedTask{ID: 102, Type: "Tag", Title: "Weekly digest", SchedAt: now.Add(-30 * time.Minute), Users: []string{"alice", "bob"}, Reach: 120000})
	srv.AddSchedTask(chatrecalltest.SchedTask{ID: 103, Title: "Spring promo", SchedAt: now.Add(2 * time.Hour)})
	srv.AddSchedTask(chatrecalltest.SchedTask{ID: 104, Title: "Spring promo VIP", SchedAt: now.Add(3 * time.Hour)})
	return srv, trail
}

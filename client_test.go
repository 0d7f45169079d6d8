package chatrecall

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestNewClientRefusesBadConfig(t *testing.T) {
	ok := Config{SDKAppID: testAppID, SecretKey: "k", Region: RegionSingapore}
	with := func(f func(*Config)) Config { c := ok; f(&c); return c }
	signer := SignerFunc(nil)
	tests := []struct {
		name string
		cfg  Config
		opts []Option
		want string
	}{
		{"no app", with(func(c *Config) { c.SDKAppID = 0 }), nil, "Config.SDKAppID is required"},
		{"no key or signer", with(func(c *Config) { c.SecretKey = "" }), nil, "Config.SecretKey or Config.Signer is required"},
		{"key and signer", with(func(c *Config) { c.Signer = signer }), nil, "not both"},
		{"no region", with(func(c *Config) { c.Region = "" }), nil, "Config.Region is required"},
		{"unknown region", with(func(c *Config) { c.Region = "mars" }), nil, `Config.Region "mars" is not a known region`},
		{"bad base URL", with(func(c *Config) { c.BaseURL = "ftp://x" }), nil, "Config.BaseURL"},
		{"base URL with query", with(func(c *Config) { c.BaseURL = "http://x/?a=b" }), nil, "no query"},
		{"identifier whitespace", with(func(c *Config) { c.Identifier = " admin" }), nil, "Config.Identifier"},
		{"tpns without access id", with(func(c *Config) { c.TPNS = &TPNSConfig{SecretKey: "s", Region: TPNSGuangzhou} }), nil, "Config.TPNS.AccessID is required"},
		{"tpns without secret", with(func(c *Config) { c.TPNS = &TPNSConfig{AccessID: "1", Region: TPNSGuangzhou} }), nil, "Config.TPNS.SecretKey is required"},
		{"tpns without region", with(func(c *Config) { c.TPNS = &TPNSConfig{AccessID: "1", SecretKey: "s"} }), nil, "Config.TPNS.Region is required"},
		{"tpns bad region", with(func(c *Config) { c.TPNS = &TPNSConfig{AccessID: "1", SecretKey: "s", Region: "beijing"} }), nil, "not an access point"},
		{"nil http client", ok, []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
		{"zero timeout", ok, []Option{WithTimeout(0)}, "WithTimeout"},
		{"nil logger", ok, []Option{WithLogger(nil)}, "WithLogger"},
		{"nil clock", ok, []Option{WithClock(nil)}, "WithClock"},
		{"negative retry", ok, []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "WithRetry"},
		{"unknown endpoint limit", ok, []Option{WithRateLimit("nope", 1, time.Second)}, `unknown endpoint "nope"`},
		{"zero calls", ok, []Option{WithRateLimit(EndpointGroupRecall, 0, time.Second)}, "got 0 per 1s"},
		{"zero period", ok, []Option{WithRateLimit(EndpointGroupRecall, 10, 0)}, "positive period"},
		{"zero concurrency", ok, []Option{WithConcurrency(0)}, "WithConcurrency"},
		{"short sig ttl", ok, []Option{WithUserSigTTL(time.Second)}, "WithUserSigTTL"},
		{"nil option", ok, []Option{nil}, "nil Option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg, tt.opts...)
			assert.Nil(t, c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "k\"") // the secret key value is never echoed
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	c, err := NewClient(Config{SDKAppID: testAppID, SecretKey: "k", Region: RegionChina})
	require.NoError(t, err)
	assert.Equal(t, "administrator", c.Identifier())
	assert.Equal(t, uint64(testAppID), c.SDKAppID())
	assert.Equal(t, DefaultTimeout, c.timeout)
	assert.Equal(t, 3, c.retry.MaxAttempts)
	assert.Same(t, sharedLimiter(), c.limiter, "clients share the process limiter")
	assert.Equal(t, "console.tim.qq.com", c.hosts.primary)
	assert.Equal(t, "adminapi.my-imcloud.com", c.hosts.backup)
	assert.Equal(t, rate.Limit(200*DefaultLimitFactor), c.limitReqs[EndpointGroupRecall].Limit)
	assert.Equal(t, "1400000000:group_msg_recall", c.limitReqs[EndpointGroupRecall].Key)
	assert.Equal(t, rate.Limit(1*DefaultLimitFactor), c.limitReqs[EndpointPushRevoke].Limit)

	// A Chat-only client needs no TPNS settings; a TPNS-only one no Chat settings.
	tp, err := NewClient(Config{TPNS: &TPNSConfig{AccessID: "1500001048", SecretKey: "s", Region: TPNSHongKong}})
	require.NoError(t, err)
	assert.Equal(t, "https://api.tpns.hk.tencent.com", tp.tpns.base)
	assert.Equal(t, "tpns:1500001048:tpns/get_push_record", tp.limitReqs[EndpointTPNSRecord].Key)

	custom, err := NewClient(Config{SDKAppID: 1, SecretKey: "k", BaseURL: "http://127.0.0.1:9/prefix/"}, WithHTTPClient(http.DefaultClient))
	require.NoError(t, err)
	assert.Equal(t, "http", custom.hosts.scheme)
	assert.Equal(t, "/prefix", custom.hosts.path)
	assert.Equal(t, "", custom.hosts.backup, "a custom base URL has no backup")
}

func TestRegions(t *testing.T) {
	tests := map[string]Region{
		"singapore": RegionSingapore, "ap-singapore": RegionSingapore, "SGP": RegionSingapore,
		"china": RegionChina, "ap-guangzhou": RegionChina, "Seoul": RegionSeoul, "ap-tokyo": RegionTokyo,
		"eu-frankfurt": RegionFrankfurt, "silicon valley": RegionSiliconValley, "na-siliconvalley": RegionSiliconValley,
		"ap-jakarta": RegionJakarta, "ap-mumbai": RegionMumbai, "riyadh": RegionRiyadh,
	}
	for in, want := range tests {
		got, err := ParseRegion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseRegion("atlantis")
	assert.ErrorContains(t, err, `unknown region "atlantis"`)
	_, err = ParseRegion("")
	assert.Error(t, err)

	domains := map[Region][2]string{
		RegionChina:         {"console.tim.qq.com", "adminapi.my-imcloud.com"},
		RegionSingapore:     {"adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"},
		RegionSeoul:         {"adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com"},
		RegionTokyo:         {"adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com"},
		RegionFrankfurt:     {"adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com"},
		RegionSiliconValley: {"adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com"},
		RegionJakarta:       {"adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com"},
		RegionMumbai:        {"adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com"},
		RegionRiyadh:        {"adminapiksa.im.qcloud.com", ""},
	}
	assert.Len(t, Regions(), len(domains))
	for r, d := range domains {
		assert.Equal(t, d[0], r.PrimaryDomain(), r)
		assert.Equal(t, d[1], r.BackupDomain(), r)
	}

	var cfg struct{ Region Region }
	require.NoError(t, json.Unmarshal([]byte(`{"Region":"ap-seoul"}`), &cfg))
	assert.Equal(t, RegionSeoul, cfg.Region)
	assert.Error(t, json.Unmarshal([]byte(`{"Region":"nowhere"}`), &cfg))

	for in, want := range map[string]TPNSRegion{"guangzhou": TPNSGuangzhou, "ap-shanghai": TPNSShanghai, "HK": TPNSHongKong, "sgp": TPNSSingapore} {
		got, err := ParseTPNSRegion(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	assert.Equal(t, "https://api.tpns.sh.tencent.com", TPNSShanghai.BaseURL())
	assert.Equal(t, "https://api.tpns.sgp.tencent.com", TPNSSingapore.BaseURL())
}

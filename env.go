package chatrecall

import (
	"fmt"
	"strconv"
	"strings"
)

// Environment variables read by ConfigFromEnv (and by the chatrecall CLI and
// the quickstart).
const (
	EnvSDKAppID      = "CHATRECALL_SDKAPPID"
	EnvSecretKey     = "CHATRECALL_SECRET_KEY"
	EnvIdentifier    = "CHATRECALL_IDENTIFIER"
	EnvRegion        = "CHATRECALL_REGION"
	EnvTPNSAccessID  = "CHATRECALL_TPNS_ACCESS_ID"
	EnvTPNSSecretKey = "CHATRECALL_TPNS_SECRET_KEY"
	EnvTPNSRegion    = "CHATRECALL_TPNS_REGION"
	envChatVariables = EnvSDKAppID + ", " + EnvSecretKey + ", " + EnvRegion
	envTPNSVariables = EnvTPNSAccessID + ", " + EnvTPNSSecretKey + ", " + EnvTPNSRegion
)

// ConfigFromEnv builds a Config from the CHATRECALL_* variables, read with
// getenv (os.Getenv in programs, a map in tests). found is false when none of
// them is set. Chat needs CHATRECALL_SDKAPPID, CHATRECALL_SECRET_KEY and
// CHATRECALL_REGION (CHATRECALL_IDENTIFIER is optional); TPNS needs
// CHATRECALL_TPNS_ACCESS_ID, CHATRECALL_TPNS_SECRET_KEY and
// CHATRECALL_TPNS_REGION. A group set in part is an error naming what to set.
// Secret values never appear in the error.
func ConfigFromEnv(getenv func(string) string) (cfg Config, found bool, err error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	chat := get(EnvSDKAppID) != "" || get(EnvSecretKey) != "" || get(EnvRegion) != "" || get(EnvIdentifier) != ""
	tpns := get(EnvTPNSAccessID) != "" || get(EnvTPNSSecretKey) != "" || get(EnvTPNSRegion) != ""
	if !chat && !tpns {
		return cfg, false, nil
	}
	if chat {
		if missing := missingVars(get, EnvSDKAppID, EnvSecretKey, EnvRegion); missing != "" {
			return cfg, true, fmt.Errorf("chatrecall: set %s (Chat needs %s)", missing, envChatVariables)
		}
		if cfg.SDKAppID, err = strconv.ParseUint(get(EnvSDKAppID), 10, 64); err != nil {
			return cfg, true, fmt.Errorf("chatrecall: %s must be a number, got %q", EnvSDKAppID, get(EnvSDKAppID))
		}
		if cfg.Region, err = ParseRegion(get(EnvRegion)); err != nil {
			return cfg, true, fmt.Errorf("chatrecall: %s: %s", EnvRegion, strings.TrimPrefix(err.Error(), "chatrecall: "))
		}
		cfg.SecretKey = getenv(EnvSecretKey)
		cfg.Identifier = get(EnvIdentifier)
	}
	if tpns {
		if missing := missingVars(get, EnvTPNSAccessID, EnvTPNSSecretKey, EnvTPNSRegion); missing != "" {
			return cfg, true, fmt.Errorf("chatrecall: set %s (TPNS needs %s)", missing, envTPNSVariables)
		}
		region, err := ParseTPNSRegion(get(EnvTPNSRegion))
		if err != nil {
			return cfg, true, fmt.Errorf("chatrecall: %s: %s", EnvTPNSRegion, strings.TrimPrefix(err.Error(), "chatrecall: "))
		}
		cfg.TPNS = &TPNSConfig{AccessID: get(EnvTPNSAccessID), SecretKey: getenv(EnvTPNSSecretKey), Region: region}
	}
	return cfg, true, nil
}

func missingVars(get func(string) string, names ...string) string {
	var out []string
	for _, n := range names {
		if get(n) == "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, " and ")
}

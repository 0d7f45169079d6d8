package chatrecall

import (
	"fmt"
	"sort"
	"strings"
)

// Region is a Tencent Cloud Chat data centre. Each region has a primary REST
// domain and, for most regions, a backup domain that the client falls back to
// when the primary cannot be resolved or connected to.
//
// There is no default region: a Config without one is refused by NewClient,
// because an app's data lives in exactly one region and calling the wrong one
// fails with 70016/70020 after a network round trip.
type Region string

// The regions listed in the service documentation. RegionMumbai appears only on
// older pages and RegionRiyadh on one newer page; both are supported so that a
// user who has been told to use them can, but neither is confirmed by every page.
const (
	RegionChina         Region = "china"
	RegionSingapore     Region = "singapore"
	RegionSeoul         Region = "seoul"
	RegionTokyo         Region = "tokyo"
	RegionFrankfurt     Region = "frankfurt"
	RegionSiliconValley Region = "silicon-valley"
	RegionJakarta       Region = "jakarta"
	RegionMumbai        Region = "mumbai"
	RegionRiyadh        Region = "riyadh"
)

type regionInfo struct {
	display string
	primary string
	backup  string // empty when none is documented
	aliases []string
}

var regions = map[Region]regionInfo{
	RegionChina:         {"China", "console.tim.qq.com", "adminapi.my-imcloud.com", []string{"cn", "ap-guangzhou", "ap-shanghai", "ap-beijing", "mainland"}},
	RegionSingapore:     {"Singapore", "adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com", []string{"sgp", "sg", "ap-singapore"}},
	RegionSeoul:         {"Seoul", "adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com", []string{"kr", "korea", "ap-seoul"}},
	RegionTokyo:         {"Tokyo", "adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com", []string{"jp", "jpn", "japan", "ap-tokyo"}},
	RegionFrankfurt:     {"Frankfurt", "adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com", []string{"ger", "de", "germany", "eu-frankfurt"}},
	RegionSiliconValley: {"Silicon Valley", "adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com", []string{"siliconvalley", "usa", "us", "na-siliconvalley"}},
	RegionJakarta:       {"Jakarta", "adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com", []string{"idn", "id", "indonesia", "ap-jakarta"}},
	RegionMumbai:        {"Mumbai", "adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com", []string{"ind", "in", "india", "ap-mumbai"}},
	RegionRiyadh:        {"Riyadh", "adminapiksa.im.qcloud.com", "", []string{"ksa", "sa", "saudi-arabia", "me-saudi-arabia"}},
}

// Regions lists every supported Region in a stable order.
func Regions() []Region {
	out := make([]Region, 0, len(regions))
	for r := range regions {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ParseRegion reads a region name as it appears in configuration files. It is
// case-insensitive and accepts the SDK's names ("singapore"), Tencent Cloud
// region IDs ("ap-singapore") and short codes ("sgp").
func ParseRegion(s string) (Region, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.ReplaceAll(norm, "_", "-")
	norm = strings.ReplaceAll(norm, " ", "-")
	if norm == "" {
		return "", fmt.Errorf("chatrecall: region is empty; use one of %s", regionNames())
	}
	for r, info := range regions {
		if norm == string(r) {
			return r, nil
		}
		for _, a := range info.aliases {
			if norm == a {
				return r, nil
			}
		}
	}
	return "", fmt.Errorf("chatrecall: unknown region %q; use one of %s", s, regionNames())
}

func regionNames() string {
	rs := Regions()
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Valid reports whether r is one of the supported regions.
func (r Region) Valid() bool { _, ok := regions[r]; return ok }

// String returns the region's name as ParseRegion accepts it.
func (r Region) String() string { return string(r) }

// PrimaryDomain is the REST API domain the client calls first.
func (r Region) PrimaryDomain() string { return regions[r].primary }

// BackupDomain is the documented fallback domain, or "" where none is known.
func (r Region) BackupDomain() string { return regions[r].backup }

// MarshalText implements encoding.TextMarshaler so a Region round-trips
// through JSON, YAML and flag packages.
func (r Region) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("chatrecall: unknown region %q", string(r))
	}
	return []byte(r), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseRegion.
func (r *Region) UnmarshalText(b []byte) error {
	p, err := ParseRegion(string(b))
	if err != nil {
		return err
	}
	*r = p
	return nil
}

// TPNSRegion is a TPNS (Tencent Push Notification Service) access point. Data
// is isolated between access points: calling the wrong one answers 1008035.
type TPNSRegion string

// The four TPNS access points.
const (
	TPNSGuangzhou TPNSRegion = "guangzhou"
	TPNSShanghai  TPNSRegion = "shanghai"
	TPNSHongKong  TPNSRegion = "hongkong"
	TPNSSingapore TPNSRegion = "singapore"
)

var tpnsRegions = map[TPNSRegion]struct {
	baseURL string
	aliases []string
}{
	TPNSGuangzhou: {"https://api.tpns.tencent.com", []string{"gz", "ap-guangzhou", "china"}},
	TPNSShanghai:  {"https://api.tpns.sh.tencent.com", []string{"sh", "ap-shanghai"}},
	TPNSHongKong:  {"https://api.tpns.hk.tencent.com", []string{"hk", "hong-kong", "ap-hongkong"}},
	TPNSSingapore: {"https://api.tpns.sgp.tencent.com", []string{"sgp", "sg", "ap-singapore"}},
}

// ParseTPNSRegion reads a TPNS access point name ("guangzhou", "ap-shanghai",
// "hk", ...), case-insensitively.
func ParseTPNSRegion(s string) (TPNSRegion, error) {
	norm := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
	for r, info := range tpnsRegions {
		if norm == string(r) {
			return r, nil
		}
		for _, a := range info.aliases {
			if norm == a {
				return r, nil
			}
		}
	}
	return "", fmt.Errorf("chatrecall: unknown TPNS region %q; use one of guangzhou, shanghai, hongkong, singapore", s)
}

// Valid reports whether r is one of the four TPNS access points.
func (r TPNSRegion) Valid() bool { _, ok := tpnsRegions[r]; return ok }

// String returns the access point's name as ParseTPNSRegion accepts it.
func (r TPNSRegion) String() string { return string(r) }

// BaseURL is the access point's API root, such as https://api.tpns.tencent.com.
func (r TPNSRegion) BaseURL() string { return tpnsRegions[r].baseURL }

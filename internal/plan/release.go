package plan

import (
	"strconv"
	"strings"
)

// Version is a release number as major*100+minor, so 9.3 < 10.3 < 14.10.
// iocage compares Python floats, which would order 14.10 before 14.3.
type Version int

// ParseVersion reads the major.minor a release starts with
// ("14.3-RELEASE-p2"); ok is false when there is none ("CURRENT", "").
func ParseVersion(release string) (Version, bool) {
	num, _, _ := strings.Cut(release, "-")
	maj, min, found := strings.Cut(num, ".")
	if !found {
		return 0, false
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || b > 99 {
		return 0, false
	}
	return Version(a*100 + b), true
}

func rel(major, minor int) Version { return Version(major*100 + minor) }

// HostIsRelease is ioc_common.py get_host_release's test: a host release
// without -RELEASE (or -STABLE, which FreeNAS runs) is "Not a RELEASE".
func HostIsRelease(release string) bool {
	return strings.Contains(release, "-RELEASE") || strings.Contains(release, "-STABLE")
}

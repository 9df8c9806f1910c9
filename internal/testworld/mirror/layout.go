package mirror

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MirrorPrefix is where download.freebsd.org keeps release sets, and so
// where a builder puts them under its root directory. The server also
// answers the same tree under /releases/ and /pub/FreeBSD/releases/ (the
// other spellings mirrors use).
const MirrorPrefix = "ftp/releases"

var servedPrefixes = []string{"ftp/releases", "releases", "pub/FreeBSD/releases"}

// machineArch maps a machine (uname -m, TARGET) to its machine_arch
// (uname -p, TARGET_ARCH): the two levels of a mirror's release path.
var machineArch = map[string]string{
	"amd64":   "amd64",
	"arm64":   "aarch64",
	"i386":    "i386",
	"powerpc": "powerpc64",
	"riscv":   "riscv64",
}

// MachineArch returns the machine_arch directory a mirror uses for machine.
func MachineArch(machine string) (string, error) {
	a, ok := machineArch[machine]
	if !ok {
		known := make([]string, 0, len(machineArch))
		for m := range machineArch {
			known = append(known, m)
		}
		sort.Strings(known)
		return "", fmt.Errorf("unknown machine %q (known: %s)", machine, strings.Join(known, ", "))
	}
	return a, nil
}

// hasFlatAlias reports whether mirrors also serve machine/REL/ beside
// machine/machine_arch/REL/. They do where the two names agree (a
// compatibility link from before the two-level layout), so iocage's
// ftp/releases/amd64/REL works, while its ftp/releases/arm64/REL does not:
// arm64 sets live only under arm64/aarch64/.
func hasFlatAlias(machine string) bool {
	return machineArch[machine] == machine
}

var (
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	releaseRE = regexp.MustCompile(`^([0-9]+)\.([0-9]+)-[A-Za-z0-9]+`)
)

// validName reports whether s is usable as one path element: no
// separators, no leading dot.
func validName(s string) bool { return nameRE.MatchString(s) }

// releaseMajor returns the major version of a release name like
// 14.3-RELEASE, or 0 if the name does not start with one.
func releaseMajor(rel string) int {
	m := releaseRE.FindStringSubmatch(rel)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// ReleaseDir is where the sets and MANIFEST of one release live under a
// mirror root: ROOT/ftp/releases/MACHINE/MACHINE_ARCH/RELEASE.
func ReleaseDir(root, machine, release string) (string, error) {
	p, err := ReleasePath(machine, release)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(strings.Trim(p, "/"))), nil
}

// ReleasePath is the canonical URL path of a release directory, with a
// trailing slash: /ftp/releases/arm64/aarch64/14.3-RELEASE/.
func ReleasePath(machine, release string) (string, error) {
	arch, err := MachineArch(machine)
	if err != nil {
		return "", err
	}
	if !validName(release) {
		return "", fmt.Errorf("invalid release name %q", release)
	}
	return "/" + path.Join(MirrorPrefix, machine, arch, release) + "/", nil
}

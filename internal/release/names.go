package release

import (
	"errors"
	"runtime"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// ErrInvalid is iocage's answer to a release name that does not start
// with a version.
var ErrInvalid = errors.New("Please supply a valid entry.")

// releaseRE accepts what iocage accepts ("must start with a float"), in a
// form that is also a valid dataset name: 14.3-RELEASE, 13.4-RELEASE-p2,
// 15.0-BETA3, and a bare 12.0 for a local directory.
var releaseRE = lazyregexp.New(`^[0-9]+\.[0-9]+(-[A-Za-z0-9][A-Za-z0-9._-]*)?$`)

// ValidName reports whether rel can name a release.
func ValidName(rel string) bool { return releaseRE.MatchString(rel) }

// Major returns the major version of rel, or 0 when it has none.
func Major(rel string) int {
	i := strings.IndexByte(rel, '.')
	if i <= 0 {
		return 0
	}
	n, err := strconv.Atoi(rel[:i])
	if err != nil {
		return 0
	}
	return n
}

// IsRelease reports whether rel names a -RELEASE (patched or not), the
// only kind iocage compares against the host.
func IsRelease(rel string) bool {
	return ValidName(rel) && strings.Contains(strings.ToUpper(rel), "-RELEASE")
}

// Arch is the host's machine (uname -m) and machine_arch (uname -p): the
// two levels of a mirror's release path.
type Arch struct {
	Machine     string
	MachineArch string
}

// machineArch maps uname -m to uname -p where the two differ on FreeBSD.
var machineArch = map[string]string{
	"arm64":   "aarch64",
	"powerpc": "powerpc64",
	"riscv":   "riscv64",
	"arm":     "armv7",
}

// ArchOf completes a machine name with its machine_arch.
func ArchOf(machine string) Arch {
	if a, ok := machineArch[machine]; ok {
		return Arch{machine, a}
	}
	return Arch{machine, machine}
}

// GoArch is the Arch of the platform jcage was built for, used when the
// host cannot be asked.
func GoArch() Arch {
	switch runtime.GOARCH {
	case "386":
		return ArchOf("i386")
	case "riscv64":
		return ArchOf("riscv")
	case "ppc64", "ppc64le":
		return ArchOf("powerpc")
	}
	return ArchOf(runtime.GOARCH)
}

// DefaultRootDir is the mirror directory holding the host's releases.
// iocage uses ftp/releases/MACHINE, which mirrors serve only where the
// machine and machine_arch agree (amd64/amd64 has a compatibility link);
// arm64 sets live only under ftp/releases/arm64/aarch64, so jcage uses the
// two-level path there.
func DefaultRootDir(a Arch) string {
	if a.MachineArch == "" || a.MachineArch == a.Machine {
		return "ftp/releases/" + a.Machine
	}
	return "ftp/releases/" + a.Machine + "/" + a.MachineArch
}

// DefaultFiles is iocage's file list for a machine and release: base and
// src everywhere, lib32 on amd64 (iocage leaves it out on i386 and arm64),
// and doc before 12.0.
func DefaultFiles(a Arch, rel string) []string {
	files := []string{"MANIFEST", "base.txz"}
	if a.Machine != "i386" && a.Machine != "arm64" {
		files = append(files, "lib32.txz")
	}
	files = append(files, "src.txz")
	if m := Major(rel); m > 0 && m < 12 {
		files = append(files, "doc.txz")
	}
	return files
}

// DefaultServer is iocage's default mirror.
const DefaultServer = "download.freebsd.org"

// NormalizeServer adds the scheme iocage adds: https when authenticating,
// http otherwise. A server that already has a scheme keeps it (iocage's
// substring test would turn "http://x" with --auth into "https://http://x").
func NormalizeServer(server, auth string) string {
	s := strings.TrimRight(strings.TrimSpace(server), "/")
	if s == "" {
		s = DefaultServer
	}
	low := strings.ToLower(s)
	if strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") {
		return s
	}
	if auth != "" {
		return "https://" + s
	}
	return "http://" + s
}

// FileURL is SERVER/ROOTDIR/REL/FILE.
func FileURL(server, rootDir, rel, file string) string {
	return DirURL(server, rootDir) + rel + "/" + file
}

// DirURL is SERVER/ROOTDIR/, the listing the release menu is read from.
func DirURL(server, rootDir string) string {
	d := strings.Trim(rootDir, "/")
	if d == "" {
		return server + "/"
	}
	return server + "/" + d + "/"
}

// hrefRE finds release directories in a mirror's index page.
var hrefRE = lazyregexp.New(`href="(?:\./)?([0-9]+\.[0-9]+-[A-Za-z0-9._-]+)/?"`)

// ParseListing returns the -RELEASE directories an index page links to,
// once each, in the page's order. iocage splits the page on whitespace
// and keeps tokens mentioning "-RELEASE"; reading the links is the same
// idea without the markup.
func ParseListing(page string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		r := m[1]
		if !strings.Contains(r, "-RELEASE") || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// Package natsort holds the orderings iocage's tables sort names by:
// integers as Python's int() reads them, and FreeBSD release names in
// true version order. It is pure: no I/O, nothing run.
package natsort

import (
	"cmp"
	"strings"
	"unicode"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// PyInt accepts what Python's int() accepts for ASCII input (surrounding
// whitespace, a sign, digits) and returns a canonical form for CompareInts.
func PyInt(s string) (string, bool) {
	s = strings.TrimFunc(s, IsPySpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0", true
	}
	if neg {
		return "-" + s, true
	}
	return s, true
}

// CompareInts compares canonical integers of any size.
func CompareInts(a, b string) int {
	na, nb := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	switch {
	case na && !nb:
		return -1
	case !na && nb:
		return 1
	case na && nb:
		return CompareInts(b[1:], a[1:])
	}
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// versionRE splits a FreeBSD release name: numbers, branch tag with an
// optional number (RC2), patch level, and whatever follows (-HBSD).
var versionRE = lazyregexp.New(`^(\d+(?:\.\d+)*)(?:-([A-Za-z]+)(\d*))?(?:-p(\d+))?(.*)$`)

// branchRank orders the tags one version number passes through on its way
// out of FreeBSD's release engineering, with -STABLE after the release.
var branchRank = map[string]int{
	"CURRENT":    0,
	"PRERELEASE": 1,
	"ALPHA":      2,
	"BETA":       3,
	"RC":         4,
	"":           5, // a bare "13.2" is taken as the release itself
	"RELEASE":    5,
	"STABLE":     6,
}

const unknownBranch = 7

type version struct {
	nums   []string // canonical integers, major first
	rank   int
	tag    string // upper-cased, compared only among unknown tags
	tagNum string
	patch  string
	rest   string
}

func parseVersion(s string) (version, bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{}, false
	}
	v := version{tag: strings.ToUpper(m[2]), rest: m[5]}
	for n := range strings.SplitSeq(m[1], ".") {
		c, _ := PyInt(n)
		v.nums = append(v.nums, c)
	}
	r, known := branchRank[v.tag]
	if !known {
		r = unknownBranch
	}
	v.rank = r
	v.tagNum, _ = PyInt(cmp.Or(m[3], "0"))
	v.patch, _ = PyInt(cmp.Or(m[4], "0"))
	return v, true
}

// Versions orders FreeBSD release names by version:
// 9.3-RELEASE < 13.4-RELEASE < 14.0-CURRENT < 14.0-BETA2 < 14.0-RC1 <
// 14.0-RELEASE < 14.0-RELEASE-p3 < 14.0-STABLE < 14.3-RELEASE. Names that
// do not start with a version go last, by text; names that compare equal
// otherwise fall back to text, so the order is total. This is true version
// order, deliberately not iocage's list -r order, which sorts the text
// "<float>_<n>" and so puts 13.4 before 9.3.
func Versions(a, b string) int {
	va, oka := parseVersion(a)
	vb, okb := parseVersion(b)
	switch {
	case !oka && !okb:
		return strings.Compare(a, b)
	case !oka:
		return 1
	case !okb:
		return -1
	}
	for i := range max(len(va.nums), len(vb.nums)) {
		if c := CompareInts(numAt(va.nums, i), numAt(vb.nums, i)); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(va.rank, vb.rank); c != 0 {
		return c
	}
	if va.rank == unknownBranch {
		if c := strings.Compare(va.tag, vb.tag); c != 0 {
			return c
		}
	}
	if c := CompareInts(va.tagNum, vb.tagNum); c != 0 {
		return c
	}
	if c := CompareInts(va.patch, vb.patch); c != 0 {
		return c
	}
	if c := strings.Compare(va.rest, vb.rest); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func numAt(nums []string, i int) string {
	if i < len(nums) {
		return nums[i]
	}
	return "0"
}

// IsPySpace is Python's str.isspace for one character. Go's unicode.IsSpace
// agrees except for the ASCII separators U+001C..U+001F, which Python counts.
func IsPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

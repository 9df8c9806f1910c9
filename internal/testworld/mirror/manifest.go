package mirror

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// ManifestEntry is one line of a release MANIFEST, as written by
// release/scripts/make-manifest.sh: six tab-separated fields.
type ManifestEntry struct {
	File        string // base.txz
	SHA256      string // lowercase hex
	Entries     int    // number of archive members (tar tvf | wc -l)
	Dist        string // file name minus .txz, with - turned into _
	Description string // without the surrounding double quotes
	Default     bool   // installed by default: "on" / "off"
}

// String renders the entry as its MANIFEST line, without the newline.
func (e ManifestEntry) String() string {
	onoff := "off"
	if e.Default {
		onoff = "on"
	}
	return strings.Join([]string{e.File, e.SHA256, strconv.Itoa(e.Entries), e.Dist, `"` + e.Description + `"`, onoff}, "\t")
}

// FormatManifest renders entries sorted by file name, as the release
// script emits them (it walks *.txz in glob order).
func FormatManifest(entries []ManifestEntry) []byte {
	sorted := append([]ManifestEntry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].File < sorted[j].File })
	var b bytes.Buffer
	for _, e := range sorted {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseManifest reads a MANIFEST strictly: every non-empty line must have
// the six fields in their real shapes.
func ParseManifest(r io.Reader) ([]ManifestEntry, error) {
	var out []ManifestEntry
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("manifest line %d: %d fields, want 6", n, len(f))
		}
		if len(f[1]) != 64 || strings.Trim(f[1], "0123456789abcdef") != "" {
			return nil, fmt.Errorf("manifest line %d: bad sha256 %q", n, f[1])
		}
		count, err := strconv.Atoi(f[2])
		if err != nil || count < 0 {
			return nil, fmt.Errorf("manifest line %d: bad entry count %q", n, f[2])
		}
		if len(f[4]) < 2 || f[4][0] != '"' || f[4][len(f[4])-1] != '"' {
			return nil, fmt.Errorf("manifest line %d: description not quoted: %q", n, f[4])
		}
		if f[5] != "on" && f[5] != "off" {
			return nil, fmt.Errorf("manifest line %d: default %q is neither on nor off", n, f[5])
		}
		out = append(out, ManifestEntry{
			File: f[0], SHA256: f[1], Entries: count, Dist: f[3],
			Description: f[4][1 : len(f[4])-1], Default: f[5] == "on",
		})
	}
	return out, sc.Err()
}

// setInfo holds the description and default of the distribution sets the
// 14.x make-manifest.sh knows.
var setInfo = map[string]struct {
	desc string
	on   bool
}{
	"base":       {"Base system (MANDATORY)", true},
	"base-dbg":   {"Base system (Debugging)", false},
	"kernel":     {"Kernel (MANDATORY)", true},
	"kernel-dbg": {"Kernel (Debugging)", true},
	"lib32":      {"32-bit compatibility libraries", true},
	"lib32-dbg":  {"32-bit compatibility libraries (Debugging)", false},
	"ports":      {"Ports tree", false},
	"src":        {"System source tree", false},
	"tests":      {"Test suite", false},
}

// manifestEntry describes set (e.g. "lib32") the way make-manifest.sh
// would.
func manifestEntry(set, sum string, entries int) ManifestEntry {
	info := setInfo[set]
	return ManifestEntry{
		File:        set + ".txz",
		SHA256:      sum,
		Entries:     entries,
		Dist:        strings.ReplaceAll(set, "-", "_"),
		Description: info.desc,
		Default:     info.on,
	}
}

package release

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"unicode"
)

// Manifest maps each distribution set ("base.txz") to its SHA-256, as the
// release's MANIFEST lists them: tab-separated lines whose first field is
// the file and second its lowercase hex digest (the other four fields,
// entry count, dist name, description and default, are not needed here).
type Manifest map[string]string

// maxManifest bounds what is read as a MANIFEST: a real one is a few
// hundred bytes.
const maxManifest = 1 << 20

// ParseManifest reads a MANIFEST. Every non-empty line needs a file name
// and a well-formed digest; anything else means the file is not a
// MANIFEST at all (an HTML error page, say).
func ParseManifest(data []byte) (Manifest, error) {
	m := Manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("MANIFEST line %d: want tab-separated file and sha256, got %q", n, line)
		}
		file, sum := f[0], strings.ToLower(f[1])
		if file == "" || strings.ContainsAny(file, "/\\") || strings.ContainsFunc(file, unicode.IsControl) || file == "." || file == ".." {
			return nil, fmt.Errorf("MANIFEST line %d: bad file name %q", n, file)
		}
		if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("MANIFEST line %d: bad sha256 %q", n, f[1])
		}
		m[file] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("MANIFEST lists no files")
	}
	return m, nil
}

package plugin

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// Version is a package's version as iocage reports it for a plugin
// (ioc_common.parse_package_name): "1.2.3_4,1" is version 1.2.3,
// revision 4, epoch 1.
type Version struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
	Epoch    string `json:"epoch"`
}

// pathRE is iocage's RE_PLUGIN_VERSION, applied to each line of
// packagesite.yaml.
var pathRE = lazyregexp.New(`"path":"([/\.\+,\d\w-]*)\.txz"`)

// ParseVersion splits NAME-VERSION as parse_package_name does.
func ParseVersion(pkg string) (name string, v Version, ok bool) {
	i := strings.LastIndex(pkg, "-")
	if i < 0 {
		return "", v, false
	}
	name, ver := pkg[:i], pkg[i+1:]
	v.Epoch = "0"
	if j := strings.LastIndex(ver, ","); j >= 0 {
		ver, v.Epoch = ver[:j], ver[j+1:]
	}
	v.Revision = "0"
	if j := strings.LastIndex(ver, "_"); j >= 0 {
		ver, v.Revision = ver[:j], ver[j+1:]
	}
	v.Revision = strings.ReplaceAll(v.Revision, ".txz", "")
	v.Version = ver
	return name, v, true
}

// ParsePackagesite reads packagesite.yaml (one JSON object per line) and
// returns each package's version, keyed by package name, as iocage's
// fetch_plugin_packagesites does from the "path" of each line.
func ParsePackagesite(r io.Reader) (map[string]Version, error) {
	out := map[string]Version{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		m := pathRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		base := m[1]
		if i := strings.LastIndex(base, "/"); i >= 0 {
			base = base[i+1:]
		}
		if name, v, ok := ParseVersion(base); ok {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// PackagesiteYAML finds packagesite.yaml in a decompressed
// packagesite.txz (a tar archive; the caller runs xz).
func PackagesiteYAML(tarball io.Reader) ([]byte, error) {
	tr := tar.NewReader(tarball)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("packagesite.txz has no packagesite.yaml")
		}
		if err != nil {
			return nil, fmt.Errorf("packagesite.txz: %w", err)
		}
		if strings.TrimPrefix(h.Name, "./") == "packagesite.yaml" {
			return io.ReadAll(io.LimitReader(tr, 256<<20))
		}
	}
}

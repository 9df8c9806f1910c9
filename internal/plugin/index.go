package plugin

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultRepository is the index iocage uses when -g is not given.
const DefaultRepository = "https://github.com/freenas/iocage-ix-plugins.git"

// IndexEntry is one plugin of an index repository's INDEX file, with the
// keys iocage reads (ioc_plugin.py fetch_plugin_index and
// retrieve_plugin_index_data).
type IndexEntry struct {
	ID          string `json:"-"`
	Manifest    string `json:"MANIFEST"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Official    bool   `json:"official"`
	Icon        string `json:"icon"`
	License     string `json:"license"`
	Category    string `json:"category"`
	PrimaryPkg  string `json:"primary_pkg"`
}

// Index is a parsed INDEX, sorted by plugin id as iocage lists it.
type Index []IndexEntry

// ParseIndex decodes an INDEX: a JSON object keyed by plugin id.
func ParseIndex(b []byte) (Index, error) {
	var m map[string]IndexEntry
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("INDEX: %w", err)
	}
	out := make(Index, 0, len(m))
	for id, e := range m {
		if e.Manifest != "" && (filepath.IsAbs(e.Manifest) || !filepath.IsLocal(e.Manifest)) {
			return nil, fmt.Errorf("INDEX: %s: MANIFEST %q is not a path inside the index", id, e.Manifest)
		}
		e.ID = id
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Lookup finds a plugin by id, or by its display name as iocage's
// __fetch_validate_plugin__ accepts it.
func (ix Index) Lookup(name string) (IndexEntry, bool) {
	for _, e := range ix {
		if e.ID == name {
			return e, true
		}
	}
	for _, e := range ix {
		if e.Name == name {
			return e, true
		}
	}
	return IndexEntry{}, false
}

// LicenseFor is the license URL the user must accept before a fetch,
// looked up as iocage does: by the last package's name after its
// category, else by the manifest's lowercased name.
func (ix Index) LicenseFor(m *Manifest) string {
	if len(m.Pkgs) > 0 {
		last := m.Pkgs[len(m.Pkgs)-1]
		if i := strings.LastIndex(last, "/"); i >= 0 {
			last = last[i+1:]
		}
		for _, e := range ix {
			if e.ID == last {
				return e.License
			}
		}
	}
	name := strings.ToLower(m.Name)
	if i := strings.Index(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	for _, e := range ix {
		if e.ID == name {
			return e.License
		}
	}
	return ""
}

// CloneDir is where iocage keeps a clone of an index repository:
// IOCROOT/.plugins/<URL without its scheme, '/' and '.' turned into '_'>,
// e.g. github_com_freenas_iocage-ix-plugins_git.
func CloneDir(iocroot, repoURL string) string {
	rest := repoURL
	if _, after, ok := strings.Cut(repoURL, "://"); ok {
		rest = after
	}
	rest = strings.NewReplacer("/", "_", ".", "_").Replace(rest)
	return filepath.Join(iocroot, ".plugins", rest)
}

// DefaultBranch is the index branch for a host: "<major.minor>-RELEASE"
// from freebsd-version -u ("14.3-RELEASE-p2" gives "14.3-RELEASE"), or
// "<major>.0-RELEASE" when the version has no minor.
func DefaultBranch(hostVersion string) string {
	v, _, _ := strings.Cut(hostVersion, "-")
	if !strings.Contains(v, ".") {
		v += ".0"
	}
	return v + "-RELEASE"
}

// ExpandABI replaces ${ABI} in a packagesite the way iocage does when it
// lists versions: FreeBSD:<major of release>:amd64.
func ExpandABI(packagesite, release string) string {
	major, _, _ := strings.Cut(release, "-")
	major, _, _ = strings.Cut(major, ".")
	return strings.ReplaceAll(packagesite, "${ABI}", "FreeBSD:"+major+":amd64")
}

// PackagesiteURL is the packagesite.txz of a repository URL.
func PackagesiteURL(site string) (string, error) {
	u, err := url.Parse(strings.TrimRight(site, "/") + "/packagesite.txz")
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

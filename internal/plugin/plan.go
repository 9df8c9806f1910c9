package plugin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultProps are the properties every plugin jail starts from
// (IOCPlugin.DEFAULT_PROPS).
var DefaultProps = []Prop{{"vnet", "1"}, {"boot", "1"}}

// PluginVersion is the type suffix iocage gives the jails it makes.
const PluginVersion = "2"

// ErrNoNetwork is iocage's refusal of a plugin jail without any address.
var ErrNoNetwork = errors.New("Network connectivity is required to fetch a plugin. Please enable dhcp/nat or supply a valid ip address.")

// InstallRequest is what `fetch -P` was asked for.
type InstallRequest struct {
	Plugin     string   // plugin id: the index's key, or the manifest file's base name
	Repository string   // plugin_repository: the index repository URL
	Name       string   // -n; empty means the manifest's name
	Props      []string // KEY=VALUE from the command line
	Userland   string   // USERLAND_VERSION of the manifest's release (e.g. 14.3-RELEASE-p2)
	// Taken reports whether a jail name is in use; the plan picks NAME,
	// NAME_1, NAME_2... as iocage.py fetch does.
	Taken func(name string) bool
}

// File is one file the plan writes under the jail root.
type File struct {
	Path string // absolute, as seen inside the jail
	Body string
}

// Plan is a plugin install, decided before anything changes.
type Plan struct {
	Name     string   // jail name
	Plugin   string   // plugin id (plugin_name)
	Release  string   // the release the jail is made from
	Props    []string // create's KEY=VALUE list, in iocage's order
	Kmods    []string // kldload -n, on the host, in order
	Secure   bool     // https packagesite: ca_root_nss is installed first
	Dirs     []string // directories made under the jail root, in order
	Files    []File   // the pkg repository files, in order
	Packages []string
	Artifact string // git URL or file:// path of the artifact
	// ManifestFile is the manifest's copy in the jail directory.
	ManifestFile string
}

// RepoConf is the pkg repository file iocage writes for a plugin
// repository (ioc_plugin.py __fetch_plugin_install_packages__), byte for
// byte, its odd indentation included. pkg(8) reads it as UCL
// (pkg.conf(5), REPOSITORY CONFIGURATION).
func RepoConf(name, packagesite string) string {
	return name + ": {\n" +
		"            url: \"" + packagesite + "\",\n" +
		"            signature_type: \"fingerprints\",\n" +
		"            fingerprints: \"/usr/local/etc/pkg/fingerprints/" + name + "\",\n" +
		"            enabled: true\n" +
		"            }\n"
}

// FreeBSDConf disables the default FreeBSD repository inside the jail.
const FreeBSDConf = "FreeBSD: { enabled: no }\n"

// FingerprintFile is one trusted key as pkg(8) reads it from
// fingerprints/REPO/trusted/ (libpkg pkg_repo_load_fingerprint: a UCL
// object with "function" and "fingerprint"; function must be sha256).
func FingerprintFile(f Fingerprint) string {
	return "function: " + f.Function + "\nfingerprint: " + f.Fingerprint + "\n"
}

// PkgDir is where the repository files go inside the jail.
const PkgDir = "/usr/local/etc/pkg"

// PlanInstall decides a plugin install from its manifest. Nothing is
// touched; an error means nothing would be.
func PlanInstall(m *Manifest, req InstallRequest) (*Plan, error) {
	if req.Plugin == "" {
		return nil, errors.New("plugin id is empty")
	}
	for _, r := range m.Repos {
		if !safeRepoName(r.Name) {
			return nil, fmt.Errorf("plugin manifest: repository name %q is not a plain file name", r.Name)
		}
		for _, f := range r.Fingerprints {
			if strings.ContainsAny(f.Function+f.Fingerprint, "\n\r") {
				return nil, fmt.Errorf("plugin manifest: fingerprint of %s spans lines", r.Name)
			}
		}
	}
	if strings.ContainsAny(m.Packagesite, "\"\n\r\\") {
		return nil, fmt.Errorf("plugin manifest: packagesite %q cannot be written to a repository file", m.Packagesite)
	}
	for _, k := range m.Kmods {
		if k == "" || strings.HasPrefix(k, "-") || strings.ContainsAny(k, " \t\n") {
			return nil, fmt.Errorf("plugin manifest: kernel module %q is not a module name", k)
		}
	}
	for _, p := range m.Pkgs {
		if p == "" || strings.HasPrefix(p, "-") {
			return nil, fmt.Errorf("plugin manifest: package %q is not a package name", p)
		}
	}
	name := req.Name
	if name == "" {
		name = m.Name
	}
	if req.Taken != nil && req.Taken(name) {
		for i := 1; ; i++ {
			n := name + "_" + strconv.Itoa(i)
			if !req.Taken(n) {
				name = n
				break
			}
		}
	}
	props, err := MergeProps(m.Properties, req.Props)
	if err != nil {
		return nil, err
	}
	userland := req.Userland
	if userland == "" {
		userland = m.Release
	}
	create := []string{"release=" + userland}
	for _, p := range props {
		create = append(create, p.Key+"="+p.Value)
	}
	if !hasNetwork(props) {
		return nil, ErrNoNetwork
	}
	create = append(create, "type=pluginv"+PluginVersion, "plugin_name="+req.Plugin, "plugin_repository="+req.Repository)

	p := &Plan{
		Name:         name,
		Plugin:       req.Plugin,
		Release:      m.Release,
		Props:        create,
		Kmods:        m.Kmods,
		Secure:       strings.Contains(m.Packagesite, "https://"),
		Packages:     m.Pkgs,
		Artifact:     m.Artifact,
		ManifestFile: req.Plugin + ".json",
	}
	p.Dirs = append(p.Dirs, PkgDir+"/repos")
	p.Files = append(p.Files, File{PkgDir + "/repos/FreeBSD.conf", FreeBSDConf})
	for _, r := range m.Repos {
		fp := PkgDir + "/fingerprints/" + r.Name
		p.Dirs = append(p.Dirs, fp+"/trusted", fp+"/revoked")
		p.Files = append(p.Files, File{PkgDir + "/repos/" + r.Name + ".conf", RepoConf(r.Name, m.Packagesite)})
		// iocage rewrites the same file for each fingerprint: the last
		// one is what pkg trusts.
		if n := len(r.Fingerprints); n > 0 {
			p.Files = append(p.Files, File{fp + "/trusted/" + r.Name, FingerprintFile(r.Fingerprints[n-1])})
		}
	}
	return p, nil
}

func safeRepoName(s string) bool {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\x00\n\r\":{}") {
		return false
	}
	return true
}

// falsy is iocage's truthy_inverse_values as text.
func falsy(v string) bool {
	switch strings.ToLower(v) {
	case "0", "off", "no", "false", "none", "":
		return true
	}
	return false
}

// MergeProps merges the manifest's properties into the user's as
// IOCPlugin.__fetch_plugin_props__ does: a user property wins; a network
// option the manifest enables (nat, dhcp, ip4_addr, ip6_addr) is dropped
// when the user enabled another one. DefaultProps lead, in their place,
// unless overridden. iocage keeps only the text up to a second '=' of a
// user value; jcage keeps the whole value.
func MergeProps(manifest []Prop, user []string) ([]Prop, error) {
	var userProps []Prop
	idx := map[string]int{}
	for _, a := range user {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("Invalid property %q: use KEY=VALUE", a)
		}
		if i, ok := idx[k]; ok {
			userProps[i].Value = v
			continue
		}
		idx[k] = len(userProps)
		userProps = append(userProps, Prop{k, v})
	}
	given := map[string]string{}
	for _, p := range userProps {
		given[p.Key] = p.Value
	}
	network := map[string]bool{"nat": true, "dhcp": true, "ip4_addr": true, "ip6_addr": true}
	merged := append([]Prop(nil), userProps...)
	for _, p := range manifest {
		if _, ok := given[p.Key]; ok {
			continue
		}
		if network[p.Key] && !falsy(p.Value) {
			delete(network, p.Key)
			other := false
			for nk := range network {
				if v, ok := given[nk]; ok && !falsy(v) {
					other = true
				}
			}
			if other {
				continue
			}
		}
		if i, ok := idx[p.Key]; ok {
			merged[i].Value = p.Value
			continue
		}
		idx[p.Key] = len(merged)
		merged = append(merged, p)
	}
	// {**DEFAULT_PROPS, **props}: defaults first, each overridden in place.
	out := make([]Prop, 0, len(merged)+len(DefaultProps))
	seen := map[string]bool{}
	for _, d := range DefaultProps {
		if i, ok := idx[d.Key]; ok {
			d.Value = merged[i].Value
		}
		out = append(out, d)
		seen[d.Key] = true
	}
	for _, p := range merged {
		if !seen[p.Key] {
			out = append(out, p)
		}
	}
	return out, nil
}

// hasNetwork is iocage's check before a plugin jail is made: an address,
// or dhcp, nat or ip_hostname enabled.
func hasNetwork(props []Prop) bool {
	for _, p := range props {
		switch p.Key {
		case "ip4_addr", "ip6_addr":
			if p.Value != "none" {
				return true
			}
		case "dhcp", "nat", "ip_hostname":
			switch strings.ToLower(p.Value) {
			case "1", "on", "yes", "true":
				return true
			}
		}
	}
	return false
}

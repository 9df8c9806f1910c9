package fbsdsim

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Remote package repositories, as pkg(8) 1.21 uses them inside a jail or
// root (pkg -j/-c/-r attach or chroot before reading any configuration,
// libpkg/pkg_config.c pkg_ini): the repository files of REPOS_DIR
// (default "/etc/pkg/", "/usr/local/etc/pkg/repos/"), read in order, each
// file's objects merged over the earlier ones by repository name
// (pkg_config.c load_repo_files / walk_repo_obj); a repository with
// "enabled: no" is skipped; ${ABI} in its url is expanded (pkg_config.c
// expand via pkg_get_myabi). For an enabled http(s) repository, pkg
// update fetches meta.conf and packagesite.txz (libpkg/repo/binary/
// update.c pkg_repo_binary_update_proceed, pkg_repo_fetch_meta). With
// signature_type "fingerprints" the archive's NAME.sig / NAME.pub pairs
// are read (libpkg/pkg_repo.c pkg_repo_meta_extract_signature_fingerprints)
// and the sha256 of each .pub must be among the files of
// FINGERPRINTS/trusted and not of FINGERPRINTS/revoked
// (pkg_repo_check_fingerprint, pkg_repo_load_fingerprints, each file a
// UCL object with "function" (sha256) and "fingerprint"). The RSA
// signature itself is not verified here. The catalogue is then
// packagesite.yaml, one JSON object per package and line.
//
// When such a repository is configured, the packages it offers replace
// the simulator's built-in catalogue for that invocation.

type simRepo struct {
	Name          string
	URL           string
	Enabled       bool
	SignatureType string
	Fingerprints  string
}

var ucTopRE = regexp.MustCompile(`([A-Za-z0-9_.-]+)\s*:\s*\{`)

// ucObjects finds each top-level NAME: { ... } with its body; braces
// inside quoted strings (a url's ${ABI}) do not count.
func ucObjects(text string) [][2]string {
	var out [][2]string
	for len(text) > 0 {
		loc := ucTopRE.FindStringSubmatchIndex(text)
		if loc == nil {
			break
		}
		name := text[loc[2]:loc[3]]
		body, depth, quoted, end := loc[1], 1, false, -1
		for i := body; i < len(text); i++ {
			switch c := text[i]; {
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == '{':
				depth++
			case c == '}':
				depth--
			}
			if depth == 0 {
				end = i
				break
			}
		}
		if end < 0 {
			break
		}
		out = append(out, [2]string{name, text[body:end]})
		text = text[end+1:]
	}
	return out
}

// parseRepoFile reads the repository objects of one UCL file, in the
// subset iocage and jcage write (NAME: { key: value, ... }).
func parseRepoFile(b []byte, into map[string]*simRepo, order *[]string) {
	var clean strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "#"); i >= 0 && !strings.Contains(line[:i], "\"") {
			line = line[:i]
		}
		clean.WriteString(line + "\n")
	}
	for _, m := range ucObjects(clean.String()) {
		name := m[0]
		r := into[name]
		if r == nil {
			r = &simRepo{Name: name, Enabled: true}
			into[name] = r
			*order = append(*order, name)
		}
		for _, kv := range strings.FieldsFunc(m[1], func(c rune) bool { return c == ',' || c == '\n' || c == ';' }) {
			k, v, ok := strings.Cut(kv, ":")
			if !ok {
				continue
			}
			k = strings.ToLower(strings.TrimSpace(k))
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch k {
			case "url":
				r.URL = v
			case "enabled":
				r.Enabled = !pkgFalse(v)
			case "signature_type":
				r.SignatureType = strings.ToLower(v)
			case "fingerprints":
				r.Fingerprints = v
			}
		}
	}
}

func pkgFalse(v string) bool {
	switch strings.ToLower(v) {
	case "no", "false", "off", "0":
		return true
	}
	return false
}

// jailRepos reads the repositories configured under root.
func jailRepos(root string) []*simRepo {
	repos := map[string]*simRepo{}
	var order []string
	for _, dir := range []string{"etc/pkg", "usr/local/etc/pkg/repos"} {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.conf"))
		sort.Strings(files)
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				parseRepoFile(b, repos, &order)
			}
		}
	}
	var out []*simRepo
	for _, n := range order {
		out = append(out, repos[n])
	}
	return out
}

// pkgRemote holds the catalogue a remote repository supplied to one
// invocation.
var pkgRemote sync.Map // *Env → map[string]pkgInstall

// loadRemote fetches the catalogue of every enabled remote repository
// configured under r.root. It returns false, having said why as pkg
// does, when a repository cannot be trusted or fetched.
func (r *pkgRun) loadRemote() bool {
	e := r.e
	if r.root == "" {
		return true
	}
	catalog := map[string]pkgInstall{}
	remote := false
	for _, repo := range jailRepos(r.root) {
		if !repo.Enabled || repo.URL == "" {
			continue
		}
		u := strings.TrimPrefix(repo.URL, "pkg+")
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			continue
		}
		if strings.Contains(strings.ToLower(u), "://pkg.freebsd.org/") {
			// The project's own repositories (FreeBSD, FreeBSD-kmods)
			// are the built-in catalogue: the test world has no network.
			continue
		}
		remote = true
		u = strings.TrimRight(strings.ReplaceAll(u, "${ABI}", r.abi()), "/")
		pkgs, err := r.fetchCatalog(repo, u)
		if err != nil {
			fmt.Fprintf(e.Stderr, "pkg: %v\n", err)
			fmt.Fprintf(e.Stderr, "Unable to update repository %s\n", repo.Name)
			fmt.Fprintln(e.Stderr, "Error updating repositories!")
			return false
		}
		for n, p := range pkgs {
			if _, seen := catalog[n]; !seen {
				catalog[n] = p
			}
		}
	}
	if remote {
		pkgRemote.Store(e, catalog)
	}
	return true
}

func (r *pkgRun) fetchCatalog(repo *simRepo, base string) (map[string]pkgInstall, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(name string) ([]byte, int, error) {
		resp, err := client.Get(base + "/" + name)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		return b, resp.StatusCode, err
	}
	if _, code, err := get("meta.conf"); err != nil {
		return nil, fmt.Errorf("%s/meta.conf: %v", base, err)
	} else if code != http.StatusOK && code != http.StatusNotFound {
		return nil, fmt.Errorf("%s/meta.conf: %s", base, http.StatusText(code))
	}
	txz, code, err := get("packagesite.txz")
	if err != nil {
		return nil, fmt.Errorf("%s/packagesite.txz: %v", base, err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("%s/packagesite.txz: %s", base, http.StatusText(code))
	}
	cmd := exec.Command("xz", "-dc")
	cmd.Stdin = bytes.NewReader(txz)
	var tarball bytes.Buffer
	cmd.Stdout = &tarball
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("packagesite.txz: not an xz archive: %v", err)
	}
	var yaml []byte
	sigs, pubs := map[string][]byte{}, map[string][]byte{}
	tr := tar.NewReader(&tarball)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("packagesite.txz: %v", err)
		}
		b, _ := io.ReadAll(tr)
		switch name := h.Name; {
		case name == "packagesite.yaml":
			yaml = b
		case strings.HasSuffix(name, ".sig"):
			sigs[strings.TrimSuffix(name, ".sig")] = b
		case strings.HasSuffix(name, ".pub"):
			pubs[strings.TrimSuffix(name, ".pub")] = b
		}
	}
	if repo.SignatureType == "fingerprints" {
		if err := r.checkFingerprints(repo, sigs, pubs); err != nil {
			return nil, err
		}
	}
	if yaml == nil {
		return nil, errors.New("packagesite.txz has no packagesite.yaml")
	}
	out := map[string]pkgInstall{}
	for _, line := range strings.Split(string(yaml), "\n") {
		var p struct{ Name, Version, Origin, Comment string }
		if json.Unmarshal([]byte(line), &p) == nil && p.Name != "" {
			out[p.Name] = pkgInstall{Version: p.Version, Origin: p.Origin, Comment: p.Comment}
		}
	}
	return out, nil
}

// checkFingerprints is pkg_repo_check_fingerprint.
func (r *pkgRun) checkFingerprints(repo *simRepo, sigs, pubs map[string][]byte) error {
	if len(sigs) == 0 && len(pubs) == 0 {
		return errors.New("No signature found")
	}
	dir := filepath.Join(r.root, filepath.Clean("/"+repo.Fingerprints))
	trusted, err := loadFingerprints(filepath.Join(dir, "trusted"))
	if err != nil {
		return fmt.Errorf("Error loading trusted certificates")
	}
	revoked, _ := loadFingerprints(filepath.Join(dir, "revoked"))
	good := 0
	for name, pub := range pubs {
		if sigs[name] == nil {
			return fmt.Errorf("No signature with name %s has been found", name)
		}
		sum := sha256.Sum256(pub)
		h := hex.EncodeToString(sum[:])
		if revoked[h] {
			return errors.New("At least one of the  certificates has been revoked")
		}
		if trusted[h] {
			good++
		}
	}
	for name := range sigs {
		if pubs[name] == nil {
			return fmt.Errorf("No key with name %s has been found", name)
		}
	}
	if good == 0 {
		return errors.New("No trusted public keys found")
	}
	return nil
}

var fpLineRE = regexp.MustCompile(`^\s*(function|fingerprint)\s*[:=]\s*"?([^";]*)"?\s*;?\s*$`)

// loadFingerprints reads every file of dir as pkg_repo_load_fingerprint
// does: "function" must be sha256, "fingerprint" is the hex digest.
func loadFingerprints(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, ent := range ents {
		if ent.Name()[0] == '.' {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			continue
		}
		var fn, fp string
		for _, line := range strings.Split(string(b), "\n") {
			if m := fpLineRE.FindStringSubmatch(line); m != nil {
				if m[1] == "function" {
					fn = m[2]
				} else {
					fp = m[2]
				}
			}
		}
		if strings.EqualFold(fn, "sha256") && fp != "" {
			out[strings.ToLower(fp)] = true
		}
	}
	return out, nil
}

// remoteCatalog answers for a package when a remote repository supplied
// this invocation's catalogue.
func remoteCatalog(e *Env, name string) (pkgInstall, bool, bool) {
	v, ok := pkgRemote.Load(e)
	if !ok {
		return pkgInstall{}, false, false
	}
	p, found := v.(map[string]pkgInstall)[name]
	return p, found, true
}

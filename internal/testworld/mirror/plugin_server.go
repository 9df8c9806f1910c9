package mirror

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// The plugin side of the loopback mirror: a plugin index and its
// artifacts as git repositories over smart HTTP, a pkg(8) repository with
// a signed packagesite, and the license text a plugin asks the user to
// accept.
//
//	/git/iocage-ix-plugins.git      the index: branches 14.3-RELEASE and master (15.0-RELEASE manifests)
//	/git/NAME-artifact.git          each artifact: branch master
//	/pkg/FreeBSD:N:amd64/latest/    meta.conf, packagesite.txz (packagesite.yaml, .pub, .sig)
//	/licenses/notes.txt             the notes plugin's license
//
// The repositories are the real thing: bare repositories built with the
// host's git (fast-import, fixed author and dates, so that commit ids are
// the same on every run) in a directory of their own, and served by git's
// own http-backend through CGI, as a web server serves them
// (git-http-backend(1)). Only the smart upload-pack service is routed to
// it: what a clone and a fetch ask for. net/http/cgi refuses chunked
// request bodies, which git sends only for a negotiation larger than its
// http.postBuffer (1 MiB): far beyond these few commits.

// PluginIndexPath is the index repository's URL path.
const PluginIndexPath = "/git/iocage-ix-plugins.git"

// PluginRunning is a listening plugin server.
type PluginRunning struct {
	URL   string // http://127.0.0.1:PORT
	Index string // URL of the index repository
	srv   *http.Server
	ps    *pluginServer
}

type pluginServer struct {
	root    string          // GIT_PROJECT_ROOT: the bare repositories, as ROOT/git/NAME.git
	repos   map[string]bool // URL paths of the repositories
	backend http.Handler    // git http-backend
	files   map[string][]byte
	mu      sync.Mutex
	hits    map[string]int
}

// StartPlugins builds the fixture repositories for the address it
// listens on and serves them until Close. It needs the host's git(1).
func StartPlugins(addr string) (*PluginRunning, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	ps, err := buildPluginServer(base)
	if err != nil {
		ln.Close()
		return nil, err
	}
	r := &PluginRunning{URL: base, Index: base + PluginIndexPath, ps: ps,
		srv: &http.Server{Handler: ps, ReadHeaderTimeout: 30 * time.Second}}
	go r.srv.Serve(ln)
	return r, nil
}

// Close stops the server and removes its repositories.
func (r *PluginRunning) Close() error {
	err := r.srv.Close()
	return errors.Join(err, os.RemoveAll(r.ps.root))
}

// Hits is how often each path was requested.
func (r *PluginRunning) Hits(path string) int {
	r.ps.mu.Lock()
	defer r.ps.mu.Unlock()
	return r.ps.hits[path]
}

// CommitIndex adds a commit to a branch of the index, changing one file:
// for tests of update.
func (r *PluginRunning) CommitIndex(branch, file, body string) error {
	return fastImport(r.ps.repoDir(PluginIndexPath), []fixtureCommit{{
		branch: branch, parent: true, msg: "update " + file,
		files: map[string]FixtureFile{file: {Body: body, Mode: 0o644}},
	}})
}

func (s *pluginServer) repoDir(urlPath string) string {
	return filepath.Join(s.root, filepath.FromSlash(strings.TrimPrefix(urlPath, "/")))
}

func buildPluginServer(base string) (ps *pluginServer, err error) {
	backend, err := gitHTTPBackend()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "jcage-plugin-repos-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(root)
		}
	}()
	ps = &pluginServer{root: root, repos: map[string]bool{}, files: map[string][]byte{}, hits: map[string]int{},
		backend: &cgi.Handler{Path: backend, Env: append(fixtureGitEnv(), "GIT_PROJECT_ROOT="+root, "GIT_HTTP_EXPORT_ALL=1")}}
	var index []fixtureCommit
	for _, b := range []struct{ branch, release string }{{"14.3-RELEASE", "14.3-RELEASE"}, {"master", "15.0-RELEASE"}} {
		files := map[string]FixtureFile{}
		for p, f := range PluginIndexFiles(b.release) {
			f.Body = expand(f.Body, base)
			files[p] = f
		}
		index = append(index, fixtureCommit{branch: b.branch, files: files, msg: "index for " + b.release})
	}
	if err := ps.addRepo(PluginIndexPath, index); err != nil {
		return nil, err
	}
	for name, files := range PluginArtifacts() {
		if err := ps.addRepo("/git/"+name+".git", []fixtureCommit{{branch: "master", files: files, msg: name}}); err != nil {
			return nil, err
		}
	}
	for _, major := range []string{"14", "15"} {
		dir := "/pkg/FreeBSD:" + major + ":amd64/latest/"
		txz, err := Packagesite(major)
		if err != nil {
			return nil, err
		}
		ps.files[dir+"packagesite.txz"] = txz
		ps.files[dir+"meta.conf"] = []byte(PkgMetaConf)
	}
	ps.files["/licenses/notes.txt"] = []byte("The notes license: use it kindly.\n")
	return ps, nil
}

// addRepo makes the bare repository served at urlPath, HEAD on master,
// with the commits.
func (s *pluginServer) addRepo(urlPath string, commits []fixtureCommit) error {
	dir := s.repoDir(urlPath)
	if err := fixtureGit("init", "--quiet", "--bare", "--initial-branch=master", dir).Run(); err != nil {
		return fmt.Errorf("git init %s: %w", dir, err)
	}
	s.repos[urlPath] = true
	return fastImport(dir, commits)
}

// gitHTTPBackend finds git-http-backend in git's exec path
// (git --exec-path; /usr/lib/git-core on Debian, libexec/git-core in
// FreeBSD's port).
func gitHTTPBackend() (string, error) {
	out, err := fixtureGit("--exec-path").Output()
	if err != nil {
		return "", fmt.Errorf("the plugin server serves its repositories with git http-backend, and git --exec-path failed (install git): %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the plugin server serves its repositories with git http-backend: %w", err)
	}
	return p, nil
}

// fixtureGitEnv keeps the machine's own git configuration out of the
// fixtures and their serving: the same repositories everywhere.
func fixtureGitEnv() []string {
	return []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"}
}

func fixtureGit(args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), fixtureGitEnv()...)
	return cmd
}

// fixtureCommit is one commit of a fixture repository: files, every one
// of the tree unless parent is set, when it changes these files of the
// branch's tip.
type fixtureCommit struct {
	branch string
	files  map[string]FixtureFile
	parent bool
	msg    string
}

// fixtureWhen is every fixture commit's author and commit date.
var fixtureWhen = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// fastImport writes the commits into the bare repository at dir with
// git fast-import (git-fast-import(1): one stream of commit commands,
// files inline), with a fixed author and date, so that ids are stable.
func fastImport(dir string, commits []fixtureCommit) error {
	var in bytes.Buffer
	data := func(s string) { fmt.Fprintf(&in, "data %d\n%s\n", len(s), s) }
	who := fmt.Sprintf("jcage test world <world@jcage.invalid> %d +0000", fixtureWhen.Unix())
	for _, c := range commits {
		fmt.Fprintf(&in, "commit refs/heads/%s\nauthor %s\ncommitter %s\n", c.branch, who, who)
		data(c.msg + "\n")
		if c.parent {
			fmt.Fprintf(&in, "from refs/heads/%s^0\n", c.branch)
		} else {
			in.WriteString("deleteall\n")
		}
		paths := make([]string, 0, len(c.files))
		for p := range c.files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			f := c.files[p]
			mode := "100644"
			switch {
			case f.Symlink:
				mode = "120000"
			case f.Mode&0o111 != 0:
				mode = "100755"
			}
			fmt.Fprintf(&in, "M %s inline %s\n", mode, p)
			data(f.Body)
		}
		in.WriteString("\n")
	}
	cmd := fixtureGit("--git-dir="+dir, "fast-import", "--quiet")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git fast-import into %s: %v: %s", dir, err, out)
	}
	return nil
}

func (s *pluginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	if b, ok := s.files[r.URL.Path]; ok && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.ServeContent(w, r, r.URL.Path, fixtureWhen, bytes.NewReader(b))
		return
	}
	for path := range s.repos {
		switch {
		case r.URL.Path == path+"/info/refs" && r.Method == http.MethodGet:
			if r.URL.Query().Get("service") != "git-upload-pack" {
				http.Error(w, "only smart HTTP upload-pack is served", http.StatusForbidden)
				return
			}
			s.backend.ServeHTTP(w, r)
			return
		case r.URL.Path == path+"/git-upload-pack" && r.Method == http.MethodPost:
			s.backend.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// PkgMetaConf is the repository's meta.conf (pkg-repo(8): the repository
// meta file pkg update reads before the catalogue).
const PkgMetaConf = `version = 2;
packing_format = "txz";
manifests = "packagesite.yaml";
filesite = "filesite.yaml";
manifests_archive = "packagesite";
filesite_archive = "filesite";
`

// Packagesite builds packagesite.txz for a FreeBSD major: packagesite.yaml
// (one JSON object per package and line, as pkg repo writes it), and the
// signature as a fingerprint-signed repository carries it:
// packagesite.yaml.sig and packagesite.yaml.pub (libpkg pkg_repo.c,
// pkg_repo_meta_extract_signature_fingerprints).
func Packagesite(major string) ([]byte, error) {
	var yaml strings.Builder
	names := make([]string, 0, len(PkgPackages))
	for n := range PkgPackages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := PkgPackages[n]
		fmt.Fprintf(&yaml, `{"name":"%s","origin":"misc/%s","version":"%s","comment":"%s (test world)","maintainer":"world@jcage.invalid","www":"https://example.invalid","abi":"FreeBSD:%s:amd64","arch":"freebsd:%s:x86:64","prefix":"/usr/local","sum":"%064x","flatsize":4096,"path":"All/%s-%s.txz","repopath":"All/%s-%s.txz","pkgsize":2048}`+"\n",
			n, n, v, n, major, major, len(n), n, v, n, v)
	}
	var tarball bytes.Buffer
	tw := tar.NewWriter(&tarball)
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range []struct{ name, body string }{
		{"packagesite.yaml", yaml.String()},
		{"packagesite.yaml.sig", "SIGNATURE-OF-packagesite.yaml\n"},
		{"packagesite.yaml.pub", PkgPubKey},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: when, Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	xw, err := newXZContainer(&out, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := xw.Write(tarball.Bytes()); err != nil {
		return nil, err
	}
	if err := xw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

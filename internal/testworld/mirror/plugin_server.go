package mirror

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	"github.com/go-git/go-git/v5/storage/memory"
)

// The plugin side of the loopback mirror: a plugin index and its
// artifacts as git repositories over smart HTTP (what go-git, and git,
// fetch), a pkg(8) repository with a signed packagesite, and the license
// text a plugin asks the user to accept.
//
//	/git/iocage-ix-plugins.git      the index: branches 14.3-RELEASE and master (15.0-RELEASE manifests)
//	/git/NAME-artifact.git          each artifact: branch master
//	/pkg/FreeBSD:N:amd64/latest/    meta.conf, packagesite.txz (packagesite.yaml, .pub, .sig)
//	/licenses/notes.txt             the notes plugin's license

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
	repos map[string]*memory.Storage // URL path of the repository → storage
	files map[string][]byte
	mu    sync.Mutex
	hits  map[string]int
}

// StartPlugins builds the fixture repositories for the address it
// listens on and serves them until Close.
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

// Close stops the server.
func (r *PluginRunning) Close() error { return r.srv.Close() }

// Hits is how often each path was requested.
func (r *PluginRunning) Hits(path string) int {
	r.ps.mu.Lock()
	defer r.ps.mu.Unlock()
	return r.ps.hits[path]
}

// CommitIndex adds a commit to a branch of the index, changing one file:
// for tests of update.
func (r *PluginRunning) CommitIndex(branch, file, body string) error {
	st := r.ps.repos[PluginIndexPath]
	ref, err := st.Reference(plumbing.NewBranchReferenceName(branch))
	if err != nil {
		return err
	}
	parent, err := object.GetCommit(st, ref.Hash())
	if err != nil {
		return err
	}
	tree, err := parent.Tree()
	if err != nil {
		return err
	}
	files := map[string]FixtureFile{}
	err = tree.Files().ForEach(func(f *object.File) error {
		c, err := f.Contents()
		files[f.Name] = FixtureFile{Body: c, Mode: 0o644, Symlink: f.Mode == 0o120000}
		return err
	})
	if err != nil {
		return err
	}
	files[file] = FixtureFile{Body: body, Mode: 0o644}
	h, err := commitFiles(st, files, []plumbing.Hash{parent.Hash}, "update "+file)
	if err != nil {
		return err
	}
	return st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), h))
}

func buildPluginServer(base string) (*pluginServer, error) {
	ps := &pluginServer{repos: map[string]*memory.Storage{}, files: map[string][]byte{}, hits: map[string]int{}}
	idx := memory.NewStorage()
	for _, b := range []struct{ branch, release string }{{"14.3-RELEASE", "14.3-RELEASE"}, {"master", "15.0-RELEASE"}} {
		files := map[string]FixtureFile{}
		for p, f := range PluginIndexFiles(b.release) {
			f.Body = expand(f.Body, base)
			files[p] = f
		}
		h, err := commitFiles(idx, files, nil, "index for "+b.release)
		if err != nil {
			return nil, err
		}
		if err := idx.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(b.branch), h)); err != nil {
			return nil, err
		}
	}
	if err := idx.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("master"))); err != nil {
		return nil, err
	}
	ps.repos[PluginIndexPath] = idx
	for name, files := range PluginArtifacts() {
		st := memory.NewStorage()
		h, err := commitFiles(st, files, nil, name)
		if err != nil {
			return nil, err
		}
		if err := st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("master"), h)); err != nil {
			return nil, err
		}
		if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("master"))); err != nil {
			return nil, err
		}
		ps.repos["/git/"+name+".git"] = st
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

// commitFiles stores files as blobs and trees in st and commits them
// with a fixed author and time, so that ids are stable.
func commitFiles(st *memory.Storage, files map[string]FixtureFile, parents []plumbing.Hash, msg string) (plumbing.Hash, error) {
	tree, err := storeTree(st, files, "")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	sig := object.Signature{Name: "jcage test world", Email: "world@jcage.invalid", When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg + "\n", TreeHash: tree, ParentHashes: parents}
	obj := st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// storeTree stores the files under dir (a "/"-terminated prefix, or "")
// as a tree, entries in git's order (a directory sorts as name + "/").
func storeTree(st *memory.Storage, files map[string]FixtureFile, dir string) (plumbing.Hash, error) {
	type entry struct {
		name, key string
		mode      filemode.FileMode
		hash      plumbing.Hash
	}
	var entries []entry
	subdirs := map[string]bool{}
	for p, f := range files {
		rest, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		if first, _, nested := strings.Cut(rest, "/"); nested {
			if !subdirs[first] {
				subdirs[first] = true
				h, err := storeTree(st, files, dir+first+"/")
				if err != nil {
					return plumbing.ZeroHash, err
				}
				entries = append(entries, entry{first, first + "/", filemode.Dir, h})
			}
			continue
		}
		obj := st.NewEncodedObject()
		obj.SetType(plumbing.BlobObject)
		w, err := obj.Writer()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		io.WriteString(w, f.Body)
		w.Close()
		h, err := st.SetEncodedObject(obj)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		mode := filemode.Regular
		switch {
		case f.Symlink:
			mode = filemode.Symlink
		case f.Mode&0o111 != 0:
			mode = filemode.Executable
		}
		entries = append(entries, entry{rest, rest, mode, h})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	t := &object.Tree{}
	for _, e := range entries {
		t.Entries = append(t.Entries, object.TreeEntry{Name: e.name, Mode: e.mode, Hash: e.hash})
	}
	obj := st.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

func (s *pluginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	if b, ok := s.files[r.URL.Path]; ok && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.ServeContent(w, r, r.URL.Path, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), bytes.NewReader(b))
		return
	}
	for path, st := range s.repos {
		switch {
		case r.URL.Path == path+"/info/refs" && r.Method == http.MethodGet:
			if r.URL.Query().Get("service") != "git-upload-pack" {
				http.Error(w, "only smart HTTP upload-pack is served", http.StatusForbidden)
				return
			}
			s.advertise(w, r, st)
			return
		case r.URL.Path == path+"/git-upload-pack" && r.Method == http.MethodPost:
			s.uploadPack(w, r, st)
			return
		}
	}
	http.NotFound(w, r)
}

type loader struct{ st storer.Storer }

func (l loader) Load(*transport.Endpoint) (storer.Storer, error) { return l.st, nil }

func session(r *http.Request, st storer.Storer) (transport.UploadPackSession, error) {
	ep, err := transport.NewEndpoint("http://" + r.Host + r.URL.Path)
	if err != nil {
		return nil, err
	}
	return server.NewServer(loader{st}).NewUploadPackSession(ep, nil)
}

// advertise answers GET info/refs?service=git-upload-pack (git's
// http-protocol.txt, "Smart Clients").
func (s *pluginServer) advertise(w http.ResponseWriter, r *http.Request, st storer.Storer) {
	sess, err := session(r, st)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ar, err := sess.AdvertisedReferencesContext(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ar.Prefix = [][]byte{[]byte("# service=git-upload-pack"), pktline.Flush}
	w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	ar.Encode(w)
}

// uploadPack answers POST git-upload-pack: wants, then haves up to
// "done", then the pack.
func (s *pluginServer) uploadPack(w http.ResponseWriter, r *http.Request, st storer.Storer) {
	req := packp.NewUploadPackRequest()
	body := io.Reader(r.Body)
	if err := req.UploadRequest.Decode(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sc := pktline.NewScanner(body)
	for sc.Scan() {
		line := strings.TrimSpace(string(sc.Bytes()))
		if line == "done" {
			break
		}
		if h, ok := strings.CutPrefix(line, "have "); ok {
			req.Haves = append(req.Haves, plumbing.NewHash(h))
		}
	}
	sess, err := session(r, st)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := sess.UploadPack(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
	w.Header().Set("Cache-Control", "no-cache")
	resp.Encode(w)
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

package release

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/zfs"
)

// The shared mirror: small releases built once, served on 127.0.0.1 for
// every test of the package.
var (
	mirrorRoot string
	mirrorSrv  *mirror.Running
)

// evilRelease is a release whose MANIFEST matches a base.txz that holds
// a member escaping the root: only the member check can stop it.
const evilRelease = "14.9-RELEASE"

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	if _, err := exec.LookPath("xz"); err != nil {
		return 0, fmt.Errorf("xz(1) is needed to extract sets: %w", err)
	}
	if _, err := exec.LookPath("tar"); err != nil {
		return 0, fmt.Errorf("tar(1) is needed to extract sets: %w", err)
	}
	dir, err := os.MkdirTemp("", "jcage-release-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	mirrorRoot = dir
	for _, s := range []mirror.ReleaseSpec{
		{Name: "14.3-RELEASE", Machine: "amd64"},
		{Name: "13.4-RELEASE", Machine: "amd64"},
		{Name: "14.3-RELEASE", Machine: "arm64"},
	} {
		d, err := mirror.ReleaseDir(dir, s.Machine, s.Name)
		if err != nil {
			return 0, err
		}
		if _, err := mirror.Build(d, s); err != nil {
			return 0, err
		}
	}
	if err := buildEvil(dir); err != nil {
		return 0, err
	}
	mirrorSrv, err = mirror.Start("127.0.0.1:0", dir)
	if err != nil {
		return 0, err
	}
	defer mirrorSrv.Close()
	return m.Run(), nil
}

// buildEvil writes evilRelease: a well-formed base.txz with ../escape in
// it, and a MANIFEST that vouches for it.
func buildEvil(root string) error {
	d, err := mirror.ReleaseDir(root, "amd64", evilRelease)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	data, err := xzTar([]tarEntry{
		{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: "./etc/", Mode: 0o755}},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./etc/ok", Mode: 0o644}, data: "fine\n"},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./etc/../../escape", Mode: 0o644}, data: "out\n"},
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d, "base.txz"), data, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	man := mirror.FormatManifest([]mirror.ManifestEntry{{File: "base.txz", SHA256: hex.EncodeToString(sum[:]), Entries: 3, Dist: "base", Description: "Base system (MANDATORY)", Default: true}})
	return os.WriteFile(filepath.Join(d, "MANIFEST"), man, 0o644)
}

type tarEntry struct {
	hdr  *tar.Header
	data string
}

func tarBytes(entries []tarEntry) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := *e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(&h); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func xzTar(entries []tarEntry) ([]byte, error) {
	raw, err := tarBytes(entries)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("xz", "-z", "-c", "-0")
	cmd.Stdin = bytes.NewReader(raw)
	return cmd.Output()
}

// corruptURL is the mirror with one misbehaviour.
func corruptURL(kind string) string { return mirrorSrv.URL + mirror.CorruptPrefix(kind) }

// setPath is a set's URL path on the mirror, as its stats key it.
func setPath(prefix, machine, rel, file string) string {
	p, err := mirror.ReleasePath(machine, rel)
	if err != nil {
		panic(err)
	}
	return prefix + p + file
}

// amd64Path is where iocage's default root dir finds an amd64 file: the
// mirrors' compatibility path ftp/releases/amd64/REL.
func amd64Path(rel, file string) string { return "/ftp/releases/amd64/" + rel + "/" + file }

// call is one command the test runner saw.
type call struct {
	Argv []string
	Env  []string
}

// testRunner runs xz and tar for real (they extract into the fake's
// directories) and answers everything else from handlers, recording
// every call.
type testRunner struct {
	mu       sync.Mutex
	calls    []call
	handlers map[string]func(c host.Cmd) (string, error)
}

func (r *testRunner) Run(ctx context.Context, c host.Cmd) ([]byte, error) {
	if c.Name == "xz" || c.Name == "tar" {
		return host.Exec{}.Run(ctx, c)
	}
	r.mu.Lock()
	r.calls = append(r.calls, call{Argv: c.Argv(), Env: c.Env})
	h := r.handlers[filepath.Base(c.Name)]
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, &host.RunError{Argv: c.Argv(), ExitCode: -1, Err: err}
	}
	if c.Stdin != nil {
		_, _ = io.Copy(io.Discard, c.Stdin)
	}
	out, err := "", error(nil)
	if h != nil {
		out, err = h(c)
	}
	if c.Stdout != nil {
		if _, werr := io.WriteString(c.Stdout, out); werr != nil && err == nil {
			err = werr
		}
		return nil, err
	}
	return []byte(out), err
}

func (r *testRunner) on(name string, fn func(c host.Cmd) (string, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]func(c host.Cmd) (string, error){}
	}
	r.handlers[name] = fn
}

// lines renders the recorded calls, one command line each.
func (r *testRunner) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		out = append(out, strings.Join(c.Argv, " "))
	}
	return out
}

func (r *testRunner) named(name string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if filepath.Base(c.Argv[0]) == name {
			out = append(out, c)
		}
	}
	return out
}

func exitErr(c host.Cmd, code int, stderr string) error {
	return &host.RunError{Argv: c.Argv(), Stderr: stderr, ExitCode: code, Err: fmt.Errorf("exit status %d", code)}
}

// fakeUpdate answers freebsd-update like the real tool on a release one
// patch behind: fetch stages the update, install rewrites
// USERLAND_VERSION to REL-p2, a second install has nothing to do.
func fakeUpdate(c host.Cmd) (string, error) {
	root := c.Args[1]
	cmd := c.Args[len(c.Args)-1]
	staged := filepath.Join(c.Args[3], ".test-staged")
	switch cmd {
	case "fetch":
		rel := strings.TrimPrefix(c.Env[0], "UNAME_r=")
		if inventory.UserlandVersion(root) == rel+"-p2" {
			return "No updates needed to update system to " + rel + "-p2.\n", nil
		}
		return "Fetching metadata signature for " + rel + " from update1.freebsd.org... done.\n", os.WriteFile(staged, []byte(rel), 0o644)
	case "install":
		rel, err := os.ReadFile(staged)
		if err != nil {
			return "No updates are available to install.\n", exitErr(c, 2, "")
		}
		os.Remove(staged)
		fv := filepath.Join(root, "bin/freebsd-version")
		data, err := os.ReadFile(fv)
		if err != nil {
			return "", err
		}
		old := `USERLAND_VERSION="` + string(rel) + `"`
		data = bytes.Replace(data, []byte(old), []byte(`USERLAND_VERSION="`+string(rel)+`-p2"`), 1)
		return "Installing updates... done.\n", os.WriteFile(fv, data, 0o555)
	}
	return "", exitErr(c, 1, "unexpected freebsd-update command "+cmd)
}

// env is a tree on the ZFS fake, ready for fetches.
type env struct {
	t      *testing.T
	zfs    *zfs.Fake
	run    *testRunner
	host   *jail.Host
	out    bytes.Buffer
	errw   bytes.Buffer
	layout layout.Layout
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, zfs: zfs.NewFake(dir, "tank"), run: &testRunner{}, layout: layout.Layout{Pool: "tank"}}
	e.run.on("uname", func(host.Cmd) (string, error) { return "", nil })
	e.run.on("freebsd-update", fakeUpdate)
	e.host = &jail.Host{Host: &inventory.Host{ZFS: e.zfs, Run: e.run, Out: &e.out, UID: os.Geteuid(), LockDir: dir}}
	ctx := context.Background()
	if err := e.host.Activate(ctx, "tank"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.host.OpenTree(ctx, "tank", true); err != nil {
		t.Fatal(err)
	}
	e.out.Reset()
	return e
}

func (e *env) inventory() *inventory.Inventory {
	e.t.Helper()
	inv, err := e.host.Load(context.Background(), inventory.Options{Create: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

// testOptions fetch from the shared mirror with quick retries.
func testOptions(server string) Options {
	return Options{Server: server, Attempts: 3, RetryDelay: 1, Rounds: 2, IdleTimeout: 0}
}

func (e *env) fetcher(opts Options) *Fetcher {
	e.t.Helper()
	if opts.Err == nil {
		opts.Err = &e.errw
	}
	f, err := NewFetcher(context.Background(), e.host.Host, e.inventory(), opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// fetch runs one fetch of rel with opts on a fresh inventory.
func (e *env) fetch(ctx context.Context, rel string, opts Options) error {
	e.t.Helper()
	return e.fetcher(opts).Fetch(ctx, rel)
}

// names lists the fake's datasets below POOL/iocage/{releases,download}.
func (e *env) releaseNames() []string {
	var out []string
	for _, n := range e.zfs.Names() {
		if layout.Child(e.layout.Releases(), n) && n != e.layout.Releases() || layout.Child(e.layout.Downloads(), n) && n != e.layout.Downloads() {
			out = append(out, n)
		}
	}
	return out
}

func (e *env) dir(ds string) string { return e.zfs.MountPath(ds) }

// files lists the names in a directory ("" entries when it is missing).
func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// assertNothingLeft checks that a failed fetch of rel left no trace.
func (e *env) assertNothingLeft(rel string) {
	e.t.Helper()
	if got := e.releaseNames(); len(got) != 0 {
		e.t.Fatalf("datasets left after a failed fetch: %v", got)
	}
	if got := files(e.t, filepath.Join(e.dir(e.layout.Downloads()), rel)); len(got) != 0 {
		e.t.Fatalf("files left in download/%s: %v", rel, got)
	}
}

// destroyJail is destroy -R's way into the store, as cmd/jcage wires it.
func (e *env) destroyJail(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, force bool) error {
	return e.host.Destroy(ctx, inv, j, jail.DestroyOptions{Force: force, Recursive: true})
}

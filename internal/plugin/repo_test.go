package plugin

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/testworld/mirror"
)

// The index and an artifact, cloned with the host's git from the
// loopback server over smart HTTP; the branch falls back to master with
// iocage's message; a second sync fetches a new commit; a directory of
// another URL is re-cloned; symlinks, absolute ones included, and the
// executable bit come out as the repository holds them.
func TestCheckoutSync(t *testing.T) {
	srv, err := mirror.StartPlugins("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), ".plugins", "index")
	var out bytes.Buffer
	c := Checkout{Run: host.Exec{}, URL: srv.Index, Dir: dir, Branch: "14.3-RELEASE", Out: &out}
	b, err := c.Sync(ctx)
	if err != nil || b != "14.3-RELEASE" || out.Len() != 0 {
		t.Fatalf("sync: %s %v %q", b, err, out.String())
	}
	m, err := os.ReadFile(filepath.Join(dir, "hello.json"))
	if err != nil || !strings.Contains(string(m), `"release": "14.3-RELEASE"`) || !strings.Contains(string(m), srv.URL+"/pkg/${ABI}/latest") {
		t.Fatalf("hello.json: %v\n%s", err, m)
	}
	c.Branch = "99.0-RELEASE"
	if b, err = c.Sync(ctx); err != nil || b != "master" {
		t.Fatalf("fallback: %s %v", b, err)
	}
	if !strings.Contains(out.String(), "\nBranch 99.0-RELEASE does not exist at "+srv.Index+"!\n"+
		`Using "master" branch for plugin, this may not work with your RELEASE`+"\n") {
		t.Fatalf("fallback message %q", out.String())
	}
	m, _ = os.ReadFile(filepath.Join(dir, "hello.json"))
	if !strings.Contains(string(m), `"release": "15.0-RELEASE"`) {
		t.Fatalf("master's hello.json:\n%s", m)
	}
	if err := srv.CommitIndex("master", "README.md", "changed\n"); err != nil {
		t.Fatal(err)
	}
	if _, err = c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(r) != "changed\n" {
		t.Fatalf("update did not fetch: %q", r)
	}
	art := Checkout{Run: host.Exec{}, URL: srv.URL + "/git/hello-artifact.git", Dir: dir, Branch: "master"}
	if _, err := art.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "INDEX")); !os.IsNotExist(err) {
		t.Fatal("a clone of another URL was reused")
	}
	if l, err := os.Readlink(filepath.Join(dir, "overlay/usr/local/www/hello/current.html")); err != nil || l != "index.html" {
		t.Fatalf("symlink in the artifact: %q %v", l, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "post_install.sh")); err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Fatalf("post_install.sh not executable: %v", err)
	}
	hostile := Checkout{Run: host.Exec{}, URL: srv.URL + "/git/hostile-artifact.git", Dir: filepath.Join(t.TempDir(), "h"), Branch: "master"}
	if _, err := hostile.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(hostile.Dir, "overlay/hostetc")); err != nil || l != "/etc" {
		t.Fatalf("an absolute link in the artifact was rewritten: %q %v", l, err)
	}
	// A repository that is not there: git's own words, not its command line.
	gone := Checkout{Run: host.Exec{}, URL: srv.URL + "/git/gone.git", Dir: filepath.Join(t.TempDir(), "g"), Branch: "master"}
	_, err = gone.Sync(ctx)
	var re *host.RunError
	if err == nil || !strings.HasPrefix(err.Error(), "clone "+gone.URL+": fatal: ") || strings.Contains(err.Error(), "protocol.allow") ||
		!errors.As(err, &re) || re.Argv[0] != "git" {
		t.Fatalf("clone of a missing repository: %v", err)
	}
	if _, err := os.Lstat(gone.Dir); !os.IsNotExist(err) {
		t.Fatal("a failed clone left its directory")
	}
}

func TestCheckRepoURL(t *testing.T) {
	for _, u := range []string{
		"https://github.com/freenas/iocage-ix-plugins.git",
		"http://[::1]:8080/git/index.git",
		"git://example.org/index.git",
		"ssh://git@example.org/index.git",
		"git@github.com:freenas/iocage-ix-plugins.git",
		"file:///var/db/plugins/index",
		"/var/db/plugins/index",
	} {
		if err := CheckRepoURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{
		"",
		"-uhello",
		"--upload-pack=touch /tmp/x",
		"ext::sh -c touch% /tmp/x",
		"EXT::sh -c id",
		"fd::3",
		"x-custom+helper.v2::somewhere",
		"https://example.org/a\nb",
	} {
		if err := CheckRepoURL(u); err == nil {
			t.Errorf("%q was accepted", u)
		}
	}
}

// A URL starting with '-' and an ext:: URL are refused before git runs
// and before the directory is touched; so is a branch that would be an
// option.
func TestSyncRefusesBeforeGit(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep")
	os.WriteFile(keep, []byte("x"), 0o644)
	for _, c := range []Checkout{
		{URL: "-uhello", Branch: "master"},
		{URL: "--upload-pack=touch /tmp/x", Branch: "master"},
		{URL: "ext::sh -c touch% /tmp/x", Branch: "master"},
		{URL: "https://example.org/x.git", Branch: "-f"},
	} {
		rec := &host.Recorder{}
		c.Run, c.Dir = rec, dir
		if _, err := c.Sync(context.Background()); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v", c, err)
		}
		if calls := rec.Lines(); len(calls) != 0 {
			t.Errorf("%s: ran %q", c.URL, calls)
		}
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s: the directory was touched: %v", c.URL, err)
		}
	}
}

// The second line of defence, git's own command line as argv builds it:
// ext:: and other remote helpers are refused by git even when a caller
// skips CheckRepoURL, and a URL starting with '-' is a URL, not an
// option.
func TestGitRefusesHostileURLs(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	marker := filepath.Join(tmp, "ran")
	for _, u := range []string{
		"ext::sh -c touch% " + marker,
		"ext::sh -c touch% " + marker + " %G",
		"nosuchhelper::somewhere",
	} {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := host.Exec{}.Run(ctx, argv.GitClone(u, filepath.Join(tmp, "clone")))
		cancel()
		var re *host.RunError
		if !errors.As(err, &re) || !strings.Contains(re.Stderr, "not allowed") {
			t.Errorf("%s: %v", u, err)
		}
	}
	_, err := host.Exec{}.Run(ctx, argv.GitClone("--upload-pack=touch "+marker, filepath.Join(tmp, "clone")))
	if err == nil {
		t.Error("a '-' URL was cloned")
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatal("a hostile URL ran a command")
	}
}

// Without git(1) on the host: one line naming what to install, and
// nothing on disk changed, whether the directory is a checkout already
// or not there yet.
func TestSyncWithoutGit(t *testing.T) {
	ctx := context.Background()
	noGit := host.Exec{Path: t.TempDir()}
	if err := NeedGit(ctx, noGit); !errors.Is(err, ErrNoGit) {
		t.Fatalf("NeedGit: %v", err)
	}
	if msg := ErrNoGit.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "pkg install git") {
		t.Fatalf("%q", msg)
	}
	if err := NeedGit(ctx, host.Exec{}); err != nil {
		t.Fatalf("NeedGit with git installed: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, "INDEX"), []byte("{}"), 0o644)
	c := Checkout{Run: noGit, URL: "https://example.org/x.git", Dir: dir, Branch: "master"}
	if _, err := c.Sync(ctx); !errors.Is(err, ErrNoGit) || err.Error() != ErrNoGit.Error() {
		t.Fatalf("existing checkout: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "INDEX")); err != nil || string(b) != "{}" {
		t.Fatal("the checkout was removed without git to clone it again")
	}
	c.Dir = filepath.Join(t.TempDir(), "fresh")
	if _, err := c.Sync(ctx); !errors.Is(err, ErrNoGit) {
		t.Fatalf("fresh: %v", err)
	}
	if _, err := os.Lstat(c.Dir); !os.IsNotExist(err) {
		t.Fatal("a directory was made without git")
	}
}

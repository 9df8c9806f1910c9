package release

import (
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/zfs"
)

// A fresh fetch: the release appears with its tree, the verified sets
// and MANIFEST are kept, nothing of the staging remains, the sets were
// each requested once, and freebsd-update ran as iocage runs it.
var confArgRE = regexp.MustCompile(`-f \S+/freebsd-update\.conf `)

func TestFetchNewRelease(t *testing.T) {
	e := newEnv(t)
	mirrorSrv.ResetStats()
	if err := e.fetch(context.Background(), "14.3-RELEASE", testOptions(mirrorSrv.URL)); err != nil {
		t.Fatalf("fetch: %v\n%s", err, e.errw.String())
	}
	l := e.layout
	wantDS := []string{l.Download("14.3-RELEASE"), l.Release("14.3-RELEASE"), l.ReleaseRoot("14.3-RELEASE")}
	if got := e.releaseNames(); !slices.Equal(got, wantDS) {
		t.Fatalf("datasets %v, want %v", got, wantDS)
	}
	dl := e.dir(l.Download("14.3-RELEASE"))
	if got := files(t, dl); !slices.Equal(got, []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}) {
		t.Fatalf("download dir: %v", got)
	}
	root := e.dir(l.ReleaseRoot("14.3-RELEASE"))
	for _, p := range []string{"bin/sh", "usr/lib32/libc.so.7", "usr/src/COPYRIGHT", "etc/freebsd-update.conf"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("extracted tree lacks %s: %v", p, err)
		}
	}
	if v := inventory.UserlandVersion(root); v != "14.3-RELEASE-p2" {
		t.Errorf("USERLAND_VERSION %q after the patch step", v)
	}
	checkTree(t, root)
	if !strings.HasPrefix(e.out.String(), "Fetching: 14.3-RELEASE\n") || !strings.Contains(e.out.String(), "14.3-RELEASE is now at 14.3-RELEASE-p2\n") {
		t.Errorf("stdout %q", e.out.String())
	}
	for _, s := range []string{"base.txz", "lib32.txz", "src.txz"} {
		if !strings.Contains(e.errw.String(), s+": ") || !strings.Contains(e.errw.String(), "verified and extracted") {
			t.Errorf("no progress line for %s in %q", s, e.errw.String())
		}
		st := mirrorSrv.Stats()[amd64Path("14.3-RELEASE", s)]
		if st.Requests != 1 || st.Ranges != 0 {
			t.Errorf("%s: %+v, want one plain request", s, st)
		}
	}
	want := []string{
		"uname -m -p -r",
		"uname -r", // not a RELEASE: the tool's choice asks again
		"mount -t devfs devfs " + root + "/dev",
		// The release's own tool (the host runs an older one), a work
		// directory beside the root, a host-side copy of the conf.
		root + "/usr/sbin/freebsd-update -b " + root + " -d " + filepath.Dir(root) + "/.freebsd-update/ -f CONF --not-running-from-cron fetch",
		root + "/usr/sbin/freebsd-update -b " + root + " -d " + filepath.Dir(root) + "/.freebsd-update/ -f CONF install",
		"umount " + root + "/dev",
	}
	got := e.run.lines()
	for i := range got {
		got[i] = confArgRE.ReplaceAllString(got[i], "-f CONF ")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range e.run.named("freebsd-update") {
		if !slices.Equal(c.Env, []string{"UNAME_r=14.3-RELEASE", "PAGER=/bin/cat"}) {
			t.Errorf("freebsd-update env %v", c.Env)
		}
	}

	// Again: nothing is downloaded or extracted, the kept sets are
	// verified, and the release is patched again (nothing to install).
	mirrorSrv.ResetStats()
	e.out.Reset()
	e.errw.Reset()
	if err := e.fetch(context.Background(), "14.3-RELEASE", testOptions(mirrorSrv.URL)); err != nil {
		t.Fatalf("second fetch: %v", err)
	}
	for p, st := range mirrorSrv.Stats() {
		if strings.HasSuffix(p, ".txz") {
			t.Errorf("second fetch downloaded %s: %+v", p, st)
		}
	}
	if got := e.releaseNames(); !slices.Equal(got, wantDS) {
		t.Fatalf("datasets after the second fetch %v", got)
	}
	if !strings.Contains(e.errw.String(), "base.txz: ") || !strings.Contains(e.errw.String(), "verified (kept copy)") {
		t.Errorf("second fetch output %q", e.errw.String())
	}
	if n := len(e.run.named("freebsd-update")); n != 4 {
		t.Errorf("freebsd-update ran %d times over two fetches, want 4", n)
	}
	if v := inventory.UserlandVersion(root); v != "14.3-RELEASE-p2" {
		t.Errorf("USERLAND_VERSION %q after the second fetch", v)
	}
}

// -NU skips the patch step; -F narrows the sets; a kept set that no
// longer verifies is fetched again on a re-fetch.
func TestFetchFilesNoUpdateAndRepair(t *testing.T) {
	e := newEnv(t)
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	opts.Files = []string{"MANIFEST", "base.txz"}
	if err := e.fetch(context.Background(), "13.4-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	if got := e.run.lines(); !slices.Equal(got, []string{"uname -m -p -r"}) {
		t.Fatalf("-NU ran %v", got)
	}
	dl := e.dir(e.layout.Download("13.4-RELEASE"))
	if got := files(t, dl); !slices.Equal(got, []string{"MANIFEST", "base.txz"}) {
		t.Fatalf("download dir %v", got)
	}
	root := e.dir(e.layout.ReleaseRoot("13.4-RELEASE"))
	if _, err := os.Stat(filepath.Join(root, "usr/src/COPYRIGHT")); err == nil {
		t.Error("src.txz was extracted despite -F")
	}
	if v := inventory.UserlandVersion(root); v != "13.4-RELEASE" {
		t.Errorf("USERLAND_VERSION %q", v)
	}

	if err := os.WriteFile(filepath.Join(dl, "base.txz"), []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	mirrorSrv.ResetStats()
	e.errw.Reset()
	if err := e.fetch(context.Background(), "13.4-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errw.String(), "base.txz failed verification, will redownload!") {
		t.Errorf("no warning: %q", e.errw.String())
	}
	if st := mirrorSrv.Stats()[amd64Path("13.4-RELEASE", "base.txz")]; st.Requests != 1 {
		t.Errorf("damaged base.txz fetched %d times", st.Requests)
	}
	if m, err := ParseManifest(mustRead(t, filepath.Join(dl, "MANIFEST"))); err != nil || sha256File(t, filepath.Join(dl, "base.txz")) != m["base.txz"] {
		t.Errorf("base.txz not repaired: %v", err)
	}
}

// checkTree verifies what the system tar must restore: setuid and
// setgid modes, numeric group owners (FreeBSD's tty is 4, Debian's 5),
// hardlinks and symlinks.
func checkTree(t *testing.T, root string) {
	t.Helper()
	mode := func(p string) (os.FileMode, *syscall.Stat_t) {
		st, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode(), st.Sys().(*syscall.Stat_t)
	}
	if m, st := mode("usr/bin/su"); m&os.ModeSetuid == 0 || m.Perm() != 0o555 || st.Uid != 0 {
		t.Errorf("usr/bin/su: %v uid %d", m, st.Uid)
	}
	m, st := mode("usr/bin/wall")
	if m&os.ModeSetgid == 0 {
		t.Errorf("usr/bin/wall: %v", m)
	}
	if os.Geteuid() == 0 && st.Gid != 4 {
		t.Errorf("usr/bin/wall: gid %d, want 4 (tty)", st.Gid)
	}
	_, a := mode("bin/[")
	_, b := mode("bin/test")
	if a.Ino != b.Ino || a.Nlink < 2 {
		t.Errorf("bin/[ and bin/test are not one file: %d/%d nlink %d", a.Ino, b.Ino, a.Nlink)
	}
	if m, _ := mode("sys"); m&os.ModeSymlink == 0 {
		t.Errorf("sys: %v", m)
	} else if l, _ := os.Readlink(filepath.Join(root, "sys")); l != "usr/src/sys" {
		t.Errorf("sys -> %q", l)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The arm64 sets live under arm64/aarch64 only; a host reporting arm64
// fetches from there, without lib32 as iocage does.
func TestFetchArm64(t *testing.T) {
	e := newEnv(t)
	e.run.on("uname", func(host.Cmd) (string, error) { return "14.3-RELEASE-p1 arm64 aarch64\n", nil })
	mirrorSrv.ResetStats()
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	f := e.fetcher(opts)
	if f.HostRelease() != "14.3-RELEASE" || f.Arch() != (Arch{"arm64", "aarch64"}) {
		t.Fatalf("host %q %+v", f.HostRelease(), f.Arch())
	}
	if err := f.Fetch(context.Background(), "14.3-RELEASE"); err != nil {
		t.Fatal(err)
	}
	if st := mirrorSrv.Stats()[setPath("", "arm64", "14.3-RELEASE", "base.txz")]; st.Requests != 1 {
		t.Fatalf("stats %v", mirrorSrv.Stats())
	}
	root := e.dir(e.layout.ReleaseRoot("14.3-RELEASE"))
	ef, err := elf.Open(filepath.Join(root, "bin/sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	if ef.Machine != elf.EM_AARCH64 {
		t.Errorf("bin/sh is %v", ef.Machine)
	}
	if got := files(t, e.dir(e.layout.Download("14.3-RELEASE"))); !slices.Equal(got, []string{"MANIFEST", "base.txz", "src.txz"}) {
		t.Errorf("download dir %v", got)
	}
}

// -f copies from a local directory laid out as ROOTDIR/REL/FILE.
func TestFetchLocal(t *testing.T) {
	e := newEnv(t)
	dir, err := mirror.ReleaseDir(mirrorRoot, "amd64", "14.3-RELEASE")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Local: true, RootDir: filepath.Dir(dir)}
	if err := e.fetch(context.Background(), "14.3-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	if got := e.run.lines(); !slices.Equal(got, []string{"uname -m -p -r"}) {
		t.Errorf("-f ran %v (no freebsd-update, as iocage)", got)
	}
	if _, err := os.Stat(filepath.Join(e.dir(e.layout.ReleaseRoot("14.3-RELEASE")), "bin/sh")); err != nil {
		t.Error(err)
	}
	// A set MANIFEST does not list is left out, as iocage does.
	opts.Files = []string{"base.txz", "kernel.txz"}
	e2 := newEnv(t)
	if err := e2.fetch(context.Background(), "14.3-RELEASE", opts); err != nil || !strings.Contains(e2.errw.String(), "kernel.txz missing from MANIFEST, refusing to extract!") {
		t.Errorf("err %v stderr %q", err, e2.errw.String())
	}
	// A file listed but absent is iocage's "required file".
	local := t.TempDir()
	if err := os.MkdirAll(filepath.Join(local, "14.3-RELEASE"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "14.3-RELEASE/MANIFEST"), mustRead(t, filepath.Join(dir, "MANIFEST")), 0o644); err != nil {
		t.Fatal(err)
	}
	e3 := newEnv(t)
	err = e3.fetch(context.Background(), "14.3-RELEASE", Options{Local: true, RootDir: local})
	if err == nil || err.Error() != "base.txz is a required file!" {
		t.Errorf("missing local set: %v", err)
	}
	e3.assertNothingLeft("14.3-RELEASE")
	if _, err := NewFetcher(context.Background(), e.host.Host, e.inventory(), Options{Local: true}); err == nil {
		t.Error("-f without -d accepted")
	}
}

// Every way the mirror can fail ends in an error and no trace: no
// release, no staging, no download dataset (it was this fetch's), no
// file.
func TestFetchFailuresLeaveNothing(t *testing.T) {
	cases := []struct {
		name, server, rel, want string
		requests                int // requests for base.txz
	}{
		{"hash", corruptURL(mirror.CorruptHash), "14.3-RELEASE", "Max retries exceeded, one or more files (base.txz, lib32.txz, src.txz) failed checksum verification!", 2},
		{"flip", corruptURL(mirror.CorruptFlip), "14.3-RELEASE", "Max retries exceeded, one or more files (base.txz, lib32.txz, src.txz) failed checksum verification!", 2},
		{"truncated", corruptURL(mirror.CorruptTruncated), "14.3-RELEASE", "base.txz: giving up after 3 attempts: unexpected EOF", 3},
		{"die", corruptURL(mirror.CorruptDie), "14.3-RELEASE", "base.txz: giving up after 3 attempts", 3},
		{"404 set", corruptURL(mirror.Corrupt404), "14.3-RELEASE", "base.txz was not found! (" + corruptURL(mirror.Corrupt404) + "/ftp/releases/amd64/14.3-RELEASE/base.txz)", 1},
		{"404 release", mirrorSrv.URL, "14.0-RELEASE", "14.0-RELEASE was not found!", 0},
		{"no manifest", corruptURL(mirror.CorruptNoManifest), "14.3-RELEASE", "14.3-RELEASE has no MANIFEST at", 0},
		{"unsafe member", mirrorSrv.URL, evilRelease, `base.txz: refusing archive member "./etc/../../escape": ".." in path`, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			mirrorSrv.ResetStats()
			err := e.fetch(context.Background(), c.rel, testOptions(c.server))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			e.assertNothingLeft(c.rel)
			prefix := strings.TrimPrefix(c.server, mirrorSrv.URL)
			if st := mirrorSrv.Stats()[prefix+"/ftp/releases/amd64/"+c.rel+"/base.txz"]; st.Requests != c.requests {
				t.Errorf("base.txz requested %d times, want %d", st.Requests, c.requests)
			}
			if len(e.run.named("freebsd-update")) != 0 {
				t.Error("freebsd-update ran after a failed fetch")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(e.dir(e.layout.Downloads())), "escape")); err == nil {
				t.Error("the unsafe member was extracted")
			}
		})
	}
}

// A download that dies once is resumed with Range and succeeds.
func TestFetchResumesAfterConnectionLoss(t *testing.T) {
	e := newEnv(t)
	mirrorSrv.ResetStats()
	opts := testOptions(corruptURL(mirror.CorruptDieOnce))
	opts.NoUpdate = true
	if err := e.fetch(context.Background(), "14.3-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	st := mirrorSrv.Stats()["/corrupt/die-once/ftp/releases/amd64/14.3-RELEASE/base.txz"]
	size := fileSize(t, filepath.Join(e.dir(e.layout.Download("14.3-RELEASE")), "base.txz"))
	if st.Requests != 2 || st.Ranges != 1 || st.Bytes > size+size/2+1024 {
		t.Fatalf("base.txz: %+v for a %d-byte file: want one dying request and one ranged resume", st, size)
	}
	if !strings.Contains(e.errw.String(), "retrying in") {
		t.Errorf("no retry message: %q", e.errw.String())
	}
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// An interrupted download leaves no release and nothing under a set's
// name, only a hidden partial file that the next fetch resumes from.
func TestFetchInterruptedThenResumed(t *testing.T) {
	e := newEnv(t)
	mirrorSrv.ResetStats()
	ctx, cancel := context.WithCancel(context.Background())
	dl := filepath.Join(e.dir(e.layout.Downloads()), "14.3-RELEASE")
	part := filepath.Join(dl, ".base.txz.part")
	stalled := "/corrupt/stall" + amd64Path("14.3-RELEASE", "base.txz")
	go func() {
		// The mirror sends half of base.txz and then nothing.
		for ctx.Err() == nil {
			if mirrorSrv.Stats()[stalled].Requests > 0 {
				time.Sleep(200 * time.Millisecond)
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	err := e.fetch(ctx, "14.3-RELEASE", testOptions(corruptURL(mirror.CorruptStall)))
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted fetch: %v", err)
	}
	if got := e.releaseNames(); !slices.Equal(got, []string{e.layout.Download("14.3-RELEASE")}) {
		t.Fatalf("datasets after an interrupt: %v", got)
	}
	if got := files(t, dl); !slices.Equal(got, []string{".base.txz.part", "MANIFEST"}) {
		t.Fatalf("download dir after an interrupt: %v", got)
	}
	have := fileSize(t, part)

	mirrorSrv.ResetStats()
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	if err := e.fetch(context.Background(), "14.3-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	st := mirrorSrv.Stats()[amd64Path("14.3-RELEASE", "base.txz")]
	size := fileSize(t, filepath.Join(dl, "base.txz"))
	if st.Requests != 1 || st.Ranges != 1 || st.Bytes != size-have {
		t.Fatalf("resume: %+v; had %d of %d bytes", st, have, size)
	}
	if got := files(t, dl); !slices.Equal(got, []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}) {
		t.Fatalf("download dir %v", got)
	}
	if _, err := os.Stat(filepath.Join(e.dir(e.layout.ReleaseRoot("14.3-RELEASE")), "bin/sh")); err != nil {
		t.Error(err)
	}
}

// Every ZFS step can fail; each failure unwinds to nothing.
func TestFetchUnwindsEachStep(t *testing.T) {
	l := layout.Layout{Pool: "tank"}
	rel := "14.3-RELEASE"
	stage := l.Staging(rel)
	steps := []struct{ op, name string }{
		{"create", l.Download(rel)},
		{"get", l.Download(rel)},
		{"create", stage + "/root"},
		{"get", stage + "/root"},
		{"rename", stage},
		{"get", l.ReleaseRoot(rel)},
	}
	for _, s := range steps {
		t.Run(s.op+" "+s.name, func(t *testing.T) {
			e := newEnv(t)
			boom := errors.New("injected failure")
			e.zfs.FailOn(s.op, s.name, boom)
			err := e.fetch(context.Background(), rel, testOptions(mirrorSrv.URL))
			if !errors.Is(err, boom) {
				t.Fatalf("err %v", err)
			}
			e.zfs.ClearFailures()
			e.assertNothingLeft(rel)
		})
	}
	t.Run("freebsd-update", func(t *testing.T) {
		e := newEnv(t)
		e.run.on("freebsd-update", func(c host.Cmd) (string, error) { return "", exitErr(c, 1, "No mirrors remaining, giving up.") })
		err := e.fetch(context.Background(), rel, testOptions(mirrorSrv.URL))
		if err == nil || !strings.Contains(err.Error(), "No mirrors remaining, giving up.") {
			t.Fatalf("err %v", err)
		}
		e.assertNothingLeft(rel)
		if got := e.run.lines(); got[len(got)-1] != "umount "+filepath.Join(e.zfs.MountPath(l.Releases()), rel, "root/dev") {
			t.Errorf("devfs not unmounted: %v", got)
		}
	})
	t.Run("interrupt during freebsd-update", func(t *testing.T) {
		e := newEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		e.run.on("freebsd-update", func(c host.Cmd) (string, error) {
			cancel()
			return "", exitErr(c, -1, "signal: killed")
		})
		err := e.fetch(ctx, rel, testOptions(mirrorSrv.URL))
		if err == nil {
			t.Fatal("interrupted fetch succeeded")
		}
		e.assertNothingLeft(rel)
		if got := e.run.named("umount"); len(got) != 1 {
			t.Errorf("umount calls %v", got)
		}
	})
}

// A release past its end of life still fetches: freebsd-update's
// warning is passed on, not fatal.
func TestFetchEndOfLife(t *testing.T) {
	e := newEnv(t)
	e.run.on("freebsd-update", func(c host.Cmd) (string, error) {
		if c.Args[len(c.Args)-1] == "fetch" {
			return "WARNING: FreeBSD 13.4-RELEASE HAS PASSED ITS END-OF-LIFE DATE.\n", exitErr(c, 1, "")
		}
		return "No updates are available to install.\n", exitErr(c, 2, "")
	})
	if err := e.fetch(context.Background(), "13.4-RELEASE", testOptions(mirrorSrv.URL)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errw.String(), "WARNING: 13.4-RELEASE is past its end of life") {
		t.Errorf("stderr %q", e.errw.String())
	}
	if !strings.Contains(e.out.String(), "HAS PASSED ITS END-OF-LIFE DATE") {
		t.Errorf("freebsd-update output not shown: %q", e.out.String())
	}
}

// Basejails on the release follow its new patch level, as in iocage.
func TestFetchUpdatesBasejails(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	if err := e.fetch(ctx, "14.3-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	for name, props := range map[string]map[string]any{
		"bj":    {"basejail": 1, "release": "14.3-RELEASE"},
		"thin":  {"basejail": 0, "release": "14.3-RELEASE"},
		"other": {"basejail": 1, "release": "13.4-RELEASE"},
	} {
		if err := e.zfs.Create(ctx, e.layout.JailRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
		props["host_hostuuid"] = name
		props["CONFIG_VERSION"] = "34"
		c, err := config.ConfigFromMap(props)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.dir(e.layout.Jail(name)), "config.json"), c.Marshal(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.fetch(ctx, "14.3-RELEASE", testOptions(mirrorSrv.URL)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"bj": "14.3-RELEASE-p2", "thin": "14.3-RELEASE", "other": "13.4-RELEASE"} {
		c, err := config.Load(filepath.Join(e.dir(e.layout.Jail(name)), "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := c.Get("release"); got != want {
			t.Errorf("%s: release %q, want %q", name, got, want)
		}
	}
}

// Releases named on the command line are checked, upper-cased, resolved
// from "latest", and refused when newer than a RELEASE host.
func TestResolve(t *testing.T) {
	e := newEnv(t)
	e.run.on("uname", func(host.Cmd) (string, error) { return "14.3-RELEASE-p5 amd64 amd64\n", nil })
	f := e.fetcher(testOptions(mirrorSrv.URL))
	ctx := context.Background()
	avail, err := f.Available(ctx)
	if err != nil || !slices.Equal(avail, []string{"13.4-RELEASE", "14.3-RELEASE", evilRelease}) {
		t.Fatalf("available %v %v", avail, err)
	}
	for in, want := range map[string]string{
		"14.3-release":       "14.3-RELEASE",
		"latest":             evilRelease,
		"13.4-RELEASE":       "13.4-RELEASE",
		"15.0-RELEASE":       "Host: 14.3-RELEASE is not greater than target: 15.0-RELEASE. This is unsupported.",
		"foo":                "Please supply a valid entry.",
		"../x":               "Please supply a valid entry.",
		"14.3-RELEASE/../..": "Please supply a valid entry.",
	} {
		got, err := f.Resolve(ctx, in)
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	sum := sha256.Sum256(mustRead(t, p))
	return hex.EncodeToString(sum[:])
}

// A partial file longer than the set (left from another version of it)
// is dropped and the set fetched whole in the next round.
func TestFetchStalePartial(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l := e.layout
	if err := e.zfs.Create(ctx, l.Download("14.3-RELEASE"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dl := e.dir(l.Download("14.3-RELEASE"))
	if err := os.WriteFile(filepath.Join(dl, ".src.txz.part"), make([]byte, 10<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	if err := e.fetch(ctx, "14.3-RELEASE", opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errw.String(), "src.txz changed on the server, will redownload!") {
		t.Errorf("stderr %q", e.errw.String())
	}
	if got := files(t, dl); !slices.Equal(got, []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}) {
		t.Errorf("download dir %v", got)
	}
}

package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/testworld/world"
)

// toolCalls returns the simulator's calls of one tool.
func toolCalls(w *world.World, tool string) []fbsdsim.Call {
	var out []fbsdsim.Call
	for _, c := range w.Calls() {
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	return out
}

// datasetsBelow lists the datasets under POOL/iocage/{releases,download}.
func datasetsBelow(w *world.World) []string {
	var out []string
	for _, d := range []string{"releases", "download"} {
		for _, n := range strings.Fields(w.ZFS("list", "-H", "-o", "name", "-r", w.Pool.Name+"/iocage/"+d)) {
			if n != w.Pool.Name+"/iocage/"+d {
				out = append(out, n)
			}
		}
	}
	return out
}

func dirNames(t *testing.T, dir string) []string {
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
	return out
}

// The real binary against the loopback mirror and zfs-fuse: the happy
// path with the patch step, a re-fetch, -NU with -F, -f, arm64, list -r
// and destroy -r with its dependents check.
func TestSystemFetch(t *testing.T) {
	m := testMirror(t)
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	ioc := w.IOCRoot()

	out := w.Must("fetch", "-r", "14.3-RELEASE", "-s", m.URL)
	if !strings.HasPrefix(out, "Fetching: 14.3-RELEASE\n") || !strings.HasSuffix(out, "14.3-RELEASE is now at 14.3-RELEASE-p2\n") {
		t.Errorf("stdout:\n%s", out)
	}
	root := filepath.Join(ioc, "releases/14.3-RELEASE/root")
	if got := datasetsBelow(w); !slices.Equal(got, []string{
		w.Pool.Name + "/iocage/releases/14.3-RELEASE", w.Pool.Name + "/iocage/releases/14.3-RELEASE/root",
		w.Pool.Name + "/iocage/download/14.3-RELEASE",
	}) {
		t.Fatalf("datasets %v", got)
	}
	if got := dirNames(t, filepath.Join(ioc, "download/14.3-RELEASE")); !slices.Equal(got, []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}) {
		t.Errorf("download dir %v", got)
	}
	checkSystemTree(t, root)

	// freebsd-update: a host-owned one, iocage's argv and environment but
	// a work directory beside the root and a host-side copy of the conf,
	// devfs mounted around it.
	fu := toolCalls(w, "freebsd-update")
	for _, c := range fu {
		if i := slices.Index(c.Argv, "-f"); i > 0 && strings.HasSuffix(c.Argv[i+1], "/freebsd-update.conf") && !strings.HasPrefix(c.Argv[i+1], root) {
			c.Argv[i+1] = "CONF"
		}
	}
	common := []string{"freebsd-update", "-b", root, "-d", filepath.Dir(root) + "/.freebsd-update/", "-f", "CONF"}
	want := [][]string{append(slices.Clone(common), "--not-running-from-cron", "fetch"), append(slices.Clone(common), "install")}
	if len(fu) != 2 {
		t.Fatalf("freebsd-update calls: %+v", fu)
	}
	for i, c := range fu {
		if !slices.Equal(c.Argv, want[i]) {
			t.Errorf("freebsd-update argv %q, want %q", c.Argv, want[i])
		}
		if len(c.Env) != 2 || c.Env["UNAME_r"] != "14.3-RELEASE" || c.Env["PAGER"] != "/bin/cat" {
			t.Errorf("freebsd-update env %v", c.Env)
		}
	}
	var seq []string
	for _, c := range w.Calls() {
		if c.Tool == "mount" || c.Tool == "umount" || c.Tool == "freebsd-update" {
			seq = append(seq, c.Tool+" "+c.Argv[len(c.Argv)-1])
		}
	}
	if strings.Join(seq, ",") != "mount "+root+"/dev,freebsd-update fetch,freebsd-update install,umount "+root+"/dev" {
		t.Errorf("order %v", seq)
	}
	if v := userland(t, root); v != "14.3-RELEASE-p2" {
		t.Errorf("USERLAND_VERSION %q", v)
	}

	// Again: verified, not downloaded, patched again.
	m.ResetStats()
	w.Must("fetch", "-r", "14.3-RELEASE", "-s", m.URL)
	for p := range m.Stats() {
		if strings.HasSuffix(p, ".txz") {
			t.Errorf("re-fetch downloaded %s", p)
		}
	}
	if n := len(toolCalls(w, "freebsd-update")); n != 4 {
		t.Errorf("freebsd-update ran %d times over two fetches", n)
	}

	// -NU with -F; -f from a local copy of the mirror; arm64.
	w.Must("fetch", "-r", "13.4-RELEASE", "-s", m.URL, "-NU", "-F", "base.txz")
	if got := dirNames(t, filepath.Join(ioc, "download/13.4-RELEASE")); !slices.Equal(got, []string{"MANIFEST", "base.txz"}) {
		t.Errorf("-F download dir %v", got)
	}
	local, err := mirror.ReleaseDir(fetchMirrorDir, "amd64", "14.1-RELEASE")
	if err != nil {
		t.Fatal(err)
	}
	w.Must("fetch", "-f", "-d", filepath.Dir(local), "-r", "14.1-RELEASE")
	if v := userland(t, filepath.Join(ioc, "releases/14.1-RELEASE/root")); v != "14.1-RELEASE" {
		t.Errorf("-f release at %q", v)
	}
	if n := len(toolCalls(w, "freebsd-update")); n != 4 {
		t.Errorf("-NU or -f ran freebsd-update")
	}
	w.Setenv("JCAGE_SIM_MACHINE", "arm64")
	m.ResetStats()
	w.Must("fetch", "-r", "14.2-RELEASE", "-s", m.URL, "-NU")
	w.Setenv("JCAGE_SIM_MACHINE", "amd64")
	if st := m.Stats()["/ftp/releases/arm64/aarch64/14.2-RELEASE/base.txz"]; st.Requests != 1 {
		t.Errorf("arm64 stats %v", m.Stats())
	}
	ef, err := elf.Open(filepath.Join(ioc, "releases/14.2-RELEASE/root/bin/sh"))
	if err != nil {
		t.Fatal(err)
	}
	if ef.Machine != elf.EM_AARCH64 {
		t.Errorf("arm64 release has %v binaries", ef.Machine)
	}
	ef.Close()

	if got := w.Must("list", "-r", "-h"); got != "13.4-RELEASE\n14.1-RELEASE\n14.2-RELEASE\n14.3-RELEASE\n" {
		t.Errorf("list -r -h %q", got)
	}

	// destroy -r refuses while a jail is cloned from the release.
	rel := w.Pool.Name + "/iocage/releases/14.3-RELEASE/root"
	w.ZFS("snapshot", rel+"@dep")
	w.ZFS("create", w.Pool.Name+"/iocage/jails/dep")
	w.ZFS("clone", rel+"@dep", w.Pool.Name+"/iocage/jails/dep/root")
	cfg, _ := json.MarshalIndent(map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": "dep", "release": "14.3-RELEASE", "type": "jail"}, "", "    ")
	if err := os.WriteFile(filepath.Join(ioc, "jails/dep/config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.Jcage("destroy", "-r", "-f", "14.3-RELEASE")
	if r.Code != 1 || r.Stderr != "14.3-RELEASE has dependent jails (who may also have dependents), use --recursive to destroy:\ndep\n" {
		t.Fatalf("destroy with a dependent: %+v", r)
	}
	out = w.Must("destroy", "-r", "-f", "-R", "-d", "14.3-RELEASE")
	if !strings.HasSuffix(out, "Destroying RELEASE dataset: 14.3-RELEASE\n") {
		t.Errorf("destroy -R stdout %q", out)
	}
	left := w.ZFS("list", "-H", "-o", "name", "-r", w.Pool.Name+"/iocage")
	for _, gone := range []string{"/jails/dep", "/releases/14.3-RELEASE", "/download/14.3-RELEASE"} {
		if strings.Contains(left, w.Pool.Name+"/iocage"+gone+"\n") {
			t.Errorf("%s survived:\n%s", gone, left)
		}
	}
	if got := w.Must("list", "-r", "-h"); got != "13.4-RELEASE\n14.1-RELEASE\n14.2-RELEASE\n" {
		t.Errorf("list -r -h after destroy %q", got)
	}
}

func userland(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "bin/freebsd-version"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "USERLAND_VERSION="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// checkSystemTree: setuid and setgid bits, numeric owners (FreeBSD's tty
// group is 4 whatever the host calls 4), hardlinks and symlinks survive.
func checkSystemTree(t *testing.T, root string) {
	t.Helper()
	stat := func(p string) (os.FileInfo, *syscall.Stat_t) {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return fi, fi.Sys().(*syscall.Stat_t)
	}
	if fi, st := stat("usr/bin/su"); fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o555 || st.Uid != 0 || st.Gid != 0 {
		t.Errorf("usr/bin/su: %v %d:%d", fi.Mode(), st.Uid, st.Gid)
	}
	if fi, st := stat("usr/bin/wall"); fi.Mode()&os.ModeSetgid == 0 || st.Gid != 4 {
		t.Errorf("usr/bin/wall: %v gid %d", fi.Mode(), st.Gid)
	}
	if fi, st := stat("var/mail"); !fi.IsDir() || fi.Mode().Perm() != 0o775 || st.Gid != 6 {
		t.Errorf("var/mail: %v gid %d", fi.Mode(), st.Gid)
	}
	_, a := stat("bin/[")
	_, b := stat("bin/test")
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("bin/[ and bin/test: inodes %d %d, links %d", a.Ino, b.Ino, a.Nlink)
	}
	if l, err := os.Readlink(filepath.Join(root, "sys")); err != nil || l != "usr/src/sys" {
		t.Errorf("sys -> %q %v", l, err)
	}
}

// Failures of the mirror leave no release, no staging and no file, and
// an interrupted download is resumed by the next fetch.
func TestSystemFetchFailures(t *testing.T) {
	m := testMirror(t)
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.Setenv(retryDelayEnv, "20ms")
	dl := filepath.Join(w.IOCRoot(), "download/14.3-RELEASE")

	for _, c := range []struct {
		kind, rel, want string
	}{
		{mirror.CorruptHash, "14.3-RELEASE", "Max retries exceeded, one or more files (base.txz, lib32.txz, src.txz) failed checksum verification!\n"},
		{"", "14.0-RELEASE", "14.0-RELEASE was not found!\n"},
		{mirror.Corrupt404, "14.3-RELEASE", "base.txz was not found! (" + m.URL + "/corrupt/404/ftp/releases/amd64/14.3-RELEASE/base.txz)\n"},
		{mirror.CorruptTruncated, "14.3-RELEASE", "base.txz: giving up after 5 attempts: unexpected EOF\n"},
		{mirror.CorruptDie, "14.3-RELEASE", "base.txz: giving up after 5 attempts: "},
	} {
		server := m.URL
		if c.kind != "" {
			server += mirror.CorruptPrefix(c.kind)
		}
		r := w.Jcage("fetch", "-r", c.rel, "-s", server)
		lines := strings.SplitAfter(r.Stderr, "\n")
		last := lines[len(lines)-2]
		if r.Code != 1 || !strings.HasPrefix(last, c.want) {
			t.Errorf("%s: code %d, last line %q, want %q\n%s", c.kind, r.Code, last, c.want, r.Stderr)
		}
		if c.kind == mirror.CorruptTruncated && strings.Count(r.Stderr, "retrying in") != 4 {
			t.Errorf("truncated: %d retries\n%s", strings.Count(r.Stderr, "retrying in"), r.Stderr)
		}
		if c.kind == mirror.CorruptHash && strings.Count(r.Stderr, "base.txz failed verification, will redownload!") != 4 {
			t.Errorf("hash: rounds\n%s", r.Stderr)
		}
		if got := datasetsBelow(w); len(got) != 0 {
			t.Errorf("%s left datasets %v", c.kind, got)
		}
		if got := dirNames(t, dl); len(got) != 0 {
			t.Errorf("%s left files %v", c.kind, got)
		}
	}
	if n := len(toolCalls(w, "freebsd-update")); n != 0 {
		t.Errorf("freebsd-update ran after failures")
	}

	// Interrupted in the middle of base.txz (the mirror stalls there).
	m.ResetStats()
	cmd := exec.Command(w.Bin.Jcage, "fetch", "-r", "14.3-RELEASE", "-s", m.URL+mirror.CorruptPrefix(mirror.CorruptStall))
	cmd.Env = w.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stalled := "/corrupt/stall/ftp/releases/amd64/14.3-RELEASE/base.txz"
	for deadline := time.Now().Add(30 * time.Second); m.Stats()[stalled].Requests == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the download never started: %s", stderr.String())
		}
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted fetch: %v\n%s", err, stderr.String())
	}
	if got := datasetsBelow(w); !slices.Equal(got, []string{w.Pool.Name + "/iocage/download/14.3-RELEASE"}) {
		t.Fatalf("after the interrupt: datasets %v", got)
	}
	if got := dirNames(t, dl); !slices.Equal(got, []string{".base.txz.part", "MANIFEST"}) {
		t.Fatalf("after the interrupt: files %v", got)
	}
	part, err := os.Stat(filepath.Join(dl, ".base.txz.part"))
	if err != nil || part.Size() == 0 {
		t.Fatalf("partial %v %v", part, err)
	}
	m.ResetStats()
	w.Must("fetch", "-r", "14.3-RELEASE", "-s", m.URL, "-NU")
	st := m.Stats()["/ftp/releases/amd64/14.3-RELEASE/base.txz"]
	full, _ := os.Stat(filepath.Join(dl, "base.txz"))
	if st.Requests != 1 || st.Ranges != 1 || st.Bytes != full.Size()-part.Size() {
		t.Errorf("resume: %+v for %d of %d bytes", st, part.Size(), full.Size())
	}
	if got := dirNames(t, dl); !slices.Equal(got, []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}) {
		t.Errorf("download dir %v", got)
	}
}

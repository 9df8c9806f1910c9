package maint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

func TestUpdateBuilders(t *testing.T) {
	for in, want := range map[string]string{
		"14.3-RELEASE-p2": "14.3-RELEASE", "14.3-RELEASE": "14.3-RELEASE", "13.2-RELEASE-p11": "13.2-RELEASE",
		"15.0-RC1-p1": "15.0-RC1", "14-STABLE": "14-STABLE", "EMPTY": "EMPTY",
	} {
		if got := baseRelease(in); got != want {
			t.Errorf("baseRelease(%q) = %q", in, got)
		}
	}
	for _, tc := range []struct {
		c    host.Cmd
		want string
	}{
		{PkgRepoUpdateCmd(7), "pkg-static -j 7 update -q -f"},
		{jail.PkgBootstrapCmd(7), "pkg-static -j 7 install -q -y pkg"},
		{EtcupdateCmd("/tank/iocage/jails/bj/root", "/tank/iocage/releases/15.0-RELEASE/root/usr/src"),
			"etcupdate -F -D /tank/iocage/jails/bj/root -s /tank/iocage/releases/15.0-RELEASE/root/usr/src"},
		{NewaliasesCmd("a.b"), "jexec ioc-a_b newaliases"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%s\nwant %s", got, tc.want)
		}
	}
	if got := strings.Join(jail.PkgUpgradeArgv, " "); got != "/usr/local/sbin/pkg-static upgrade -f -q -y" {
		t.Error(got)
	}
	for in, want := range map[string]string{"14.3": "14.3-RELEASE", "14.3-RELEASE": "14.3-RELEASE", "15.0-RC2": "15.0-RC2", "15.0-BETA3": "15.0-BETA3"} {
		if got, err := UpgradeRelease(in); err != nil || got != want {
			t.Errorf("UpgradeRelease(%q) = %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "14", "14.3-RELEASE-p2", "14-STABLE", "15.0-CURRENT", "../x", "14.3-RELEASE x"} {
		if _, err := UpgradeRelease(bad); err == nil {
			t.Errorf("UpgradeRelease(%q) accepted", bad)
		}
	}
	want := "\nbj successfully upgraded from 14.3-RELEASE-p2 to 15.0-RELEASE!\nPlease reboot the jail and inspect.\nRemove the snapshot: ioc_upgrade_2025-06-01 if everything is OK\n"
	if got := UpgradeMessage("bj", "14.3-RELEASE-p2", "15.0-RELEASE", "ioc_upgrade_2025-06-01"); got != want {
		t.Errorf("%q", got)
	}
}

// updWorld is a fake pool with jails and releases laid out as iocage
// lays them out, their roots holding the files freebsd-update reads.
type updWorld struct {
	t   *testing.T
	f   *zfs.Fake
	run *host.Recorder
	h   *Host
	l   layout.Layout
	out bytes.Buffer
	err bytes.Buffer
	now time.Time
	// started and stopped record the life-cycle hooks.
	started, stopped []string
}

func newUpdWorld(t *testing.T) *updWorld {
	w := &updWorld{t: t, f: zfs.NewFake(t.TempDir(), "tank"), l: layout.Layout{Pool: "tank"}, run: &host.Recorder{},
		now: time.Date(2025, 6, 1, 10, 20, 30, 0, time.Local)}
	w.jls(nil)
	w.h = &Host{&jail.Host{Host: &inventory.Host{ZFS: w.f, Run: w.run, Out: &w.out, LockDir: t.TempDir(), Now: func() time.Time { return w.now }}}}
	w.h.Lifecycle = updLifecycle{w}
	if err := w.h.Activate(context.Background(), "tank"); err != nil {
		t.Fatal(err)
	}
	w.load()
	w.out.Reset()
	return w
}

// updLifecycle records the life-cycle calls and answers jls as if they
// had happened.
type updLifecycle struct{ w *updWorld }

func (l updLifecycle) Start(ctx context.Context, names []string) error {
	l.w.started = append(l.w.started, names...)
	l.w.jls(map[string]int{names[0]: 9})
	return nil
}

func (l updLifecycle) Stop(ctx context.Context, names []string) error {
	l.w.stopped = append(l.w.stopped, names...)
	l.w.jls(nil)
	return nil
}

// stopFails is a life cycle whose stop times out.
type stopFails struct{ updLifecycle }

func (stopFails) Stop(ctx context.Context, names []string) error {
	return errors.New("jail: ioc-web: stop timed out")
}

func (w *updWorld) jls(jids map[string]int) {
	var js []string
	for name, jid := range jids {
		js = append(js, fmt.Sprintf(`{"jid":%d,"hostname":"%s","path":"/x","name":"%s","state":"ACTIVE"}`, jid, name, inventory.JailName(name)))
	}
	w.run.On([]string{"jls"}, `{"__version": "2", "jail-information": {"jail": [`+strings.Join(js, ",")+`]}}`, nil)
}

// root writes the files of a release root under dir.
func (w *updWorld) root(dir, userland string) {
	w.t.Helper()
	for p, data := range map[string]string{
		"etc/freebsd-update.conf": "KeyPrint 800651ef\nServerName update.FreeBSD.org\nComponents src world kernel\n",
		"bin/freebsd-version":     "#!/bin/sh\nUSERLAND_VERSION=\"" + userland + "\"\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "var/db/freebsd-update"), 0o700)
}

func (w *updWorld) release(rel string, src bool) string {
	w.t.Helper()
	if err := w.f.Create(context.Background(), w.l.ReleaseRoot(rel), zfs.CreateOptions{Parents: true}); err != nil {
		w.t.Fatal(err)
	}
	dir := w.f.MountPath(w.l.ReleaseRoot(rel))
	w.root(dir, rel)
	if src {
		os.MkdirAll(filepath.Join(dir, "usr/src"), 0o755)
		os.WriteFile(filepath.Join(dir, "usr/src/COPYRIGHT"), []byte("x"), 0o644)
	}
	return dir
}

func (w *updWorld) jail(name string, props map[string]any) string {
	w.t.Helper()
	if err := w.f.Create(context.Background(), w.l.JailRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
		w.t.Fatal(err)
	}
	m := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "release": "14.3-RELEASE-p1", "type": "jail"}
	for k, v := range props {
		m[k] = v
	}
	c, err := config.ConfigFromMap(m)
	if err != nil {
		w.t.Fatal(err)
	}
	dir := w.f.MountPath(w.l.Jail(name))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), c.Marshal(), 0o644); err != nil {
		w.t.Fatal(err)
	}
	rel, _ := c.Get("release")
	w.root(filepath.Join(dir, "root"), rel)
	return dir
}

// basejail lays a base jail whose fstab mounts rel's base directories.
func (w *updWorld) basejail(name, rel string) string {
	dir := w.jail(name, map[string]any{"basejail": 1, "release": rel})
	relDir := w.f.MountPath(w.l.Release(baseRelease(rel)))
	var fs strings.Builder
	for _, d := range []string{"bin", "lib", "usr/bin"} {
		fmt.Fprintf(&fs, "%s/root/%s\t%s/root/%s\tnullfs\tro\t0\t0\n", relDir, d, dir, d)
	}
	fmt.Fprintf(&fs, "/data\t%s/root/mnt\tnullfs\trw\t0\t0\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "fstab"), []byte(fs.String()), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return dir
}

func (w *updWorld) load() *inventory.Inventory {
	w.t.Helper()
	inv, err := w.h.Load(context.Background(), inventory.Options{Create: true, State: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return inv
}

func (w *updWorld) targets(inv *inventory.Inventory, arg string) []*inventory.Jail {
	w.t.Helper()
	js, err := inv.Targets(arg)
	if err != nil {
		w.t.Fatal(err)
	}
	return js
}

// state is everything a failed command must leave as it was: the
// datasets and snapshots, and the bytes of every file of the pool.
func (w *updWorld) state() string {
	w.t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(w.f.Names(), "\n"))
	top := w.f.MountPath("tank")
	filepath.Walk(top, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || strings.Contains(p, ".fake-snapshots") || strings.HasSuffix(p, ".lock") {
			return nil
		}
		data, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "\n%s %q", strings.TrimPrefix(p, top), data)
		return nil
	})
	return b.String()
}

func (w *updWorld) config(name, key string) string {
	w.t.Helper()
	c, err := config.Load(filepath.Join(w.f.MountPath(w.l.Jail(name)), "config.json"))
	if err != nil {
		w.t.Fatal(err)
	}
	v, _ := c.Get(key)
	return v
}

// fakePatcher stands in for release.Patcher: it changes the root as
// freebsd-update would (a new version, files in its work directory) and
// then succeeds or fails.
type fakePatcher struct {
	calls []string
	fail  error
	after func() // runs once the root is changed
}

func (p *fakePatcher) Patch(ctx context.Context, root, rel string) (string, error) {
	p.calls = append(p.calls, root+" "+rel)
	os.WriteFile(filepath.Join(root, "bin/freebsd-version"), []byte("USERLAND_VERSION=\""+rel+"-p4\"\n"), 0o755)
	os.WriteFile(filepath.Join(root, "var/db/freebsd-update/staged"), []byte("x"), 0o644)
	if p.after != nil {
		p.after()
	}
	if p.fail != nil {
		return "", p.fail
	}
	return inventory.UserlandVersion(root), nil
}

func TestUpdateThinJail(t *testing.T) {
	w := newUpdWorld(t)
	dir := w.jail("web", nil)
	inv := w.load()
	p := &fakePatcher{}
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Patcher: p, Err: &w.err}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.calls, ",") != dir+"/root 14.3-RELEASE" {
		t.Fatalf("patched %v", p.calls)
	}
	snap := "tank/iocage/jails/web@ioc_update_14.3-RELEASE-p1_2025-06-01_10-20-30"
	want := "Snapshot: " + snap + " created.\nUpdating jail...\n\n* Updating web to the latest patch level... \nUpdated jail successfully.\n\nweb updates have been applied successfully.\n"
	if w.out.String() != want {
		t.Fatalf("output:\n%q\nwant\n%q", w.out.String(), want)
	}
	if got := w.config("web", "release"); got != "14.3-RELEASE-p4" {
		t.Fatalf("release %q", got)
	}
	for _, s := range []string{snap, "tank/iocage/jails/web/root@ioc_update_14.3-RELEASE-p1_2025-06-01_10-20-30"} {
		if _, err := w.f.Get(context.Background(), s); err != nil {
			t.Errorf("snapshot %s: %v", s, err)
		}
	}
	if len(w.started)+len(w.stopped) != 0 {
		t.Errorf("started %v stopped %v a jail without -P", w.started, w.stopped)
	}
}

func TestUpdateFailureRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		patch  *fakePatcher
		cancel bool
	}{
		{name: "freebsd-update fails", patch: &fakePatcher{fail: errors.New("freebsd-update install: exit status 1")}},
		{name: "interrupted", cancel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newUpdWorld(t)
			w.jail("web", nil)
			w.jail("db", nil)
			inv := w.load()
			before := w.state()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := tc.patch
			if tc.cancel {
				p = &fakePatcher{after: cancel, fail: context.Canceled}
			}
			err := w.h.Update(ctx, inv, w.targets(inv, "web"), UpdateOptions{Patcher: p})
			if err == nil || !strings.HasSuffix(err.Error(), "; rolled back to tank/iocage/jails/web@ioc_update_14.3-RELEASE-p1_2025-06-01_10-20-30") {
				t.Fatalf("error %v", err)
			}
			if after := w.state(); after != before {
				t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

func TestUpdateRefusals(t *testing.T) {
	w := newUpdWorld(t)
	w.jail("tmpl", map[string]any{"template": 1})
	w.jail("old", map[string]any{"type": "basejail"})
	w.jail("plug", map[string]any{"type": "plugin"})
	w.jail("bj", map[string]any{"basejail": 1, "release": "13.1-RELEASE"})
	inv := w.load()
	before := w.state()
	p := &fakePatcher{}
	for name, want := range map[string]string{
		"tmpl": "Please convert back to a jail before trying to update tmpl",
		"old":  `Please run "iocage migrate" before trying to update old`,
		"plug": "plugin is not a supported jail type.",
		"bj":   "13.1-RELEASE is missing, please fetch it!",
	} {
		j, err := inv.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.h.Update(context.Background(), inv, []*inventory.Jail{j}, UpdateOptions{Patcher: p}); err == nil || err.Error() != want {
			t.Errorf("%s: %v", name, err)
		}
	}
	if after := w.state(); after != before || len(p.calls) != 0 {
		t.Fatalf("a refused update changed something (%v)", p.calls)
	}
	// A snapshot that can't be taken stops everything.
	w.jail("web", nil)
	inv = w.load()
	before = w.state()
	w.f.FailOn("snapshot", "", errors.New("out of space"))
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Patcher: p}); err == nil || err.Error() != "out of space" || len(p.calls) != 0 {
		t.Fatalf("snapshot failure: %v", err)
	}
	if w.state() != before {
		t.Fatal("changed after a failed snapshot")
	}
	w.f.ClearFailures()
	// A rollback that fails is said.
	w.f.FailOn("rollback", "", errors.New("dataset is busy"))
	err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Patcher: &fakePatcher{fail: errors.New("boom")}})
	if err == nil || !strings.Contains(err.Error(), "boom; rolling back to tank/iocage/jails/web@") || !strings.Contains(err.Error(), "dataset is busy") {
		t.Fatalf("failed rollback: %v", err)
	}
}

func TestUpdateBasejailPatchesItsRelease(t *testing.T) {
	w := newUpdWorld(t)
	relDir := w.release("14.3-RELEASE", false)
	os.WriteFile(filepath.Join(relDir, "etc/resolv.conf"), []byte("nameserver 1.1.1.1\n"), 0o644)
	w.basejail("bj1", "14.3-RELEASE-p1")
	w.basejail("bj2", "14.3-RELEASE")
	w.basejail("other", "14.2-RELEASE")
	w.jail("thin", nil)
	inv := w.load()
	p := &fakePatcher{}
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "bj1"), UpdateOptions{Patcher: p}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.calls, ",") != relDir+" 14.3-RELEASE" {
		t.Fatalf("patched %v", p.calls)
	}
	for name, want := range map[string]string{"bj1": "14.3-RELEASE-p4", "bj2": "14.3-RELEASE-p4", "other": "14.2-RELEASE", "thin": "14.3-RELEASE-p1"} {
		if got := w.config(name, "release"); got != want {
			t.Errorf("%s: release %q, want %q", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(relDir, "etc/resolv.conf")); !os.IsNotExist(err) {
		t.Errorf("resolv.conf left in the release: %v", err)
	}
	names := strings.Join(w.f.Names(), "\n")
	if !strings.Contains(names, "tank/iocage/jails/bj1@ioc_update_14.3-RELEASE-p1_2025-06-01_10-20-30") || strings.Contains(names, "releases/14.3-RELEASE/root@") {
		t.Fatalf("snapshots:\n%s", names)
	}
	if !strings.Contains(w.out.String(), "\n* Updating 14.3-RELEASE to the latest patch level... \n") {
		t.Fatalf("output %q", w.out.String())
	}

	// A failure puts back the release and every base jail's config.
	w.now = w.now.Add(time.Second)
	inv = w.load()
	before := w.state()
	p = &fakePatcher{fail: errors.New("boom")}
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "bj2"), UpdateOptions{Patcher: p}); err == nil {
		t.Fatal("no error")
	}
	if after := w.state(); after != before {
		t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
	}
}

// ALL updates every jail (templates are not jails); a base-jail release is
// patched once; one failure does not stop the others.
func TestUpdateAll(t *testing.T) {
	w := newUpdWorld(t)
	w.release("14.3-RELEASE", false)
	w.basejail("bj1", "14.3-RELEASE")
	w.basejail("bj2", "14.3-RELEASE")
	w.jail("bad", nil)
	w.jail("web", nil)
	w.jail("tmpl", map[string]any{"template": 1})
	if err := w.f.Rename(context.Background(), w.l.Jail("tmpl"), w.l.Template("tmpl"), zfs.RenameOptions{}); err != nil {
		t.Fatal(err)
	}
	inv := w.load()
	js := w.targets(inv, "ALL")
	var names []string
	for _, j := range js {
		names = append(names, j.Name)
	}
	if strings.Join(names, " ") != "bad bj1 bj2 web" {
		t.Fatalf("targets %v", names)
	}
	badRoot := w.f.MountPath(w.l.JailRoot("bad"))
	p := &fakePatcher{}
	failing := &failFor{fakePatcher: p, root: badRoot}
	err := w.h.Update(context.Background(), inv, js, UpdateOptions{Patcher: failing, Err: &w.err})
	var me *jail.MultiError
	if !errors.As(err, &me) || strings.Join(me.Names, ",") != "bad" || err.Error() != "failed to update 1 jail(s): bad" {
		t.Fatalf("error %v", err)
	}
	if !strings.HasPrefix(w.err.String(), "bad broke; rolled back to tank/iocage/jails/bad@") {
		t.Fatalf("stderr %q", w.err.String())
	}
	if len(p.calls) != 2 {
		t.Fatalf("patched %v (the release once, web once)", p.calls)
	}
	for name, want := range map[string]string{"bad": "14.3-RELEASE-p1", "bj1": "14.3-RELEASE-p4", "bj2": "14.3-RELEASE-p4", "web": "14.3-RELEASE-p4"} {
		if got := w.config(name, "release"); got != want {
			t.Errorf("%s: release %q, want %q", name, got, want)
		}
	}
}

type failFor struct {
	*fakePatcher
	root string
}

func (f *failFor) Patch(ctx context.Context, root, rel string) (string, error) {
	if root == f.root {
		return "", errors.New("bad broke")
	}
	return f.fakePatcher.Patch(ctx, root, rel)
}

func TestUpdatePackages(t *testing.T) {
	w := newUpdWorld(t)
	w.jail("web", map[string]any{"exec_fib": "0"})
	inv := w.load()
	p := &fakePatcher{}
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Packages: true, Patcher: p}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(w.started, ",") != "web" || strings.Join(w.stopped, ",") != "web" {
		t.Fatalf("started %v stopped %v", w.started, w.stopped)
	}
	var lines []string
	for _, c := range w.run.Calls() {
		if c.Name != "jls" {
			lines = append(lines, c.String()+" "+strings.Join(c.Env, " "))
		}
	}
	want := []string{
		"pkg-static -j 9 update -q -f ",
		"pkg-static -j 9 install -q -y pkg ",
		"setfib 0 jexec -u root ioc-web /usr/local/sbin/pkg-static upgrade -f -q -y ASSUME_ALWAYS_YES=yes",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(w.out.String(), "created.\nUpdating pkgs...\nUpdated pkg repositories successfully.\nUpgraded pkgs successfully.\nUpdating jail...\n") {
		t.Fatalf("output %q", w.out.String())
	}

	// A running jail is left running; a failing catalogue update rolls
	// back and says iocage's words.
	w.now = w.now.Add(time.Second)
	w.jls(map[string]int{"web": 4})
	inv = w.load()
	w.started, w.stopped = nil, nil
	before := w.state()
	w.run.Fail([]string{"pkg-static", "-j", "4", "update"}, 3, "pkg: No network\n")
	err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Packages: true, Patcher: p, Err: &w.err})
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to update pkg repositories.; rolled back to") {
		t.Fatalf("error %v", err)
	}
	if w.state() != before || len(w.started)+len(w.stopped) != 0 || !strings.Contains(w.err.String(), "pkg: No network") {
		t.Fatalf("started %v stopped %v stderr %q", w.started, w.stopped, w.err.String())
	}

	// pkg itself is tried three times.
	w.run.On([]string{"pkg-static", "-j", "4", "update"}, "", nil)
	w.run.Fail([]string{"pkg-static", "-j", "4", "install"}, 1, "pkg: timeout\n")
	n := len(w.run.Calls())
	err = w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Packages: true, Patcher: p})
	if err == nil || !strings.HasPrefix(err.Error(), "pkg error: pkg: timeout: Please check your network;") {
		t.Fatalf("error %v", err)
	}
	tries := 0
	for _, c := range w.run.Calls()[n:] {
		if strings.HasPrefix(c.String(), "pkg-static -j 4 install") {
			tries++
		}
	}
	if tries != 3 {
		t.Fatalf("%d tries", tries)
	}
}

func TestUpgradeThickJail(t *testing.T) {
	w := newUpdWorld(t)
	w.jail("web", map[string]any{"release": "14.2-RELEASE-p3"})
	w.run.On([]string{"uname", "-r"}, "15.0-RELEASE-p1\n", nil)
	inv := w.load()
	j, _ := inv.Find("web")
	u := &fakeUpgrader{to: "14.3-RELEASE-p1"}
	if err := w.h.Upgrade(context.Background(), inv, j, "14.3", UpgradeOptions{Upgrader: u}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(u.calls, ",") != j.RootPath()+" 14.2-RELEASE 14.3-RELEASE" {
		t.Fatalf("upgraded %v", u.calls)
	}
	if got := w.config("web", "release"); got != "14.3-RELEASE-p1" {
		t.Fatalf("release %q", got)
	}
	if got := w.out.String(); got != UpgradeMessage("web", "14.2-RELEASE-p3", "14.3-RELEASE-p1", "ioc_upgrade_2025-06-01") {
		t.Fatalf("output %q", got)
	}
	if _, err := w.f.Get(context.Background(), "tank/iocage/jails/web/root@ioc_upgrade_2025-06-01"); err != nil {
		t.Fatal(err)
	}

	// Failures and refusals leave everything as it was.
	w.now = w.now.Add(24 * time.Hour)
	inv = w.load()
	j, _ = inv.Find("web")
	before := w.state()
	if err := w.h.Upgrade(context.Background(), inv, j, "15.0-RELEASE", UpgradeOptions{Upgrader: &fakeUpgrader{fail: errors.New("freebsd-update install failed (exit status 1)")}}); err == nil ||
		err.Error() != "freebsd-update install failed (exit status 1); rolled back to tank/iocage/jails/web@ioc_upgrade_2025-06-02" {
		t.Fatalf("failure: %v", err)
	}
	if after := w.state(); after != before {
		t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
	}
	w.jail("empty", map[string]any{"release": "EMPTY"})
	w.jail("tmpl", map[string]any{"template": 1})
	w.jail("clone", map[string]any{"type": "clonejail"})
	inv = w.load()
	before = w.state()
	u = &fakeUpgrader{}
	for _, tc := range []struct{ jail, rel, want string }{
		{"web", "14.3-RELEASE", "Jail: web is already at version 14.3-RELEASE!"},
		{"web", "14.1-RELEASE", "Cannot upgrade web from 14.3-RELEASE-p1 to the older 14.1-RELEASE"},
		{"web", "16.0-RELEASE", "Host: 15.0-RELEASE is not greater than target: 16.0-RELEASE This is unsupported."},
		{"web", "15.0-STABLE", `"15.0-STABLE" is not a release freebsd-update can upgrade to (e.g. 14.3-RELEASE)`},
		{"empty", "15.0-RELEASE", "Upgrading is not supported for empty jails."},
		{"tmpl", "15.0-RELEASE", "Please convert back to a jail before trying to upgrade tmpl"},
		{"clone", "15.0-RELEASE", "clonejail is not a supported jail type."},
	} {
		j, _ := inv.Find(tc.jail)
		if err := w.h.Upgrade(context.Background(), inv, j, tc.rel, UpgradeOptions{Upgrader: u}); err == nil || err.Error() != tc.want {
			t.Errorf("%s -r %s: %v", tc.jail, tc.rel, err)
		}
	}
	if w.state() != before || len(u.calls) != 0 {
		t.Fatal("a refused upgrade changed something")
	}
}

type fakeUpgrader struct {
	calls []string
	to    string
	fail  error
}

func (u *fakeUpgrader) Upgrade(ctx context.Context, root, cur, newrel string) (string, error) {
	u.calls = append(u.calls, root+" "+cur+" "+newrel)
	os.WriteFile(filepath.Join(root, "bin/freebsd-version"), []byte("USERLAND_VERSION=\""+newrel+"\"\n"), 0o755)
	if u.fail != nil {
		return "", u.fail
	}
	return u.to, nil
}

func TestUpgradeBasejail(t *testing.T) {
	w := newUpdWorld(t)
	w.release("14.3-RELEASE", false)
	newDir := w.release("15.0-RELEASE", true)
	os.WriteFile(filepath.Join(newDir, "bin/freebsd-version"), []byte("USERLAND_VERSION=\"15.0-RELEASE-p2\"\n"), 0o755)
	w.release("14.2-RELEASE", false)
	dir := w.basejail("bj", "14.3-RELEASE-p4")
	w.run.On([]string{"uname", "-r"}, "15.0-RELEASE\n", nil)
	inv := w.load()
	j, _ := inv.Find("bj")
	u := &fakeUpgrader{}
	if err := w.h.Upgrade(context.Background(), inv, j, "15.0-RELEASE", UpgradeOptions{Upgrader: u}); err != nil {
		t.Fatal(err)
	}
	if len(u.calls) != 0 {
		t.Fatal("freebsd-update ran on a base jail")
	}
	fs, _ := os.ReadFile(filepath.Join(dir, "fstab"))
	relDir := w.f.MountPath("tank/iocage/releases")
	want := relDir + "/15.0-RELEASE/root/bin\t" + dir + "/root/bin\tnullfs\tro\t0\t0\n" +
		relDir + "/15.0-RELEASE/root/lib\t" + dir + "/root/lib\tnullfs\tro\t0\t0\n" +
		relDir + "/15.0-RELEASE/root/usr/bin\t" + dir + "/root/usr/bin\tnullfs\tro\t0\t0\n" +
		"/data\t" + dir + "/root/mnt\tnullfs\trw\t0\t0\n"
	if string(fs) != want {
		t.Fatalf("fstab:\n%s\nwant\n%s", fs, want)
	}
	var lines []string
	for _, c := range w.run.Calls() {
		if c.Name != "jls" && c.Name != "uname" {
			lines = append(lines, c.String())
		}
	}
	if strings.Join(lines, "\n") != "etcupdate -F -D "+dir+"/root -s "+newDir+"/usr/src" {
		t.Fatalf("calls %v", lines)
	}
	if got := w.config("bj", "release"); got != "15.0-RELEASE-p2" {
		t.Fatalf("release %q", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "root/var/spool/mqueue")); err != nil || !fi.IsDir() {
		t.Fatalf("mqueue: %v", err)
	}
	if got := w.out.String(); got != UpgradeMessage("bj", "14.3-RELEASE-p4", "15.0-RELEASE-p2", "ioc_upgrade_2025-06-01") {
		t.Fatalf("output %q", got)
	}

	// A failing etcupdate puts fstab, config and root back; a running
	// jail also gets newaliases.
	w.now = w.now.Add(24 * time.Hour)
	w.jls(map[string]int{"bj": 3})
	inv = w.load()
	j, _ = inv.Find("bj")
	before := w.state()
	w.run.Fail([]string{"etcupdate"}, 1, "")
	err := w.h.Upgrade(context.Background(), inv, j, "14.2-RELEASE", UpgradeOptions{Upgrader: u})
	if err == nil || err.Error() != "Cannot upgrade bj from 15.0-RELEASE-p2 to the older 14.2-RELEASE" {
		t.Fatalf("older: %v", err)
	}
	// Back to 14.3 as the base for the failing upgrade.
	os.WriteFile(filepath.Join(dir, "fstab"), []byte(strings.ReplaceAll(want, "15.0-RELEASE", "14.3-RELEASE")), 0o644)
	txn.UpdateConfig(filepath.Join(dir, "config.json"), nil, func(c *config.Config) error { c.Set("release", "14.3-RELEASE-p4"); return nil })
	inv = w.load()
	j, _ = inv.Find("bj")
	before = w.state()
	err = w.h.Upgrade(context.Background(), inv, j, "15.0-RELEASE", UpgradeOptions{Upgrader: u, Err: &w.err})
	if err == nil || err.Error() != "etcupdate failed (exit status 1); rolled back to tank/iocage/jails/bj@ioc_upgrade_2025-06-02" {
		t.Fatalf("etcupdate failure: %v", err)
	}
	if after := w.state(); after != before {
		t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
	}
	w.run.On([]string{"etcupdate"}, "", nil)
	n := len(w.run.Calls())
	if err := w.h.Upgrade(context.Background(), inv, j, "15.0-RELEASE", UpgradeOptions{Upgrader: u}); err != nil {
		t.Fatal(err)
	}
	var tail []string
	for _, c := range w.run.Calls()[n:] {
		if c.Name != "jls" && c.Name != "uname" {
			tail = append(tail, c.Name)
		}
	}
	if strings.Join(tail, " ") != "etcupdate jexec" {
		t.Fatalf("calls %v", tail)
	}

	// Refusals: no such release, no sources, nothing to switch.
	w.basejail("b2", "14.3-RELEASE")
	w.basejail("b3", "14.2-RELEASE")
	os.WriteFile(filepath.Join(w.f.MountPath(w.l.Jail("b3")), "fstab"), nil, 0o644)
	w.release("14.4-RELEASE", false)
	inv = w.load()
	before = w.state()
	for _, tc := range []struct{ jail, rel, want string }{
		{"b2", "14.5-RELEASE", "14.5-RELEASE is missing, please fetch it!"},
		{"b2", "14.4-RELEASE", "14.4-RELEASE is missing 'src.txz', please refetch!"},
		{"b3", "15.0-RELEASE", "Cannot upgrade b3: its fstab mounts nothing from " + relDir + "/14.2-RELEASE"},
	} {
		j, _ := inv.Find(tc.jail)
		if err := w.h.Upgrade(context.Background(), inv, j, tc.rel, UpgradeOptions{Upgrader: u}); err == nil || err.Error() != tc.want {
			t.Errorf("%s -r %s: %v", tc.jail, tc.rel, err)
		}
	}
	if w.state() != before {
		t.Fatal("a refused upgrade changed something")
	}
}

// Each ZFS step of a base jail's update can fail; the jail and the
// release end as they were, or the error says what could not be undone.
func TestUpdateBasejailZFSFailures(t *testing.T) {
	const name = "ioc_update_14.3-RELEASE-p1_2025-06-01_10-20-30"
	relSnap := "tank/iocage/releases/14.3-RELEASE/root@" + name
	for _, tc := range []struct {
		op, ds   string
		patchErr error
		want     string // the error ends with this
		same     bool   // everything as before
	}{
		{op: "snapshot", ds: relSnap, want: "boom; rolled back to tank/iocage/jails/bj@" + name, same: true},
		{op: "rollback", ds: relSnap, patchErr: errors.New("fetch failed"), want: "boom", same: false},
		{op: "destroy", ds: "tank/iocage/jails/bj@" + name, patchErr: errors.New("fetch failed"), want: "boom", same: false},
	} {
		t.Run(tc.op, func(t *testing.T) {
			w := newUpdWorld(t)
			w.release("14.3-RELEASE", false)
			w.basejail("bj", "14.3-RELEASE-p1")
			inv := w.load()
			before := w.state()
			w.f.FailOn(tc.op, tc.ds, errors.New("boom"))
			err := w.h.Update(context.Background(), inv, w.targets(inv, "bj"), UpdateOptions{Patcher: &fakePatcher{fail: tc.patchErr}})
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("error %v", err)
			}
			if tc.patchErr != nil && !strings.HasPrefix(err.Error(), "fetch failed; rolling back to tank/iocage/jails/bj@"+name+" failed: ") {
				t.Fatalf("error %v", err)
			}
			if same := w.state() == before; same != tc.same {
				t.Fatalf("unchanged %v, want %v", same, tc.same)
			}
		})
	}
	// A release snapshot that can't be removed after a success is only a
	// warning.
	w := newUpdWorld(t)
	w.release("14.3-RELEASE", false)
	w.basejail("bj", "14.3-RELEASE-p1")
	inv := w.load()
	w.f.FailOn("destroy", relSnap, errors.New("busy"))
	if err := w.h.Update(context.Background(), inv, w.targets(inv, "bj"), UpdateOptions{Patcher: &fakePatcher{}, Err: &w.err}); err != nil {
		t.Fatal(err)
	}
	if w.err.String() != "WARNING: "+relSnap+" was not removed: busy\n" || w.config("bj", "release") != "14.3-RELEASE-p4" {
		t.Fatalf("stderr %q", w.err.String())
	}
}

// A jail started for -P that then fails to stop keeps its update.
func TestUpdateStopFailureKeepsUpdate(t *testing.T) {
	w := newUpdWorld(t)
	w.jail("web", nil)
	w.h.Lifecycle = stopFails{updLifecycle{w}}
	inv := w.load()
	err := w.h.Update(context.Background(), inv, w.targets(inv, "web"), UpdateOptions{Packages: true, Patcher: &fakePatcher{}})
	if err == nil || err.Error() != "jail: ioc-web: stop timed out" {
		t.Fatalf("error %v", err)
	}
	if got := w.config("web", "release"); got != "14.3-RELEASE-p4" {
		t.Fatalf("release %q", got)
	}
}

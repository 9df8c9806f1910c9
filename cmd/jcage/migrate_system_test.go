package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// layLegacyBasejail lays out a basejail of iocage_legacy's development
// version as iocage 1.x reads it: a config.json with a tag and
// type=basejail, a root with only the jail's own files, iocage_legacy's
// tag link, and an fstab line into the jail.
func layLegacyBasejail(t *testing.T, w *world.World, uuid, tag, mnt string) string {
	t.Helper()
	dir := layStartable(t, w, uuid, map[string]any{
		"tag": tag, "type": "basejail", "cloned_release": "14.3-RELEASE", "release": "14.3-RELEASE",
		"host_hostname": uuid, "host_hostuuid": uuid, "jail_zfs_dataset": "iocage/jails/" + uuid + "/data",
	})
	root := filepath.Join(dir, "root")
	for p, body := range map[string]string{
		"etc/rc.conf":              "hostname=\"" + uuid + "\"\nsshd_enable=\"YES\"\n",
		"usr/local/etc/app.conf":   "listen 8080\n",
		"home/user/notes.txt":      "mine\n",
		"var/db/pkg/local.sqlite3": "pkgdb\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(root, "home/user/notes.txt"), 1001, 1001); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/local/etc", filepath.Join(root, "conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "mnt"), 0o755); err != nil {
		t.Fatal(err)
	}
	line := mnt + "\t" + dir + "/root/mnt\tnullfs\tro\t0\t0\n"
	if err := os.WriteFile(filepath.Join(dir, "fstab"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	tags := filepath.Join(w.IOCRoot(), "tags")
	if err := os.MkdirAll(tags, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../jails/"+uuid, filepath.Join(tags, tag)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func datasetSet(w *world.World) []string {
	return strings.Fields(w.Datasets())
}

// migrate converts iocage_legacy's basejails into jails cloned from their
// release, as iocage_cli/migrate.py does: refusals change nothing, each
// jail is one transaction that a failure undoes whole while the others
// go on, and -d destroys the old datasets.
func TestSystemMigrate(t *testing.T) {
	w, _ := startWorld(t)
	pool := w.Pool.Name + "/iocage/"
	const u1, u2, u3 = "8ab3c1d2-0000-4000-8000-000000000001", "8ab3c1d2-0000-4000-8000-000000000002", "8ab3c1d2-0000-4000-8000-000000000003"
	mnt := t.TempDir()
	old1 := layLegacyBasejail(t, w, u1, "web", mnt)
	// A date-stamped tag and an etc that leads out of the root: its
	// migration must fail and leave nothing.
	old2 := layLegacyBasejail(t, w, u2, "2017-03-01@12:00:00", mnt)
	if err := os.RemoveAll(filepath.Join(old2, "root/etc")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(old2, "root/etc")); err != nil {
		t.Fatal(err)
	}
	layStartable(t, w, "web", nil)
	w.Must("create", "-e", "-n", "plain")

	// Refused before anything changes: the release is missing, then the
	// name is taken, then the question is answered no.
	before := w.Datasets()
	if r := w.Jcage("migrate", "-f"); r.Code != 1 || r.Stderr != "RELEASE: 14.3-RELEASE not found! "+u1+" needs it: jcage fetch -r 14.3-RELEASE\n" {
		t.Fatalf("migrate without the release: %+v", r)
	}
	w.LayRelease("14.3-RELEASE")
	before = w.Datasets()
	if r := w.Jcage("migrate", "-f"); r.Code != 1 || r.Stderr != "Jail: web already exists! "+u1+" cannot be migrated to it\n" {
		t.Fatalf("migrate onto a taken name: %+v", r)
	}
	w.Must("rename", "web", "web0")
	before = w.Datasets()
	if r := w.JcageIn("n\n", "migrate"); r.Code != 0 || !strings.Contains(r.Stdout, "This will migrate ALL iocage-legacy develop basejails to clonejails") ||
		!strings.HasSuffix(r.Stdout, "Are you sure? [y/N]: ") {
		t.Fatalf("migrate answered no: %+v", r)
	}
	if got := w.Datasets(); got != before {
		t.Fatalf("a refused migrate changed datasets:\n%s\nwant\n%s", got, before)
	}
	if r := w.Jcage("start", u1); r.Code != 1 || !strings.Contains(r.Stderr, `Please run "iocage migrate" before trying to start `+u1) {
		t.Fatalf("start of a legacy basejail: %+v", r)
	}

	// The migration: u1 becomes web, u2 fails and is put back.
	r := w.Jcage("migrate", "-f")
	if r.Code != 1 || !strings.HasPrefix(r.Stdout, "Copying files for web, please wait...\n"+u1+" (web) migrated to web!\n\n") ||
		!strings.Contains(r.Stderr, "is a symlink") || !strings.HasSuffix(r.Stderr, "failed to migrate 1 jail(s): "+u2+"\n") {
		t.Fatalf("migrate: %+v", r)
	}
	want := slices.Clone(strings.Fields(before))
	want = slices.DeleteFunc(want, func(s string) bool { return s == pool+"jails/"+u1 || s == pool+"jails/"+u1+"/root" })
	want = append(want, pool+"jails_old", pool+"jails_old/"+u1, pool+"jails_old/"+u1+"/root",
		pool+"jails/web", pool+"jails/web/root", pool+"releases/14.3-RELEASE/root@web")
	got := datasetSet(w)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("datasets after migrate:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if origin := strings.TrimSpace(w.ZFS("get", "-H", "-o", "value", "origin", pool+"jails/web/root")); origin != pool+"releases/14.3-RELEASE/root@web" {
		t.Fatalf("web's root is a clone of %q", origin)
	}
	web := filepath.Join(w.IOCRoot(), "jails", "web")
	var cfg map[string]any
	b, _ := os.ReadFile(filepath.Join(web, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"host_hostname": "web", "host_hostuuid": "web", "type": "jail",
		"jail_zfs_dataset": "iocage/jails/web/data", "tag": "web", "cloned_release": "14.3-RELEASE"} {
		if cfg[k] != v {
			t.Errorf("config.json %s = %v, want %v", k, cfg[k], v)
		}
	}
	root := filepath.Join(web, "root")
	for p, want := range map[string]string{
		"etc/rc.conf":            "hostname=\"web\"\nsshd_enable=\"YES\"\n",
		"usr/local/etc/app.conf": "listen 8080\n",
		"home/user/notes.txt":    "mine\n",
		"bin/freebsd-version":    "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p1\"\necho $USERLAND_VERSION\n",
	} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", p, b, err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "home/user/notes.txt")); err != nil {
		t.Fatal(err)
	} else if uid := ownerOf(fi); uid != 1001 {
		t.Errorf("notes.txt owner %d, want 1001", uid)
	}
	if l, err := os.Readlink(filepath.Join(root, "conf")); err != nil || l != "/usr/local/etc" {
		t.Errorf("conf -> %q %v", l, err)
	}
	if b, _ := os.ReadFile(filepath.Join(web, "fstab")); string(b) != mnt+"\t"+web+"/root/mnt\tnullfs\tro\t0\t0\n" {
		t.Errorf("fstab %q", b)
	}
	if _, err := os.Lstat(filepath.Join(w.IOCRoot(), "tags", "web")); !os.IsNotExist(err) {
		t.Errorf("the tag link stays: %v", err)
	}
	if _, err := os.Stat(filepath.Join(old1, "root/etc/rc.conf")); !os.IsNotExist(err) {
		t.Errorf("the old jail is still in jails/: %v", err)
	}
	// The migrated jail starts (its fstab line mounts inside it) and stops.
	w.Must("start", "web")
	w.Must("stop", "web")

	// -d: the old datasets go, jails_old too once empty; a jail with a
	// dataset of its own besides its root is refused with -d.
	w.ZFS("destroy", "-r", pool+"jails/"+u2)
	layLegacyBasejail(t, w, u3, "db", mnt)
	w.ZFS("create", pool+"jails/"+u3+"/data")
	before = w.Datasets()
	if r := w.Jcage("migrate", "-f", "-d"); r.Code != 1 || r.Stderr != u3+" holds "+pool+"jails/"+u3+"/data, which -d would destroy: migrate without -d\n" {
		t.Fatalf("migrate -d with a data dataset: %+v", r)
	}
	if got := w.Datasets(); got != before {
		t.Fatalf("a refused migrate -d changed datasets")
	}
	w.ZFS("destroy", pool+"jails/"+u3+"/data")
	w.ZFS("destroy", "-r", pool+"jails_old/"+u1)
	w.Must("migrate", "-f", "-d")
	got = datasetSet(w)
	for _, gone := range []string{pool + "jails_old", pool + "jails/" + u3} {
		if slices.Contains(got, gone) {
			t.Errorf("%s stays after migrate -d:\n%s", gone, strings.Join(got, "\n"))
		}
	}
	if !slices.Contains(got, pool+"jails/db/root") {
		t.Errorf("no jails/db after migrate -d:\n%s", strings.Join(got, "\n"))
	}
	if out := w.Must("migrate"); out != "No iocage_legacy basejails to migrate.\n" {
		t.Fatalf("migrate with nothing to do: %q", out)
	}
}

func ownerOf(fi os.FileInfo) int { return int(fi.Sys().(*syscall.Stat_t).Uid) }

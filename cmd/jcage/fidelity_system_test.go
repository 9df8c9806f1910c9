package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
)

// An fstab entry unmounted behind jail(8)'s back makes `jail -r` exit 1
// (check_path: not a mount point) after it has removed the jail. The stop
// is a success with a warning: poststop, the unmount sweep and the run
// conf's removal still happen.
func TestSystemStopAfterFstabEntryUnmounted(t *testing.T) {
	w, run := startWorld(t)
	dir := layStartable(t, w, "web", nil)
	root := filepath.Join(dir, "root")
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.Must("fstab", "-a", "web", src, "/media", "nullfs", "ro", "0", "0")
	w.Must("start", "web")
	w.Tool("umount", root+"/media")
	before := len(w.Calls())
	r := w.Jcage("stop", "web")
	if r.Code != 0 || !strings.Contains(r.Stdout, "  + Removing jail process OK\n  + Executing poststop OK\n") ||
		!strings.Contains(r.Stderr, "jail -r: jail: ioc-web: mount.fstab: "+root+"/media: not a mount point") {
		t.Fatalf("stop: %+v", r)
	}
	if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-web") {
		t.Fatalf("still running:\n%s", jls)
	}
	if _, err := os.Stat(filepath.Join(run, "jail.ioc-web.conf")); !os.IsNotExist(err) {
		t.Fatalf("run conf left: %v", err)
	}
	if indexOf(argvs(w.Calls()[before:]), "mount -p") < 0 {
		t.Fatal("no unmount sweep")
	}
	if list := w.Must("list", "-h"); !strings.Contains(list, "\tweb\tdown\t") {
		t.Fatalf("list:\n%s", list)
	}
}

// Values over a kernel string limit are refused when they are set, with
// the limit named, and nothing is made.
func TestSystemKernelLimitsRefusedAtSet(t *testing.T) {
	w, _ := startWorld(t)
	w.LayRelease("14.3-RELEASE")
	label := strings.Repeat("a", 63)
	long := label + "." + label + "." + label + "." + label + "x" // 256 bytes
	before := w.Datasets()
	r := w.Jcage("create", "-r", "14.3-RELEASE", "-n", "big", "host_hostname="+long)
	if r.Code != 1 || !strings.Contains(r.Stderr, "is 256 bytes: FreeBSD's limit is 255 (MAXHOSTNAMELEN)") {
		t.Fatalf("create: %+v", r)
	}
	if w.Datasets() != before {
		t.Fatal("a refused create changed the pool")
	}
	layStartable(t, w, "web", nil)
	r = w.Jcage("set", "host_domainname="+long, "web")
	if r.Code != 1 || !strings.Contains(r.Stderr, "MAXHOSTNAMELEN") {
		t.Fatalf("set: %+v", r)
	}
}

// allow_vmm=1: allow.vmm exists only with vmm.ko loaded and libjail does
// not load it, so jcage loads it with kldload -n before jail -c.
func TestSystemAllowVmmLoadsModule(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "vm", map[string]any{"allow_vmm": 1})
	before := len(w.Calls())
	w.Must("start", "vm")
	got := argvs(w.Calls()[before:])
	k, j := indexOf(got, "kldload -n vmm"), indexOf(got, "jail -f ")
	if k < 0 || j < 0 || k > j {
		t.Fatalf("calls:\n%s", strings.Join(got, "\n"))
	}
	mods, err := fbsdsim.KldLoaded(w.State)
	if err != nil || !strings.Contains(strings.Join(mods, " "), "vmm") {
		t.Fatalf("modules %v %v", mods, err)
	}
	w.Must("stop", "vm")
}

// assign_localhost puts the loopback address on lo0 only: never as an
// alias of the default route's interface.
func TestSystemAssignLocalhostStaysOnLo0(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "web", map[string]any{"ip4_addr": "10.0.0.5", "assign_localhost": 1})
	w.Must("start", "web")
	lo := w.Must("get", "localhost_ip", "web")
	lo = strings.TrimSpace(lo)
	if !strings.HasPrefix(lo, "127.") {
		t.Fatalf("localhost_ip %q", lo)
	}
	if em0 := w.Tool("ifconfig", "em0"); strings.Contains(em0, lo+" ") {
		t.Fatalf("%s on em0:\n%s", lo, em0)
	}
	if lo0 := w.Tool("ifconfig", "lo0"); !strings.Contains(lo0, lo+" ") {
		t.Fatalf("%s not on lo0:\n%s", lo, lo0)
	}
	w.Must("stop", "web")
}

// cron runs jcage with PATH=/usr/bin:/bin: jcage (and go-zfs in it) still
// finds jail(8), jls and zfs(8) in the system PATH.
func TestSystemCallerPathIgnored(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "web", nil)
	w.Setenv("PATH", "/usr/bin:/bin")
	w.Must("start", "web")
	if list := w.Must("list", "-h"); !strings.Contains(list, "\tweb\tup\t") {
		t.Fatalf("list:\n%s", list)
	}
	w.Must("snapshot", "-n", "cron", "web")
	w.Must("stop", "web")
}

// A source path whose encoding libc's strvis gets wrong (U+2028 becomes
// "\040\-(", which strunvis refuses) still reaches mount(8) byte for byte
// through jail(8)'s mount.fstab.
func TestSystemFstabPathSurvivesStrunvis(t *testing.T) {
	w, _ := startWorld(t)
	dir := layStartable(t, w, "web", nil)
	root := filepath.Join(dir, "root")
	src := filepath.Join(t.TempDir(), "line\u2028sep and\u00a0nbsp")
	for _, d := range []string{src, filepath.Join(root, "media")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w.Must("fstab", "-a", "web", src, "/media", "nullfs", "ro", "0", "0")
	w.Must("start", "web")
	if m := w.Tool("mount"); !strings.Contains(m, src+" on "+root+"/media (nullfs") {
		t.Fatalf("mount table:\n%s", m)
	}
	w.Must("stop", "web")
}

// What jcage runs inside a jail is run in the jail's view: a command the
// jail does not have fails as jexec reports it, and a VNET jail's default
// route through a gateway none of its interfaces reaches fails the start.
func TestSystemJexecChecksTheJail(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "web", nil)
	w.Must("start", "web")
	r := w.Jcage("exec", "web", "nosuchcommand")
	if r.Code == 0 || !strings.Contains(r.Stderr, "nosuchcommand") {
		t.Fatalf("exec of a missing command: %+v", r)
	}
	w.Must("stop", "web")

	layStartable(t, w, "vn", map[string]any{"vnet": 1, "ip4_addr": "vnet0|192.168.5.10/24", "defaultrouter": "10.99.0.1"})
	r = w.Jcage("start", "vn")
	if r.Code == 0 || !strings.Contains(r.Stdout, "  + Configuring VNET FAILED\n") ||
		!strings.Contains(r.Stderr, "jexec ioc-vn route add default 10.99.0.1: exit status 1") {
		t.Fatalf("start with an unreachable default router: %+v", r)
	}
	if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-vn") {
		t.Fatalf("jail left running:\n%s", jls)
	}
}

// jail_zfs: the dataset is handed to the jail with zfs jail (which
// zfs-fuse lacks; the shim keeps the jail's list) and taken back at stop.
func TestSystemJailZFS(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "zj", map[string]any{"jail_zfs": 1})
	w.Must("start", "zj")
	ds := w.Pool.Name + "/iocage/jails/zj/data"
	state := func() fbsdsim.ZFSJails {
		var z fbsdsim.ZFSJails
		if b, err := os.ReadFile(filepath.Join(w.State, "zfsjail.json")); err == nil {
			if err := json.Unmarshal(b, &z); err != nil {
				t.Fatal(err)
			}
		}
		return z
	}
	jid := 0
	for id, list := range state().Attached {
		if slices.Contains(list, ds) {
			jid = id
		}
	}
	// iocage creates it with mountpoint=none: given, not mounted.
	if jid == 0 || len(state().Mounted[jid]) != 0 {
		t.Fatalf("%s not given to the jail: %+v", ds, state())
	}
	w.Must("stop", "zj")
	if z := state(); len(z.Attached[jid]) > 0 || len(z.Mounted[jid]) > 0 {
		t.Fatalf("%s still attached after stop: %+v", ds, z)
	}
}

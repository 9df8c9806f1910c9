package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// The attacker suite: root inside a jail has prepared its root for the
// admin's next routine command (symlinks to host paths where jcage
// writes, mounts or reads, its own freebsd-update, a hostile
// freebsd-update.conf, fstab and hosts file). Every command an admin runs
// on such a jail must leave the host as it was: the canary tree, a host
// directory standing for /etc, is checksummed before and after, and no
// program of the jail's may run on the host (each planted program would
// create canary/pwned).
type attack struct {
	t      *testing.T
	w      *world.World
	canary string
	sum    string
}

func newAttack(t *testing.T) *attack {
	w, _ := startWorld(t)
	w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-RELEASE")
	simRelease(t, w.LayRelease("14.3-RELEASE"), false)
	simRelease(t, w.LayRelease("15.0-RELEASE"), true)
	canary := t.TempDir()
	for p, data := range map[string]string{
		"hosts":                  "127.0.0.1 host's own\n",
		"rc.conf":                "hostname=\"thehost\"\n",
		"master.passwd":          "root:*:0:0::0:0:Charlie &:/root:/bin/csh\n",
		"dev/null":               "",
		"proc/1":                 "",
		"db/freebsd-update/keep": "",
	} {
		if err := os.MkdirAll(filepath.Join(canary, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(canary, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := &attack{t: t, w: w, canary: canary}
	a.sum = treeState(t, canary)
	return a
}

// root returns a jail's root directory.
func (a *attack) root(name string) string { return filepath.Join(a.w.IOCRoot(), "jails", name, "root") }

// plant replaces rel under a jail root with a symlink to target.
func (a *attack) plant(root, rel, target string) {
	a.t.Helper()
	p := filepath.Join(root, rel)
	if err := os.RemoveAll(p); err != nil {
		a.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		a.t.Fatal(err)
	}
}

// write puts a file under a jail root, as root in the jail would.
func (a *attack) write(root, rel, data string, mode os.FileMode) {
	a.t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		a.t.Fatal(err)
	}
}

// trojan is a program a jail plants where jcage might run it on the host.
func (a *attack) trojan() string {
	return "#!/bin/sh\ntouch " + filepath.Join(a.canary, "pwned") + "\nexec freebsd-update \"$@\"\n"
}

// intact fails the test when the host's canary changed or a planted
// program ran.
func (a *attack) intact(what string) {
	a.t.Helper()
	if _, err := os.Lstat(filepath.Join(a.canary, "pwned")); err == nil {
		a.t.Fatalf("%s: a program of the jail's ran on the host", what)
	}
	if got := treeState(a.t, a.canary); got != a.sum {
		a.t.Fatalf("%s: a host file outside the jail changed:\n%s\nwant\n%s", what, got, a.sum)
	}
	for _, c := range a.w.Calls() {
		for _, arg := range c.Argv {
			if strings.HasPrefix(arg, a.canary) {
				a.t.Fatalf("%s: a host tool was handed a host path: %q", what, c.Argv)
			}
		}
	}
}

// refused runs jcage and wants a non-zero exit with one line naming want.
func (a *attack) refused(want string, args ...string) {
	a.t.Helper()
	r := a.w.Jcage(args...)
	if r.Code == 0 {
		a.t.Fatalf("jcage %s: exit 0, want a refusal\n%s", strings.Join(args, " "), r.Stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	if !strings.Contains(r.Stderr, want) {
		a.t.Fatalf("jcage %s: stderr %q, want %q", strings.Join(args, " "), r.Stderr, want)
	}
	if len(lines) > 3 {
		a.t.Errorf("jcage %s: %d lines of error:\n%s", strings.Join(args, " "), len(lines), r.Stderr)
	}
}

func TestSystemAttackUpdateRunsNoJailProgram(t *testing.T) {
	a := newAttack(t)
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "thin")
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "thick", "-T")
	for _, name := range []string{"thin", "thick"} {
		root := a.root(name)
		a.write(root, "usr/sbin/freebsd-update", a.trojan(), 0o755)
		a.w.Must("update", name)
		a.intact("update " + name)
	}
	// A host too old to manage the release: the release dataset's tool.
	a.w.Setenv("JCAGE_SIM_HOST_RELEASE", "14.2-RELEASE")
	a.w.Must("update", "thin")
	a.intact("update with the release's freebsd-update")
	a.w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-RELEASE")
	out := a.w.Must("upgrade", "thick", "-r", "15.0-RELEASE")
	if !strings.Contains(out, "successfully upgraded") {
		t.Fatalf("upgrade: %s", out)
	}
	a.intact("upgrade")
	for _, c := range a.w.Calls() {
		if c.Tool == "freebsd-update" && len(c.Argv) > 0 && strings.Contains(c.Argv[0], "/jails/") {
			t.Fatalf("ran a jail's freebsd-update: %q", c.Argv)
		}
	}
}

func TestSystemAttackUpdateMountsAndTree(t *testing.T) {
	a := newAttack(t)
	// devfs is never mounted through a symlink at ROOT/dev, even one that
	// stays inside the root (jail(8)'s check_path refuses both); one that
	// leads out is refused before that, with the whole tree.
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "dev", "-T")
	a.write(a.root("dev"), "var/empty/.keep", "", 0o644)
	a.plant(a.root("dev"), "dev", "var/empty")
	a.refused("dev: is a symlink", "update", "dev")
	a.plant(a.root("dev"), "dev", filepath.Join(a.canary, "dev"))
	a.refused("symlink leads out of the jail root", "update", "dev")
	a.intact("update with a symlinked dev")
	// The old work directory made a symlink to a host directory.
	os.Remove(filepath.Join(a.root("dev"), "dev"))
	os.Mkdir(filepath.Join(a.root("dev"), "dev"), 0o555)
	a.plant(a.root("dev"), "var/db/freebsd-update", filepath.Join(a.canary, "db/freebsd-update"))
	a.refused("symlink leads out of the jail root", "update", "dev")
	a.intact("update with a symlinked var/db/freebsd-update")

	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "tree", "-T")
	a.plant(a.root("tree"), "usr/share/locale", a.canary)
	a.refused("symlink leads out of the jail root", "update", "tree")
	a.refused("symlink leads out of the jail root", "upgrade", "tree", "-r", "15.0-RELEASE")
	a.intact("update of a tree that leads out")

	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "conf", "-T")
	conf := "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nServerName update.FreeBSD.org\n"
	a.write(a.root("conf"), "etc/freebsd-update.conf", conf+"BackupKernelDir "+a.canary+"\nWorkDir "+a.canary+"\n", 0o644)
	a.w.Must("update", "conf") // host-path keys are dropped from the copy
	a.intact("update with a hostile freebsd-update.conf")
	a.write(a.root("conf"), "etc/freebsd-update.conf", conf+"Evil "+a.canary+"\n", 0o644)
	a.refused(`unknown key "Evil"`, "update", "conf")
	a.plant(a.root("conf"), "etc/freebsd-update.conf", filepath.Join(a.canary, "rc.conf"))
	a.refused("is a symlink", "update", "conf")
	a.intact("update with a symlinked freebsd-update.conf")
}

func TestSystemAttackTemplateAndClone(t *testing.T) {
	a := newAttack(t)
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "tpl")
	a.w.Must("set", "template=yes", "tpl")
	troot := filepath.Join(a.w.IOCRoot(), "templates", "tpl", "root")
	tds := a.w.Pool.Name + "/iocage/templates/tpl/root"
	a.w.ZFS("set", "readonly=off", tds)
	a.plant(troot, "etc", a.canary)
	a.w.ZFS("set", "readonly=on", tds)
	before := a.w.Datasets()
	for _, thick := range []bool{false, true} {
		args := []string{"create", "-t", "tpl", "-n", "victim"}
		if thick {
			args = append(args, "-T")
		}
		a.refused("etc: is a symlink", args...)
		a.intact(strings.Join(args, " "))
		if got := a.w.Datasets(); got != before {
			t.Fatalf("%v left datasets:\n%s\nwant\n%s", args, got, before)
		}
	}

	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "src")
	a.plant(a.root("src"), "etc/hosts", filepath.Join(a.canary, "hosts"))
	before = a.w.Datasets()
	a.refused("hosts: is a symlink", "clone", "src", "-n", "copy")
	a.intact("clone of a jail whose hosts is a symlink")
	if got := a.w.Datasets(); got != before {
		t.Fatalf("clone left datasets:\n%s\nwant\n%s", got, before)
	}
}

func TestSystemAttackEveryVerb(t *testing.T) {
	a := newAttack(t)
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "evil", "ip4_addr=em0|10.0.0.9/24", "mount_procfs=1", "host_time=1")
	root := a.root("evil")
	a.plant(root, "proc", filepath.Join(a.canary, "proc"))
	a.refused("proc: is a symlink", "start", "evil")
	a.intact("start with a symlinked proc")
	a.w.Must("set", "mount_procfs=0", "evil")
	// etc is the host's: nothing is written there, and start still runs.
	a.plant(root, "etc", a.canary)
	a.plant(root, "dev", filepath.Join(a.canary, "dev"))
	a.w.Jcage("start", "evil")
	a.intact("start with a symlinked etc and dev")
	for _, args := range [][]string{
		{"exec", "evil", "id"},
		{"pkg", "evil", "info"},
		{"restart", "evil"},
		{"stop", "evil"},
		{"set", "notes=x", "evil"},
		{"set", "resolver=nameserver 10.0.0.1", "evil"},
		{"snapshot", "-n", "s1", "evil"},
		{"rollback", "-n", "s1", "-f", "evil"},
		{"fstab", "-a", "evil", a.canary, "/etc/x", "nullfs", "ro", "0", "0"},
		{"start", "evil"},
		{"stop", "evil"},
		{"rename", "evil", "evil2"},
		{"export", "evil2"},
		{"clone", "evil2", "-n", "evil3"},
		{"update", "evil2"},
		{"upgrade", "evil2", "-r", "15.0-RELEASE"},
		{"destroy", "-f", "evil2"},
		{"import", "evil2"},
		{"destroy", "-f", "evil2"},
	} {
		a.w.Jcage(args...)
		a.intact(strings.Join(args, " "))
	}
}

// An export is not the host's: a config.json that would have the host
// run a command at the jail's next start is refused at import unless
// the admin says --trust-hooks.
func TestSystemAttackImportHooks(t *testing.T) {
	a := newAttack(t)
	a.w.Must("create", "-r", "14.3-RELEASE", "-n", "shipped")
	a.w.Must("set", "exec_prestart=touch "+filepath.Join(a.canary, "pwned"), "shipped")
	a.w.Must("export", "shipped")
	a.w.Must("destroy", "-f", "shipped")
	before := a.w.Datasets()
	a.refused("runs exec_prestart on the host", "import", "shipped")
	if got := a.w.Datasets(); got != before {
		t.Fatalf("a refused import left datasets:\n%s\nwant\n%s", got, before)
	}
	a.intact("import of an archive with a host hook")
	a.w.Must("import", "--trust-hooks", "shipped")
	if got := strings.TrimSpace(a.w.Must("get", "exec_prestart", "shipped")); !strings.HasPrefix(got, "touch ") {
		t.Fatalf("exec_prestart after --trust-hooks: %q", got)
	}
}

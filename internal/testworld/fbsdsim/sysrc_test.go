package fbsdsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSysrcEditsARealFile(t *testing.T) {
	h := ulNewHarness(t)
	rc := filepath.Join(t.TempDir(), "rc.conf")
	// A new variable in a new file: "name:  -> value".
	h.run("sysrc", "", "-f", rc, "host_hostname=web1").want(t, 0, "host_hostname:  -> web1\n", "")
	h.run("sysrc", "", "-f", rc, "ifconfig_epair0b=inet 10.0.0.5/24").want(t, 0, "ifconfig_epair0b:  -> inet 10.0.0.5/24\n", "")
	if got := ulReadFile(t, rc); got != "host_hostname=\"web1\"\nifconfig_epair0b=\"inet 10.0.0.5/24\"\n" {
		t.Fatalf("file:\n%s", got)
	}
	// Changing a value keeps quoting style and trailing comments.
	ulWriteFile(t, rc, "# jail rc.conf\nsshd_enable=NO # remote access\ncron_flags='-J 15'\nhostname=\"old\"\nhostname=\"newer\"\n")
	h.run("sysrc", "", "-f", rc, "sshd_enable=YES", "cron_flags=-J 60", "hostname=final").want(t, 0,
		"sshd_enable: NO -> YES\ncron_flags: -J 15 -> -J 60\nhostname: newer -> final\n", "")
	if got := ulReadFile(t, rc); got != "# jail rc.conf\nsshd_enable=\"YES\" # remote access\ncron_flags='-J 60'\nhostname=\"old\"\nhostname=\"final\"\n" {
		t.Fatalf("file:\n%s", got)
	}
	// Queries, in the three formats.
	h.run("sysrc", "", "-f", rc, "hostname").want(t, 0, "hostname: final\n", "")
	h.run("sysrc", "", "-f", rc, "-n", "hostname").want(t, 0, "final\n", "")
	h.run("sysrc", "", "-f", rc, "-e", "hostname").want(t, 0, "hostname=\"final\"\n", "")
	// Defaults answer for names the file does not set.
	h.run("sysrc", "", "-f", rc, "-n", "syslogd_flags").want(t, 0, "-s\n", "")
	// Unknown names: the 14.x script reports them on stderr, status 1.
	if r := h.run("sysrc", "", "-f", rc, "no_such_var"); r.code != 1 || r.stdout != "" || r.stderr != "sysrc: unknown variable 'no_such_var'\n" {
		t.Fatalf("unknown: %+v", r)
	}
	if r := h.run("sysrc", "", "-f", rc, "-i", "no_such_var"); r.code != 1 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("-i: %+v", r)
	}
	// -x removes every assignment; a second -x finds nothing.
	h.run("sysrc", "", "-f", rc, "-x", "hostname").want(t, 0, "", "")
	if got := ulReadFile(t, rc); strings.Contains(got, "hostname") {
		t.Fatalf("-x left:\n%s", got)
	}
	h.run("sysrc", "", "-f", rc, "-x", "hostname_x").want(t, 1, "", "sysrc: unknown variable 'hostname_x'\n")
}

func TestSysrcListsAndChecks(t *testing.T) {
	h := ulNewHarness(t)
	rc := filepath.Join(t.TempDir(), "rc.conf")
	ulWriteFile(t, rc, "cloned_interfaces=\"bridge0\"\n")
	h.run("sysrc", "", "-f", rc, "cloned_interfaces+=epair0 bridge0").want(t, 0, "cloned_interfaces: bridge0 -> bridge0 epair0\n", "")
	h.run("sysrc", "", "-f", rc, "cloned_interfaces-=bridge0").want(t, 0, "cloned_interfaces: bridge0 epair0 -> epair0\n", "")
	h.run("sysrc", "", "-f", rc, "kld_list+=,if_bridge").want(t, 0, "kld_list:  -> if_bridge\n", "")
	h.run("sysrc", "", "-f", rc, "-c", "cloned_interfaces=epair0").want(t, 0, "", "")
	h.run("sysrc", "", "-f", rc, "-c", "cloned_interfaces=other").want(t, 1, "", "")
	h.run("sysrc", "", "-f", rc, "-c", "never_set=1").want(t, 1, "", "")
	h.run("sysrc", "", "-f", rc, "-a").want(t, 0, "cloned_interfaces: epair0\nkld_list: if_bridge\n", "")
	// -d describes instead of showing the value.
	if r := h.run("sysrc", "", "-f", rc, "-d", "sshd_enable"); r.code != 0 || r.stdout != "sshd_enable: Enable sshd\n" {
		t.Fatalf("-d: %+v", r)
	}
}

func TestSysrcRootAndJail(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	// As under chroot, a root without /etc cannot take an rc.conf.
	h.run("sysrc", "", "-R", root, "sshd_enable=YES").want(t, 1, "", "sysrc: cannot create /etc/rc.conf: No such file or directory\n")
	if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.run("sysrc", "", "-R", root, "sshd_enable=YES").want(t, 0, "sshd_enable: NO -> YES\n", "")
	if got := ulReadFile(t, filepath.Join(root, "etc/rc.conf")); got != "sshd_enable=\"YES\"\n" {
		t.Fatalf("%q", got)
	}
	// -f inside -R names a file in the root.
	h.run("sysrc", "", "-R", root, "-f", "/etc/rc.conf.local", "foo=bar").want(t, 0, "foo:  -> bar\n", "")
	if _, err := os.Stat(filepath.Join(root, "etc/rc.conf.local")); err != nil {
		t.Fatal(err)
	}
	h.run("sysrc", "", "-R", root, "-n", "foo", "sshd_enable").want(t, 0, "bar\nYES\n", "")
	h.run("sysrc", "", "-R", filepath.Join(root, "missing"), "foo").want(t, 1, "", "chroot: "+filepath.Join(root, "missing")+": No such file or directory\n")

	h.addJail("web", 4, root)
	h.run("sysrc", "", "-j", "web", "-n", "sshd_enable").want(t, 0, "YES\n", "")
	h.run("sysrc", "", "-j", "nosuch", "sshd_enable").want(t, 1, "", "jexec: jail \"nosuch\" not found\n")
	// rc.conf.local is sourced after rc.conf.
	ulWriteFile(t, filepath.Join(root, "etc/rc.conf.local"), "sshd_enable=\"NO\"\n")
	h.run("sysrc", "", "-j", "4", "-v", "sshd_enable").want(t, 0, "/etc/rc.conf.local: sshd_enable: NO\n", "")
}

func TestSysrcShellSubset(t *testing.T) {
	v := sysrcVars{"base": "/jails"}
	sysrcSource("a=1 b='two words'; c=\"${base}/x $a\" # comment\nd=$base/y\ne=\"multi\nline\"\necho not=an_assignment\n", v)
	want := map[string]string{"a": "1", "b": "two words", "c": "/jails/x 1", "d": "/jails/y", "e": "multi\nline", "base": "/jails"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if _, ok := v["not"]; ok {
		t.Error("an argument of echo became a variable")
	}
	if err := sysrcCheck("a=\"unterminated\n"); err == nil {
		t.Error("unterminated quote passed the syntax check")
	}
}

func TestSysrcRefusals(t *testing.T) {
	h := ulNewHarness(t)
	usage := "Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\nTry `sysrc --help' for more information.\n"
	h.run("sysrc", "").want(t, 1, "", usage)
	h.run("sysrc", "", "-Z", "x").want(t, 1, "", "Illegal option -Z\n"+usage)
	h.run("sysrc", "", "-f").want(t, 1, "", "No arg for -f option\n")
	missing := filepath.Join(t.TempDir(), "rc.conf")
	h.run("sysrc", "", "-f", missing).want(t, 1, "", usage)
	h.run("sysrc", "", "-f", missing, "bad.name=1").want(t, 1, "", "sysrc: bad.name: name contains characters not allowed in shell\n")
	h.run("sysrc", "", "--version").want(t, 1, "7.2 Jun-16,2018\n", "")
	rc := filepath.Join(t.TempDir(), "rc.conf")
	ulWriteFile(t, rc, "broken=\"oops\n")
	h.run("sysrc", "", "-f", rc, "x=1").want(t, 1, "", "sysrc: Exiting due to previous syntax errors\n")
	// Without JCAGE_SIM_ROOT the host's own /etc/rc.conf is off limits.
	h.run("sysrc", "", "sshd_enable=YES").want(t, 70, "", "refusing to modify rc.conf files")
	h.env["JCAGE_SIM_ROOT"] = t.TempDir()
	if err := os.Mkdir(filepath.Join(h.env["JCAGE_SIM_ROOT"], "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.run("sysrc", "", "sshd_enable=YES").want(t, 0, "sshd_enable: NO -> YES\n", "")
	if got := ulReadFile(t, filepath.Join(h.env["JCAGE_SIM_ROOT"], "etc/rc.conf")); got != "sshd_enable=\"YES\"\n" {
		t.Fatal(got)
	}
}

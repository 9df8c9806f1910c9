package fbsdsim

import (
	"strings"
	"testing"
)

func TestSysctlRead(t *testing.T) {
	h := ulNewHarness(t)
	h.run("sysctl", "", "-n", "kern.osrelease").want(t, 0, "14.3-RELEASE\n", "")
	h.run("sysctl", "", "kern.osreldate", "hw.machine").want(t, 0, "kern.osreldate: 1403000\nhw.machine: amd64\n", "")
	h.run("sysctl", "", "-e", "vfs.zfs.version.spa").want(t, 0, "vfs.zfs.version.spa=5000\n", "")
	h.run("sysctl", "", "-N", "hw.ncpu").want(t, 0, "hw.ncpu\n", "")
	h.run("sysctl", "", "-n", "kern.features.vimage", "security.jail.jailed", "net.inet.ip.forwarding").want(t, 0, "1\n0\n0\n", "")
	h.run("sysctl", "", "-d", "hw.ncpu").want(t, 0, "hw.ncpu: Number of active CPUs\n", "")
	h.run("sysctl", "", "-t", "kern.osrelease").want(t, 0, "kern.osrelease: string\n", "")
	// A node prints its leaves.
	r := h.run("sysctl", "", "security.jail.param.allow.mount")
	if r.code != 0 || !strings.Contains(r.stdout, "security.jail.param.allow.mount.: 0\n") ||
		!strings.Contains(r.stdout, "security.jail.param.allow.mount.zfs: 0\n") {
		t.Fatalf("%+v", r)
	}
	h.env["JCAGE_SIM_NCPU"] = "16"
	h.env["JCAGE_SIM_VIMAGE"] = "0"
	h.env["JCAGE_SIM_SYSCTL"] = "kern.racct.enable=1,my.custom.oid=hello"
	h.run("sysctl", "", "-n", "hw.ncpu", "kern.racct.enable", "my.custom.oid").want(t, 0, "16\n1\nhello\n", "")
	h.run("sysctl", "", "kern.features.vimage").want(t, 1, "", "sysctl: unknown oid 'kern.features.vimage'\n")
}

func TestSysctlUnknownOID(t *testing.T) {
	h := ulNewHarness(t)
	h.run("sysctl", "", "no.such.oid").want(t, 1, "", "sysctl: unknown oid 'no.such.oid'\n")
	// The status counts the failures and the others are still shown.
	h.run("sysctl", "", "-n", "a.b", "hw.machine", "c.d").want(t, 2, "amd64\n", "sysctl: unknown oid 'c.d'\n")
	if r := h.run("sysctl", "", "-q", "no.such.oid"); r.code != 1 || r.stderr != "" || r.stdout != "" {
		t.Fatalf("-q: %+v", r)
	}
	if r := h.run("sysctl", "", "-i", "no.such.oid"); r.code != 0 || r.stderr != "" {
		t.Fatalf("-i: %+v", r)
	}
}

func TestSysctlWrite(t *testing.T) {
	h := ulNewHarness(t)
	h.run("sysctl", "", "net.inet.ip.forwarding=1").want(t, 0, "net.inet.ip.forwarding: 0 -> 1\n", "")
	h.run("sysctl", "", "-n", "net.inet.ip.forwarding").want(t, 0, "1\n", "")
	h.run("sysctl", "", "-n", "net.inet.ip.forwarding=0").want(t, 0, "1 -> 0\n", "")
	h.run("sysctl", "", "kern.hostname=\"jail-host\"").want(t, 0, " -> jail-host\n", "")
	if v, _ := sysctlGet(&Env{State: h.state, Getenv: func(string) string { return "" }}, "kern.hostname"); v != "jail-host" {
		t.Fatalf("other tools see %q", v)
	}
	h.run("sysctl", "", "kern.osrelease=15.0-RELEASE").want(t, 1, "", "sysctl: oid 'kern.osrelease' is read only\n")
	h.run("sysctl", "", "kern.racct.enable=1").want(t, 1, "", "sysctl: oid 'kern.racct.enable' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n")
	h.run("sysctl", "", "net.inet.ip.forwarding=yes").want(t, 1, "", "sysctl: invalid integer 'yes'\n")
	h.run("sysctl", "", "net.inet.ip.forwarding=").want(t, 1, "", "sysctl: empty numeric value\n")
	h.run("sysctl", "", "security.jail=1").want(t, 1, "", "sysctl: oid 'security.jail' isn't a leaf node\n")
	h.run("sysctl", "", "kern.securelevel=1").want(t, 0, "kern.securelevel: -1 -> 1\n", "")
	h.run("sysctl", "", "kern.securelevel=0").want(t, 1, "kern.securelevel: 1\n", "sysctl: kern.securelevel=0: Operation not permitted\n")
}

func TestSysctlRefusals(t *testing.T) {
	h := ulNewHarness(t)
	usage := "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n"
	h.run("sysctl", "").want(t, 1, "", usage)
	h.run("sysctl", "", "-Nn", "hw.ncpu").want(t, 1, "", usage)
	h.run("sysctl", "", "-Z", "hw.ncpu").want(t, 1, "", "sysctl: illegal option -- Z\n"+usage)
	h.run("sysctl", "", "-W", "hw.ncpu=2").want(t, 1, "", "sysctl: Can't set variables when using -T or -W\n"+usage)
	h.run("sysctl", "", "-f", "/nonexistent/sysctl.conf").want(t, 66, "", "sysctl: /nonexistent/sysctl.conf: No such file or directory\n")
}

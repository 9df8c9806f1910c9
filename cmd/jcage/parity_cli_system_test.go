package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// --version prints iocage's "Version\tN", and root's commands append to
// iocage's log: the command line, then each line of output at its
// message's level, the command's error as ERROR (iocage_cli/__init__.py
// print_version, IOCLogger; TestSystemLogLevels checks the levels).
func TestSystemVersionAndLog(t *testing.T) {
	w, _ := startWorld(t)
	if out := w.Must("--version"); !regexp.MustCompile(`^Version\t\S+\n$`).MatchString(out) {
		t.Fatalf("--version: %q", out)
	}
	layStartable(t, w, "logged", nil)
	w.Must("start", "logged")
	w.Jcage("start", "logged")
	w.Must("stop", "logged")
	var path string
	for _, kv := range w.Env {
		if v, ok := strings.CutPrefix(kv, "IOCAGE_LOGFILE="); ok {
			path = v
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	stamp := `\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `
	for _, want := range []string{
		stamp + `\(INFO\) \S*jcage start logged\n`,
		stamp + `\(INFO\) \* Starting logged\n`,
		stamp + `\(INFO\)   \+ Started OK\n`,
		stamp + `\(ERROR\) logged is already running!\n`,
		stamp + `\(INFO\) \* Stopping logged\n`,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Fatalf("no %q in the log:\n%s", want, log)
		}
	}
}

// start -i and stop -i report a failure and exit 0.
func TestSystemStartStopIgnore(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "bad", map[string]any{"exec_prestart": "exit 3"})
	if r := w.Jcage("start", "-i", "bad"); r.Code != 0 || !strings.Contains(r.Stderr, "Refusing to start bad: exec_prestart failed") {
		t.Fatalf("start -i: %+v", r)
	}
	if r := w.Jcage("start", "bad"); r.Code != 1 {
		t.Fatalf("start without -i: %+v", r)
	}
	if r := w.Jcage("stop", "--ignore", "bad"); r.Code != 0 || !strings.Contains(r.Stderr, "bad is not running!") {
		t.Fatalf("stop -i: %+v", r)
	}
}

// debug writes iocage's support bundle; chroot points to exec and console.
func TestSystemDebugAndChroot(t *testing.T) {
	w, _ := startWorld(t)
	dir := layStartable(t, w, "dbg", map[string]any{"ip4_addr": "em0|10.0.0.60/24"})
	os.WriteFile(dir+"/root/etc/hosts", []byte("127.0.0.1 localhost\n"), 0o644)
	layStartable(t, w, "idle", nil)
	w.Must("start", "dbg")
	defer w.Jcage("stop", "dbg")
	out := t.TempDir()
	w.Must("debug", "-d", out)
	host, _ := os.ReadFile(out + "/host.txt")
	if !strings.HasPrefix(string(host), "ZFS\n----------\n") || !strings.Contains(string(host), "\n"+w.Pool.Name+"/iocage/jails/dbg\n") || !strings.Contains(string(host), "\nMOUNT\n----------\n") ||
		!strings.Contains(string(host), "\nDF -h\n----------\n") || !strings.Contains(string(host), "\nNETSTAT -nr\n----------\n") {
		t.Fatalf("host.txt:\n%s", host)
	}
	j, _ := os.ReadFile(out + "/dbg.txt")
	for _, want := range []string{"PROPS\n----------\n", "ip4_addr = em0|10.0.0.60/24\n", "state = up\n",
		"\n/ETC/HOSTS\n----------\n127.0.0.1 localhost\n", "\nIFCONFIG -a\n----------\n", "\n/ETC/RESOLV.CONF\n----------\n"} {
		if !strings.Contains(string(j), want) {
			t.Fatalf("no %q in dbg.txt:\n%s", want, j)
		}
	}
	idle, _ := os.ReadFile(out + "/idle.txt")
	if !strings.Contains(string(idle), "\nIFCONFIG -a\n----------\nidle not running -- cannot run command\n") {
		t.Fatalf("idle.txt:\n%s", idle)
	}
	if r := w.Jcage("chroot", "dbg", "ls"); r.Code != 1 || !strings.Contains(r.Stderr, "jcage exec dbg") {
		t.Fatalf("chroot: %+v", r)
	}
}

// list -l as root reads a running DHCP jail's address inside the jail.
func TestSystemListDHCPAddress(t *testing.T) {
	w, _ := startWorld(t)
	w.Setenv("JCAGE_SIM_JEXEC_STDOUT", matrixDHCPLease)
	layStartable(t, w, "dh", map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "mac_prefix": "02ff60"})
	w.Must("start", "dh")
	defer w.Jcage("stop", "dh")
	before := len(w.Calls())
	out := w.Must("list", "-l", "-h")
	if !strings.Contains(out, "\tdh\t") || !strings.Contains(out, "\tepair0b|10.0.0.77\t") {
		t.Fatalf("list -l:\n%s", out)
	}
	if calls := strings.Join(argvs(w.Calls()[before:]), "\n"); !strings.Contains(calls, "jexec ioc-dh ifconfig epair0b inet") {
		t.Fatalf("calls:\n%s", calls)
	}
}

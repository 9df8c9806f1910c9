package fbsdsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServiceLifecycle(t *testing.T) {
	h := ulNewHarness(t)
	host := t.TempDir()
	h.env["JCAGE_SIM_ROOT"] = host
	if err := os.MkdirAll(filepath.Join(host, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.run("service", "", "sshd", "start").want(t, 0,
		"Cannot 'start' sshd. Set sshd_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n", "")
	h.run("service", "", "sshd", "status").want(t, 0, "Cannot 'status' sshd.", "")
	h.run("service", "", "sshd", "onestatus").want(t, 1, "sshd is not running.\n", "")
	h.run("service", "", "sshd", "onestart").want(t, 0, "Starting sshd.\n", "")
	h.run("service", "", "sshd", "onestatus").want(t, 0, "sshd is running as pid 1001.\n", "")
	h.run("service", "", "sshd", "onestart").want(t, 1, "", "sshd already running?  (pid=1001).\n")
	h.run("service", "", "sshd", "enabled").want(t, 1, "", "")

	h.run("service", "", "sshd", "enable").want(t, 0, "sshd enabled in /etc/rc.conf\n", "")
	if got := ulReadFile(t, filepath.Join(host, "etc/rc.conf")); got != "sshd_enable=\"YES\"\n" {
		t.Fatalf("rc.conf: %q", got)
	}
	h.run("service", "", "sshd", "enabled").want(t, 0, "", "")
	h.run("service", "", "sshd", "restart").want(t, 0, "Stopping sshd.\nWaiting for PIDS: 1001.\nStarting sshd.\n", "")
	h.run("service", "", "sshd", "stop").want(t, 0, "Stopping sshd.\nWaiting for PIDS: 1002.\n", "")
	h.run("service", "", "sshd", "stop").want(t, 1, "", "sshd not running? (check /var/run/sshd.pid).\n")
	h.run("service", "", "-e").want(t, 0, "/etc/rc.d/sshd\n", "")
	h.run("service", "", "sshd", "disable").want(t, 0, "sshd disabled in /etc/rc.conf\n", "")
	h.run("service", "", "sshd", "rcvar").want(t, 0, "# sshd : Secure Shell Daemon\n#\nsshd_enable=\"NO\"\n", "")
	r := h.run("service", "", "-l")
	if !strings.Contains(r.stdout, "cron\n") || !strings.Contains(r.stdout, "sshd\n") {
		t.Fatalf("-l: %+v", r)
	}
}

func TestServiceInJail(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	h.addJail("web", 6, root)
	// A root with its own rc.d: only the scripts there exist.
	ulWriteFile(t, filepath.Join(root, "etc/rc.d/nginx"), "#!/bin/sh\n. /etc/rc.subr\nname=nginx\nrcvar=nginx_enable\ncommand=/usr/local/sbin/nginx\nextra_commands=\"reload configtest\"\nrun_rc_command \"$1\"\n")
	ulWriteFile(t, filepath.Join(root, "etc/rc.conf"), "nginx_enable=\"YES\"\n")
	h.run("service", "", "-j", "web", "sshd", "start").want(t, 1,
		"sshd does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\n", "")
	h.run("service", "", "-j", "web", "nginx", "start").want(t, 0, "Starting nginx.\n", "")
	h.run("service", "", "-j", "web", "nginx", "configtest").want(t, 0, "", "")
	h.run("service", "", "-j", "web", "nginx", "frob").want(t, 1, "",
		"/etc/rc.d/nginx: unknown directive 'frob'.\nUsage: /etc/rc.d/nginx [fast|force|one|quiet](start|stop|restart|rcvar|enable|disable|delete|enabled|describe|extracommands|reload|configtest|status|poll)\n")
	h.run("service", "", "-j", "web", "-v", "nginx", "status").want(t, 0, "nginx is located in /etc/rc.d\nnginx is running as pid", "")
	running, err := ServicesRunning(h.state)
	if err != nil || running["jail:web#6"]["nginx"] == 0 {
		t.Fatalf("%v %v", running, err)
	}
	h.run("service", "", "-j", "nosuch", "-l").want(t, 1, "", "jexec: jail \"nosuch\" not found\n")
}

func TestServiceRefusals(t *testing.T) {
	h := ulNewHarness(t)
	h.run("service", "").want(t, 1, "\nUsage:\nservice [-j <jail name or id>] -e\n", "")
	h.run("service", "", "sshd").want(t, 1, "Usage:", "")
	h.run("service", "", "-h").want(t, 0, "service -h\n", "")
	h.run("service", "", "-x", "sshd", "start").want(t, 1, "Usage:", "Illegal option -x\n")
	// Without JCAGE_SIM_ROOT, enable would edit the Linux host's rc.conf.
	h.run("service", "", "sshd", "enable").want(t, 70, "", "refusing to modify")
}

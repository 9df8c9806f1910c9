package fbsdsim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJailRefusesWithoutOperation(t *testing.T) {
	s := newKSim(t)
	r := s.fails(1, "usage: jail [-dhilqv]", "jail")
	if r.stdout != "" {
		t.Fatalf("stdout %q", r.stdout)
	}
	s.fails(1, "usage: jail", "jail", "name=x", "persist")
	s.fails(1, "usage: jail", "jail", "-q", "foo")
	s.assertLogged("jail", "-q", "foo")
}

func TestJailRefusesBadFlags(t *testing.T) {
	s := newKSim(t)
	r := s.fails(1, "jail: illegal option -- z\nusage: jail", "jail", "-z", "-c", "name=x")
	_ = r
	s.fails(1, "jail: option requires an argument -- f", "jail", "-c", "-f")
	s.fails(1, "usage:", "jail", "-cR", "name=x")
}

func TestJailCreateListRemove(t *testing.T) {
	s := newKSim(t)
	root := s.dir("j1")
	out := s.ok("jail", "-c", "name=j1", "path="+root, "host.hostname=j1.example", "ip4.addr=10.0.0.5", "persist")
	wantEq(t, "create output", out, "j1: created\n")
	w := s.world()
	if len(w.jails().sorted()) != 1 || w.jails().sorted()[0].JID != 1 || w.jails().sorted()[0].Params["ip4"] != "new" {
		t.Fatalf("jails = %+v", w.jails().sorted())
	}
	out = s.ok("jls")
	want := "   JID  IP Address      Hostname                      Path\n" +
		fmt.Sprintf("%6d  %-15.15s %-29.29s %.74s\n", 1, "10.0.0.5", "j1.example", root)
	wantEq(t, "jls", out, want)

	// A second create of the running name is refused and changes nothing.
	s.fails(1, "jail: \"j1\" already exists\n", "jail", "-c", "name=j1", "path="+root, "persist")
	if n := len(s.world().jails().sorted()); n != 1 {
		t.Fatalf("%d jails after refused create", n)
	}

	// Removal without a config file prints nothing.
	out = s.ok("jail", "-r", "j1")
	wantEq(t, "remove output", out, "")
	wantEq(t, "jls after remove", s.ok("jls"), "   JID  IP Address      Hostname                      Path\n")
	s.fails(1, "jail: \"j1\" not found\n", "jail", "-r", "j1")
	r := s.fails(1, "", "jail", "-q", "-r", "j1")
	if r.stderr != "" {
		t.Fatalf("-q still printed %q", r.stderr)
	}
}

func TestJailJIDsIncreaseAndAreNotReused(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	for i, n := range []string{"a", "b", "c"} {
		out := s.ok("jail", "-i", "-c", "name="+n, "path="+root, "persist")
		wantEq(t, "jid", out, fmt.Sprintf("%d\n", i+1))
	}
	s.ok("jail", "-r", "b")
	wantEq(t, "next jid", s.ok("jail", "-ic", "name=d", "path="+root, "persist"), "4\n")
	s.ok("jail", "-r", "d")
	wantEq(t, "jid after removing the newest", s.ok("jail", "-ic", "name=e", "path="+root, "persist"), "5\n")
	s.fails(1, "jail: jail 1 already exists", "jail", "-c", "jid=1", "name=z", "path="+root, "persist")
	wantEq(t, "explicit jid", s.ok("jail", "-ic", "jid=9", "name=z", "path="+root, "persist"), "9\n")
}

func TestJailParameterChecks(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.fails(1, "jail: x: unknown parameter: foo\n", "jail", "-c", "name=x", "path="+root, "foo=1")
	s.fails(1, "jail: x: securelevel: non-integer value \"high\"", "jail", "-c", "name=x", "path="+root, "securelevel=high")
	s.fails(1, "jail: x: vnet: unknown jailsys value \"maybe\"", "jail", "-c", "name=x", "path="+root, "vnet=maybe")
	s.fails(1, "jail: x: ip4.addr: not an IPv4 address: 10.0.0.300", "jail", "-c", "name=x", "path="+root, "ip4.addr=10.0.0.300")
	s.fails(1, "jail: x: path /nonexistent/root: No such file or directory", "jail", "-c", "name=x", "path=/nonexistent/root", "persist")
	s.fails(1, "jail: x: path rel: not an absolute pathname", "jail", "-c", "name=x", "path=rel", "persist")
	s.fails(1, "name cannot be numeric", "jail", "-c", "name=77", "path="+root, "persist")
	s.fails(1, "jail: a.b: jail \"a\" not found", "jail", "-c", "name=a.b", "path="+root, "persist")
	s.env["JCAGE_SIM_UID"] = "1001"
	s.fails(1, "jail: x: jail_set: Operation not permitted", "jail", "-c", "name=x", "path="+root, "persist")
	delete(s.env, "JCAGE_SIM_UID")
	if n := len(s.world().jails().sorted()); n != 0 {
		t.Fatalf("refused creates left %d jails", n)
	}
	// Boolean spellings.
	s.ok("jail", "-c", "name=x", "path="+root, "persist", "allow.nomount", "allow.raw_sockets=1", "vnet")
	p := s.world().jails().sorted()[0].Params
	if p["allow.mount"] != "false" || p["allow.raw_sockets"] != "true" || p["vnet"] != "new" || p["persist"] != "true" {
		t.Fatalf("params %v", p)
	}
}

func TestJailWithoutPersistDoesNotStay(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	wantEq(t, "out", s.ok("jail", "-c", "name=brief", "path="+root), "brief: created\n")
	if n := len(s.world().jails().sorted()); n != 0 {
		t.Fatalf("jail without persist/exec.start stayed: %d", n)
	}
	s.ok("jail", "-c", "name=svc", "path="+root, "exec.start=/bin/sh /etc/rc")
	if n := len(s.world().jails().sorted()); n != 1 {
		t.Fatalf("jail with exec.start did not stay")
	}
	runs, _ := ReadHookRuns(s.state)
	if len(runs) != 1 || runs[0].Hook != "exec.start" || runs[0].Ran || runs[0].Command != "/bin/sh /etc/rc" {
		t.Fatalf("hook runs %+v", runs)
	}
}

const testConf = `# iocage-style runtime config
$root = "%s";
exec.clean;  // every jail
/* wildcard defaults */
* {
	path = "$root/$name/root";
}
"ioc-web1" {
	host.hostname = "web1";
	ip4.addr += "em0|10.0.0.5/24";
	ip4.addr += 10.0.0.6;
	allow.mount = "false";
	mount.devfs = "1";
	devfs_ruleset = "1000";
	mount.fstab = "%s";
	exec.prestart = "echo prestart $name >> %s";
	exec.created = "/usr/bin/true";
	exec.start = "/bin/sh /etc/rc";
	exec.stop = "/bin/sh /etc/rc.shutdown";
	exec.poststop = 'echo poststop $name >> %s';
	exec.consolelog = "%s";
	allow.dying;
	persist;
}
`

func TestJailConfStartStopReplaysSideEffects(t *testing.T) {
	s := newKSim(t)
	base := s.dir("iocage")
	root := s.dir("iocage", "ioc-web1", "root")
	s.dir("iocage", "ioc-web1", "root", "dev")
	s.dir("iocage", "ioc-web1", "root", "usr", "ports")
	src := s.dir("ports")
	fstab := s.file(filepath.Join(base, "fstab"), src+"  "+root+"/usr/ports  nullfs  ro  0  0\n")
	hooks := filepath.Join(base, "hooks.txt")
	conslog := filepath.Join(base, "console.log")
	conf := s.file(filepath.Join(base, "jail.conf"), fmt.Sprintf(testConf, base, fstab, hooks, hooks, conslog))

	out := s.ok("jail", "-f", conf, "-c", "ioc-web1")
	wantEq(t, "create", out, "ioc-web1: created\n")
	w := s.world()
	j := w.jails().byName("ioc-web1")
	if j == nil || j.Params["path"] != root || j.Params["ip4.addr"] != "10.0.0.5,10.0.0.6" ||
		j.Params["devfs_ruleset"] != "1000" || j.Params["allow.mount"] != "false" {
		t.Fatalf("jail %+v", j)
	}
	// The alias went onto em0, devfs and the fstab line were mounted.
	em0 := w.net().find(0, "em0")
	if len(em0.Inet) != 2 || em0.Inet[1] != (ifAddr{"10.0.0.5", 24}) {
		t.Fatalf("em0 %+v", em0.Inet)
	}
	if len(w.mounts().Mounts) != 2 || w.mounts().Mounts[0].FSType != "nullfs" || w.mounts().Mounts[1].Node != root+"/dev" ||
		w.mounts().Mounts[1].Ruleset != 1000 {
		t.Fatalf("mounts %+v", w.mounts().Mounts)
	}
	if !w.devfsRulesetExists(1000) {
		t.Fatalf("ruleset 1000 referenced by the devfs mount should exist")
	}
	b, _ := os.ReadFile(hooks)
	wantEq(t, "hooks after start", string(b), "prestart ioc-web1\n")
	if _, err := os.Stat(conslog); err != nil {
		t.Fatalf("console log not created: %v", err)
	}

	// A second start through the config is refused before any hook runs.
	s.fails(1, "jail: \"ioc-web1\" already exists", "jail", "-f", conf, "-c", "ioc-web1")
	b, _ = os.ReadFile(hooks)
	wantEq(t, "hooks after refused start", string(b), "prestart ioc-web1\n")

	out = s.ok("jail", "-f", conf, "-r", "ioc-web1")
	wantEq(t, "remove", out, "ioc-web1: removed\n")
	w = s.world()
	if len(w.jails().sorted()) != 0 || len(w.mounts().Mounts) != 0 || len(w.net().find(0, "em0").Inet) != 1 {
		t.Fatalf("leftovers: jails %v mounts %v em0 %v", w.jails().sorted(), w.mounts().Mounts, w.net().find(0, "em0").Inet)
	}
	b, _ = os.ReadFile(hooks)
	// Single quotes keep $name from jail.conf; the shell finds it unset.
	wantEq(t, "hooks after stop", string(b), "prestart ioc-web1\npoststop\n")
	runs, _ := ReadHookRuns(s.state)
	var seq []string
	for _, r := range runs {
		seq = append(seq, fmt.Sprintf("%s:%v", r.Hook, r.Ran))
	}
	wantEq(t, "hook sequence", strings.Join(seq, " "),
		"exec.prestart:true exec.created:true exec.start:false exec.stop:false exec.poststop:true")
}

func TestJailFailedStartUnwinds(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.dir("r", "dev")
	r := s.fails(1, "jail: x: /bin/sh -c 'exit 3'", "jail", "-c", "name=x", "path="+root, "persist",
		"mount.devfs", "ip4.addr=em0|10.0.0.9", "exec.prestart=/bin/sh -c 'exit 3'")
	if !strings.Contains(r.stderr, ": failed") {
		t.Fatalf("stderr %q", r.stderr)
	}
	w := s.world()
	if len(w.jails().sorted()) != 0 || len(w.mounts().Mounts) != 0 || len(w.net().find(0, "em0").Inet) != 1 {
		t.Fatalf("not unwound: %+v %+v %+v", w.jails().sorted(), w.mounts().Mounts, w.net().find(0, "em0").Inet)
	}
	// A missing alias interface fails the start with ifconfig's message.
	r = s.fails(1, "ifconfig: interface em9 does not exist\njail: y: /sbin/ifconfig em9 inet 10.0.0.9 netmask 255.255.255.255 alias: failed",
		"jail", "-c", "name=y", "path="+root, "persist", "ip4.addr=em9|10.0.0.9")
	// A mount point missing is check_path()'s refusal, before mount runs.
	s.fails(1, "jail: z: mount: "+root+"/mnt: No such file or directory",
		"jail", "-c", "name=z", "path="+root, "persist", "mount=/nonexistent "+root+"/mnt nullfs ro 0 0")
	// Hooks recorded only when asked.
	s.env["JCAGE_SIM_JAIL_HOOKS"] = "record"
	s.ok("jail", "-c", "name=rec", "path="+root, "persist", "exec.prestart=/bin/false")
}

func TestJailVnetInterface(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	a := strings.TrimSpace(s.ok("ifconfig", "epair", "create"))
	wantEq(t, "epair", a, "epair0a")
	s.fails(1, "vnet.interface: requires vnet", "jail", "-c", "name=v", "path="+root, "persist", "vnet.interface=epair0b")
	s.ok("jail", "-c", "name=v", "path="+root, "persist", "vnet", "vnet.interface=epair0b")
	s.fails(1, "ifconfig: interface epair0b does not exist", "ifconfig", "epair0b")
	out := s.ok("ifconfig", "-j", "v", "-l")
	wantEq(t, "vnet ifaces", out, "lo0 epair0b\n")
	s.ok("jail", "-r", "v")
	out = s.ok("ifconfig", "-l")
	wantEq(t, "ifaces after removal", out, "em0 lo0 epair0a epair0b\n")
}

func TestJailModify(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	other := s.dir("o")
	s.ok("jail", "-c", "name=m", "path="+root, "persist")
	wantEq(t, "update", s.ok("jail", "-m", "name=m", "host.hostname=new.example", "securelevel=3"), "m: updated\n")
	p := s.world().jails().byName("m").Params
	if p["host.hostname"] != "new.example" || p["securelevel"] != "3" {
		t.Fatalf("params %v", p)
	}
	s.fails(1, "jail: m: path cannot be changed after creation", "jail", "-m", "name=m", "path="+other)
	s.fails(1, "jail: \"nope\" not found", "jail", "-m", "name=nope", "persist")
	s.fails(1, "jail: no jail specified", "jail", "-m", "persist", "securelevel=1")
	// -mr restarts for a create-only change; -cm creates when absent.
	s.ok("jail", "-mr", "name=m", "path="+other)
	j := s.world().jails().byName("m")
	if j.Params["path"] != other || j.JID != 2 || j.Params["host.hostname"] != "new.example" {
		t.Fatalf("restarted jail %+v", j)
	}
	wantEq(t, "-cm", s.ok("jail", "-cm", "name=n", "path="+root, "persist"), "n: created\n")
	wantEq(t, "-rc", s.ok("jail", "-rc", "name=n", "path="+root, "persist"), "n: created\n")
	if j := s.world().jails().byName("n"); j == nil || j.JID != 4 {
		t.Fatalf("restart of n: %+v", j)
	}
}

func TestJailRemoveWildcardAndR(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	for _, n := range []string{"a", "b", "c"} {
		s.ok("jail", "-c", "name="+n, "path="+root, "persist")
	}
	wantEq(t, "-r two", s.ok("jail", "-r", "a", "b"), "a: removed\nb: removed\n")
	wantEq(t, "-R", s.ok("jail", "-R", "c"), "")
	s.ok("jail", "-c", "name=d", "path="+root, "persist")
	wantEq(t, "-r *", s.ok("jail", "-r", "*"), "d: removed\n")
	s.fails(1, "jail: \"zz\" not found", "jail", "-R", "zz")
}

func TestJailJIDFileAndListing(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	jf := filepath.Join(s.state, "jids")
	s.ok("jail", "-q", "-J", jf, "-c", "name=a", "path="+root, "host.hostname=a b", "persist")
	b, _ := os.ReadFile(jf)
	wantEq(t, "jid file", string(b), "jid=1 name=a path="+root+" host.hostname=\"a b\" persist\n")

	conf := s.file(filepath.Join(s.state, "j.conf"), "x { path = /x; persist; host.hostname = \"h x\"; }\ny { path = /y; }\n")
	wantEq(t, "-e", s.ok("jail", "-f", conf, "-e", ","), "name=x,path=/x,persist,host.hostname=\"h x\"\nname=y,path=/y\n")
}

func TestJailLegacyForm(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	wantEq(t, "legacy", s.ok("jail", "-n", "old", root, "old.example", "10.1.2.3,::1", "/bin/sh", "/etc/rc"), "old: created\n")
	j := s.world().jails().byName("old")
	if j == nil || j.Params["ip4.addr"] != "10.1.2.3" || j.Params["ip6.addr"] != "::1" || j.Params["host.hostname"] != "old.example" {
		t.Fatalf("legacy jail %+v", j)
	}
}

func TestJailConfModeErrors(t *testing.T) {
	s := newKSim(t)
	conf := s.file(filepath.Join(s.state, "j.conf"), "x { path = /x; persist; }\n")
	s.fails(1, "jail: \"y\" not found", "jail", "-f", conf, "-c", "y")
	s.fails(1, "no.conf: No such file or directory", "jail", "-f", filepath.Join(s.state, "no.conf"), "-c", "x")
	bad := s.file(filepath.Join(s.state, "bad.conf"), "x { path = /x\n")
	s.fails(1, "syntax error", "jail", "-f", bad, "-c", "x")
}

func TestJailDelayOverlapsParallelCreates(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.env["JCAGE_SIM_JAIL_DELAY"] = "200ms"
	start := time.Now()
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = s.run("jail", "-q", "-c", fmt.Sprintf("name=p%d", i), "path="+root, "persist").code
		}(i)
	}
	wg.Wait()
	if d := time.Since(start); d > 1100*time.Millisecond {
		t.Fatalf("6 parallel creates took %v: the delay is serialised", d)
	}
	w := s.world()
	seen := map[int]bool{}
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("create %d exit %d", i, c)
		}
	}
	for _, j := range w.jails().sorted() {
		if seen[j.JID] {
			t.Fatalf("JID %d given twice", j.JID)
		}
		seen[j.JID] = true
	}
	if len(seen) != 6 {
		t.Fatalf("%d jails, want 6 (lost update)", len(seen))
	}
	s.env["JCAGE_SIM_JAIL_DELAY"] = "soon"
	s.fails(70, "JCAGE_SIM_JAIL_DELAY", "jail", "-c", "name=q", "path="+root, "persist")
}

package main

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/testworld/testbin"
	"github.com/jcage/jcage/internal/zfs"
)

// bare runs jcage with no pool at all (a host without ZFS) as uid, and
// reports whether anything asked ZFS or ran a program.
func bare(t *testing.T, uid int, pool string, args ...string) (code int, stdout, stderr string, touched bool) {
	t.Helper()
	f := zfs.NewFake(t.TempDir())
	rec := &host.Recorder{}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, uid: uid, run: rec, zfs: f, runDir: t.TempDir(), pool: pool, mounts: noMounts{}}
	app := newApp(e)
	err := app.RunContext(context.Background(), permuteArgs(app, append([]string{"jcage"}, args...)))
	code = exitCode(e, err, false)
	touched = len(rec.Lines()) > 0 || f.Calls("") > 0
	return code, out.String(), errb.String(), touched
}

func TestUnknownCommandExits2WithSuggestion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lst"}, `No such command "lst". Did you mean "list"? See 'jcage help'.` + "\n"},
		{[]string{"lsit", "-l"}, `No such command "lsit". Did you mean "list"? See 'jcage help'.` + "\n"},
		{[]string{"snaplst", "www1"}, `No such command "snaplst". Did you mean "snaplist"? See 'jcage help'.` + "\n"},
		{[]string{"nosuch"}, `No such command "nosuch". See 'jcage help'.` + "\n"},
		{[]string{"help", "nosuch"}, `No such command "nosuch". See 'jcage help'.` + "\n"},
		{[]string{"help", "strat"}, `No such command "strat". Did you mean "start"? See 'jcage help'.` + "\n"},
	} {
		code, stdout, stderr, touched := bare(t, 1001, "", tc.args...)
		if code != 2 || stderr != tc.want || stdout != "" || touched {
			t.Errorf("%v: code %d stderr %q stdout %q touched %v; want 2 %q", tc.args, code, stderr, stdout, touched, tc.want)
		}
	}
	if code, stdout, _, _ := bare(t, 1001, "", "help", "list"); code != 0 || !strings.Contains(stdout, "jcage list") {
		t.Errorf("help list: %d %q", code, stdout)
	}
	if code, stdout, _, _ := bare(t, 1001, ""); code != 0 || !strings.Contains(stdout, "COMMANDS:") {
		t.Errorf("no arguments: %d %q", code, stdout)
	}
}

func TestUnknownFlagExits2WithSuggestion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--jsn"}, "No such option: --jsn. Did you mean --json? See 'jcage list --help'.\n"},
		{[]string{"list", "-x"}, "No such option: -x. See 'jcage list --help'.\n"},
		{[]string{"clone", "www1", "--nme", "x"}, "No such option: --nme. Did you mean --name? See 'jcage clone --help'.\n"},
		{[]string{"fetch", "-NX"}, "No such option: -NX. Did you mean -NE, -NU, -NV? See 'jcage fetch --help'.\n"},
		{[]string{"-h"}, "No such option: -h. Did you mean --help? See 'jcage --help'.\n"},
		{[]string{"--dbug", "list"}, "No such option: --dbug. Did you mean --debug? See 'jcage --help'.\n"},
		{[]string{"start", "-j", "many", "www1"}, "invalid value \"many\" for flag -j: parse error (see 'jcage start --help')\n"},
		{[]string{"list", "-h", "--json"}, "-h (no header) and --json cannot be used together\n"},
		{[]string{"fstab", "-lh", "--json", "www1"}, "-h (no header) and --json cannot be used together\n"},
	} {
		code, _, stderr, touched := bare(t, 1001, "", tc.args...)
		if code != 2 || stderr != tc.want || touched {
			t.Errorf("%v: code %d stderr %q touched %v; want 2 %q", tc.args, code, stderr, touched, tc.want)
		}
	}
}

// A command line that is wrong is answered from the command line alone:
// not root, no pool, nothing asked of ZFS.
func TestUsageErrorsNeedNoRootAndNoPool(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"get"}, "Usage: jcage get PROP JAIL"},
		{[]string{"get", "-r"}, "Usage: jcage get -r PROP"},
		{[]string{"get", "-a"}, "Usage: jcage get -a|-s|-j JAIL"},
		{[]string{"activate"}, "Usage: jcage activate ZPOOL"},
		{[]string{"clone"}, "Usage: jcage clone SOURCE [-n NAME] [PROP=VALUE ...]"},
		{[]string{"clone", "www1", "-cx"}, `invalid count "x"`},
		{[]string{"create", "-c", "0"}, `invalid count "0"`},
		{[]string{"console"}, "Usage: jcage console [-f] JAIL"},
		{[]string{"destroy"}, "Usage: jcage destroy [-f] [-R] JAIL... | destroy -r [-d] RELEASE..."},
		{[]string{"export"}, "Usage: jcage export [-c zip|lzma] [--allow-running] JAIL"},
		{[]string{"import", "a", "b"}, "Usage: jcage import [-c zip|lzma] [-p PATH] [--no-verify] NAME"},
		{[]string{"fstab", "www1"}, "Type of operation not specified! Use one of -a, -r, -R INDEX, -e and -l"},
		{[]string{"fstab", "-l", "www1", "x"}, "Usage: jcage fstab -l JAIL"},
		{[]string{"rename", "a"}, "Usage: jcage rename JAIL NEW_NAME"},
		{[]string{"rollback", "www1"}, `Missing option "--name" / "-n".`},
		{[]string{"set", "boot=on"}, "Usage: jcage set KEY=VALUE [KEY=VALUE...] JAIL|default"},
		{[]string{"snaplist"}, "Usage: jcage snaplist [-h] [-l] [-s name|created|rsize|used] JAIL|ALL"},
		{[]string{"snapremove", "-n", "ALL", "www1"}, `Mass snapshot deletion requires "force" (-f).`},
		{[]string{"snapshot"}, "Usage: jcage snapshot [-n NAME] JAIL|ALL"},
		{[]string{"update"}, "Usage: jcage update [-P] JAIL|ALL"},
	} {
		code, _, stderr, touched := bare(t, 1001, "", tc.args...)
		if code != 1 || stderr != tc.want+"\n" || touched {
			t.Errorf("%v: code %d stderr %q touched %v; want 1 %q", tc.args, code, stderr, touched, tc.want)
		}
	}
}

// A verb that changes the host refuses any other user than root before
// it asks anything of ZFS or runs a program; the others do not ask.
// Every command is in the table, so that a new one is placed.
func TestRootVerbs(t *testing.T) {
	lines := map[string]struct {
		args []string
		root bool
	}{
		"activate":   {[]string{"activate", "tank"}, true},
		"clean":      {[]string{"clean", "-f", "-j"}, true},
		"clone":      {[]string{"clone", "www1", "-n", "www2"}, true},
		"console":    {[]string{"console", "www1"}, true},
		"create":     {[]string{"create", "-r", "14.3-RELEASE", "-n", "www1"}, true},
		"debug":      {[]string{"debug"}, true},
		"destroy":    {[]string{"destroy", "-f", "www1"}, true},
		"exec":       {[]string{"exec", "www1", "id"}, true},
		"export":     {[]string{"export", "www1"}, true},
		"fetch":      {[]string{"fetch", "-r", "14.3-RELEASE"}, true},
		"fstab":      {[]string{"fstab", "-l", "www1"}, true},
		"import":     {[]string{"import", "www1"}, true},
		"migrate":    {[]string{"migrate", "-f"}, true},
		"pkg":        {[]string{"pkg", "www1", "info"}, true},
		"rename":     {[]string{"rename", "www1", "www2"}, true},
		"restart":    {[]string{"restart", "www1"}, true},
		"rollback":   {[]string{"rollback", "-n", "s1", "www1"}, true},
		"set":        {[]string{"set", "boot=on", "www1"}, true},
		"snapshot":   {[]string{"snapshot", "www1"}, true},
		"start":      {[]string{"start", "www1"}, true},
		"stop":       {[]string{"stop", "www1"}, true},
		"update":     {[]string{"update", "www1"}, true},
		"upgrade":    {[]string{"upgrade", "www1", "-r", "14.3-RELEASE"}, true},
		"chroot":     {[]string{"chroot", "www1"}, false},
		"completion": {[]string{"completion", "bash"}, false},
		"__complete": {[]string{"__complete", "st"}, false},
		"df":         {[]string{"df"}, false},
		"get":        {[]string{"get", "boot", "www1"}, false},
		"help":       {[]string{"help"}, false},
		"list":       {[]string{"list"}, false},
		"snaplist":   {[]string{"snaplist", "www1"}, false},
		"snapremove": {[]string{"snapremove", "-n", "s1", "www1"}, false},
	}
	for _, c := range newApp(&env{}).Commands {
		if _, ok := lines[c.Name]; !ok {
			t.Errorf("%s is not in the table", c.Name)
		}
	}
	for name, l := range lines {
		code, _, stderr, touched := bare(t, 1001, "", l.args...)
		refused := code == 1 && stderr == "You need to have root privileges to run "+name+"\n"
		if refused != l.root || (l.root && touched) {
			t.Errorf("%v as non-root: code %d stderr %q touched %v", l.args, code, stderr, touched)
		}
	}
}

// A pinned pool that does not exist gets one message from every command.
func TestPinnedPoolMissingOneMessage(t *testing.T) {
	want := "ZFS pool 'nosuch' not found! (JCAGE_POOL)\n"
	for _, args := range [][]string{
		{"list"}, {"list", "-r"}, {"get", "-p"}, {"get", "boot", "www1"}, {"df"}, {"snaplist", "www1"},
		{"create", "-n", "a", "-r", "14.3-RELEASE"}, {"start", "www1"}, {"stop", "www1"},
		{"set", "boot=on", "www1"}, {"destroy", "-f", "www1"}, {"export", "www1"}, {"import", "www1"},
		{"fstab", "-l", "www1"}, {"snapshot", "www1"}, {"clone", "www1"}, {"rename", "www1", "www2"},
		{"update", "www1"}, {"clean", "-f", "-j"}, {"restart", "www1"},
		{"rollback", "-n", "s", "-f", "www1"}, {"snapremove", "-n", "s", "www1"},
	} {
		code, _, stderr, _ := bare(t, 0, "nosuch", args...)
		if code != 1 || stderr != want {
			t.Errorf("%v: code %d stderr %q, want %q", args, code, stderr, want)
		}
	}
}

// click reads a cluster of short options letter by letter; the first that
// takes a value takes the rest of the word, or the next argument.
func TestClickShortOptionClusters(t *testing.T) {
	app := newApp(&env{})
	for _, tc := range []struct{ in, want string }{
		{"clone www1 -c5", "clone -c 5 -- www1"},
		{"clone www1 -Nc5 -nweb", "clone -N -c 5 -n web -- www1"},
		{"clone www1 -Tc 5", "clone -T -c 5 -- www1"},
		{"fetch -r12.0", "fetch -r 12.0"},
		{"fetch -rh", "fetch -r h"},
		{"fetch -NU -NV -r 14.3-RELEASE", "fetch -NU -NV -r 14.3-RELEASE"},
		{"list -rh", "list -r -h"},
		{"list -lhs name", "list -l -h -s name"},
		{"list -lsname", "list -l -s name"},
		{"get -rh boot", "get -r -h -- boot"},
		{"fstab -lh www1", "fstab -l -h -- www1"},
		{"fstab -R0 www1 /a /b", "fstab -R 0 -- www1 /a /b"},
		{"snapremove -fRnALL www1", "snapremove -f -R -n ALL -- www1"},
		{"create -Tn www1 -r 14.3-RELEASE", "create -T -n www1 -r 14.3-RELEASE"},
		{"destroy -fr 13.4-RELEASE", "destroy -f -r -- 13.4-RELEASE"},
		{"start --rc", "start --rc"},
		{"list -zq", "list -zq"}, // an unknown letter is left for urfave/cli to report
		{"export -czip www1", "export -c zip -- www1"},
		{"exec www1 ls -la", "exec www1 ls -la"},
	} {
		got := strings.Join(permuteArgs(app, append([]string{"jcage"}, strings.Fields(tc.in)...))[1:], " ")
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every short option of every command, clustered with a boolean option
// in front and its value attached, parses to what the spelled-out form
// gives.
func TestEveryShortOptionClusters(t *testing.T) {
	app := newApp(&env{})
	for _, cmd := range app.Commands {
		if cmd.SkipFlagParsing {
			continue
		}
		var boolShort string
		var shorts []string
		valued := map[string]bool{}
		for _, f := range cmd.Flags {
			_, isBool := f.(*cli.BoolFlag)
			for _, n := range f.Names() {
				if len(n) != 1 {
					continue
				}
				shorts = append(shorts, n)
				valued[n] = !isBool
				if isBool && boolShort == "" && n != "h" {
					boolShort = n
				}
			}
		}
		slices.Sort(shorts)
		for _, s := range shorts {
			arg, want := "-"+s, []string{"-" + s}
			if valued[s] {
				arg, want = "-"+s+"V", []string{"-" + s, "V"}
			}
			if boolShort != "" && boolShort != s {
				arg = "-" + boolShort + arg[1:]
				want = append([]string{"-" + boolShort}, want...)
			}
			got := permuteArgs(app, []string{"jcage", cmd.Name, arg, "J"})[2:]
			if strings.Join(got, " ") != strings.Join(append(want, "--", "J"), " ") {
				t.Errorf("%s %s: %q, want %q", cmd.Name, arg, got, want)
			}
		}
	}
}

func TestCloneAttachedCount(t *testing.T) {
	opts, err := parseLine(t, parseClone, "clone", "www1", "-c2", "-nweb")
	if err != nil || opts.req.Count != 2 || opts.req.Name != "web" || opts.req.Source != "www1" {
		t.Fatalf("clone -c2 -nweb: %+v %v", opts, err)
	}
}

func TestFetchBareVersionIsARelease(t *testing.T) {
	for _, tc := range []struct {
		in    string
		local bool
		want  string
	}{
		{"12.0", false, "12.0-RELEASE"},
		{"14.3", false, "14.3-RELEASE"},
		{"14.3-RELEASE", false, "14.3-RELEASE"},
		{"latest", false, "latest"},
		{"12.0", true, "12.0"}, // -f: the local directory's own name
		{"", false, ""},
	} {
		if got := expandRelease(tc.in, tc.local); got != tc.want {
			t.Errorf("expandRelease(%q, %v) = %q, want %q", tc.in, tc.local, got, tc.want)
		}
	}
	m := testMirror(t)
	h := newFetchHarness(t)
	if code := do(h, runFetch, fetchOptions{release: "14.3", mirror: release.Options{Server: m.URL, NoUpdate: true}}); code != 0 {
		t.Fatalf("fetch -r 14.3: %d %s", code, h.stderr.String())
	}
	if !strings.HasPrefix(h.stdout.String(), "Fetching: 14.3-RELEASE\n") {
		t.Errorf("stdout %q", h.stdout.String())
	}
	if _, err := h.zfs.Get(context.Background(), layout.Layout{Pool: "tank"}.ReleaseRoot("14.3-RELEASE")); err != nil {
		t.Errorf("no 14.3-RELEASE: %v", err)
	}
}

// The real binary, as a user without root on a host without ZFS (no zfs
// in PATH): a wrong command line is answered all the same.
func TestBinaryUsageErrorsWithoutZFS(t *testing.T) {
	bin, err := testbin.Get()
	if err != nil {
		t.Fatalf("test binaries: %v", err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"lst"}, 2, `No such command "lst". Did you mean "list"? See 'jcage help'.` + "\n"},
		{[]string{"help", "nosuch"}, 2, `No such command "nosuch". See 'jcage help'.` + "\n"},
		{[]string{"list", "--jsn"}, 2, "No such option: --jsn. Did you mean --json? See 'jcage list --help'.\n"},
		{[]string{"get"}, 1, "Usage: jcage get PROP JAIL\n"},
		{[]string{"clone", "www1", "-cx"}, 1, "invalid count \"x\"\n"},
		{[]string{"list", "-h", "--json"}, 2, "-h (no header) and --json cannot be used together\n"},
	} {
		cmd := exec.Command(bin.Jcage, tc.args...)
		cmd.Env = []string{"PATH=" + t.TempDir(), "JCAGE_RUN_DIR=" + t.TempDir()}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || errb.String() != tc.stderr {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, code, errb.String(), tc.code, tc.stderr)
		}
	}
}

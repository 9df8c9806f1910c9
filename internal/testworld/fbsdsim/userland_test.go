package fbsdsim

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// ulHarness runs simulated userland tools against a private state
// directory and environment.
type ulHarness struct {
	t     *testing.T
	state string
	env   map[string]string
}

func ulNewHarness(t *testing.T) *ulHarness {
	t.Helper()
	return &ulHarness{t: t, state: t.TempDir(), env: map[string]string{"JCAGE_SIM_UID": "0"}}
}

type ulResult struct {
	code           int
	stdout, stderr string
}

func (h *ulHarness) run(tool, stdin string, args ...string) ulResult {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(&Env{
		Tool:   tool,
		Args:   args,
		State:  h.state,
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return h.env[k] },
	})
	return ulResult{code, out.String(), errb.String()}
}

// want fails the test unless the result has the given status and its
// stdout and stderr contain the given fragments.
func (r ulResult) want(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
		t.Fatalf("got status %d\nstdout:\n%s\nstderr:\n%s\nwant status %d, stdout containing %q, stderr containing %q",
			r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

// addJail records a running jail the way the simulated jail(8) stores it.
func (h *ulHarness) addJail(name string, jid int, path string) {
	h.t.Helper()
	e := &Env{State: h.state}
	err := e.editWorld(func(w *simWorld) bool {
		w.jails().LastJID = jid
		w.jails().add(&simJail{JID: jid, Name: name, Params: map[string]string{
			"jid": strconv.Itoa(jid), "name": name, "path": path, "host.hostname": name + ".example",
		}})
		return true
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

func ulWriteFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ulReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGetoptBSD(t *testing.T) {
	opts, rest, err := ulGetopt([]string{"-nqf", "file", "-xval", "--", "-a", "b"}, "nqf:x:")
	if err != nil {
		t.Fatal(err)
	}
	want := []ulOpt{{'n', ""}, {'q', ""}, {'f', "file"}, {'x', "val"}}
	if !reflect.DeepEqual(opts, want) || !reflect.DeepEqual(rest, []string{"-a", "b"}) {
		t.Fatalf("opts %v rest %v", opts, rest)
	}
	// Parsing stops at the first operand: later dashes are operands.
	_, rest, err = ulGetopt([]string{"-n", "name", "-q"}, "nq")
	if err != nil || !reflect.DeepEqual(rest, []string{"name", "-q"}) {
		t.Fatalf("rest %v err %v", rest, err)
	}
	_, _, err = ulGetopt([]string{"-z"}, "nq")
	if err == nil || err.libc("x") != "x: illegal option -- z" || err.sh() != "Illegal option -z" {
		t.Fatalf("err %+v", err)
	}
	_, _, err = ulGetopt([]string{"-f"}, "f:")
	if err == nil || err.libc("x") != "x: option requires an argument -- f" || err.sh() != "No arg for -f option" {
		t.Fatalf("err %+v", err)
	}
}

func TestFindJailShapes(t *testing.T) {
	h := ulNewHarness(t)
	e := &Env{State: h.state}
	if _, ok := ulFindJail(e, "web"); ok {
		t.Fatal("found a jail without any state")
	}
	h.addJail("web", 3, "/jails/web/root")
	j, ok := ulFindJail(e, "web")
	if !ok || j.Path != "/jails/web/root" || j.JID != 3 || j.Hostname != "web.example" {
		t.Fatalf("by name: %+v %v", j, ok)
	}
	if j, ok := ulFindJail(e, "3"); !ok || j.Name != "web" {
		t.Fatalf("by jid: %+v %v", j, ok)
	}
	if _, ok := ulFindJail(e, "4"); ok {
		t.Fatal("found jid 4")
	}
	// A flat map keyed by name also works, and dying jails do not count.
	ulWriteFile(t, filepath.Join(h.state, "jails.json"), `{"db": {"path": "/j/db", "jid": 7}, "old": {"path": "/j/old", "dying": true}}`)
	if j, ok := ulFindJail(e, "db"); !ok || j.Path != "/j/db" || j.JID != 7 {
		t.Fatalf("flat: %+v %v", j, ok)
	}
	if _, ok := ulFindJail(e, "old"); ok {
		t.Fatal("found a dying jail")
	}
}

func TestUserlandReadWrite(t *testing.T) {
	root := t.TempDir()
	if _, err := ulUserland(root); err == nil {
		t.Fatal("read a missing freebsd-version")
	}
	script := "#!/bin/sh\nset -ef\n\nUSERLAND_VERSION=\"13.2-RELEASE-p4\"\n\nmain \"$@\"\n"
	ulWriteFile(t, filepath.Join(root, "bin/freebsd-version"), script)
	if v, err := ulUserland(root); err != nil || v != "13.2-RELEASE-p4" {
		t.Fatalf("%q %v", v, err)
	}
	if err := ulSetUserland(root, "13.2-RELEASE-p5"); err != nil {
		t.Fatal(err)
	}
	got := ulReadFile(t, filepath.Join(root, "bin/freebsd-version"))
	if got != strings.Replace(script, "p4", "p5", 1) {
		t.Fatalf("rewrite changed more than the version line:\n%s", got)
	}
	if b, p := ulRelease("14.1-RELEASE-p12"); b != "14.1-RELEASE" || p != 12 {
		t.Fatal(b, p)
	}
	if ulOSRelDate("14.3-RELEASE") != 1403000 || ulOSRelDate("13.5-STABLE") != 1305000 {
		t.Fatal("osreldate")
	}
}

// Every userland tool logs its call, with UNAME_r when it is set.
func TestUserlandCallsAreLogged(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.2-RELEASE"
	h.env["JCAGE_SIM_ROOT"] = t.TempDir()
	calls := [][]string{
		{"freebsd-update", "showconfig"},
		{"freebsd-version", "-u"},
		{"pkg", "-v"},
		{"sysrc", "-n", "sshd_enable"},
		{"sysctl", "-n", "kern.osrelease"},
		{"uname", "-r"},
		{"etcupdate", "status"},
		{"kldload", "-n", "zfs"},
		{"service", "-l"},
	}
	for _, c := range calls {
		h.run(c[0], "", c[1:]...)
	}
	got, err := ReadCalls(h.state)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(calls) {
		t.Fatalf("%d calls logged, want %d", len(got), len(calls))
	}
	for i, c := range got {
		if !reflect.DeepEqual(c.Argv, calls[i]) || c.Tool != calls[i][0] {
			t.Errorf("call %d: %+v, want argv %v", i, c, calls[i])
		}
		if c.Env["UNAME_r"] != "13.2-RELEASE" {
			t.Errorf("call %d (%s): env %v lacks UNAME_r", i, c.Tool, c.Env)
		}
	}
	// uname honoured it too.
	if r := h.run("uname", "", "-r"); r.stdout != "13.2-RELEASE\n" {
		t.Fatalf("uname -r with UNAME_r: %q", r.stdout)
	}
}

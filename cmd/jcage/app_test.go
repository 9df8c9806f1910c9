package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// harness runs the app in-process against the ZFS fake and a recorder.
type harness struct {
	t      *testing.T
	zfs    *zfs.Fake
	run    *host.Recorder
	uid    int
	stdout bytes.Buffer
	stderr bytes.Buffer
	extra  []*cli.Command
	stdin  string // what the next command reads
	runDir string
	// narrow gives commands the fake's mount table, so that create reads
	// only what it names (jail.LoadNarrow), as the real binary does.
	narrow bool
	// manager and runner, when set, are what commands see instead of the
	// fake and the recorder themselves.
	manager zfs.Manager
	runner  host.Runner
}

func newHarness(t *testing.T, pools ...string) *harness {
	if len(pools) == 0 {
		pools = []string{"tank"}
	}
	return &harness{t: t, zfs: zfs.NewFake(t.TempDir(), pools...), run: &host.Recorder{}, runDir: t.TempDir()}
}

// env is the process environment the harness runs jcage in: its fakes,
// its buffers and its run directory.
func (h *harness) env() *env {
	e := &env{stdin: strings.NewReader(h.stdin), stdout: &h.stdout, stderr: &h.stderr, uid: h.uid, run: h.run, zfs: h.zfs,
		runDir: h.runDir, mounts: noMounts{}}
	if h.narrow {
		e.mounts = fakeMounts{h.zfs}
	}
	if h.manager != nil {
		e.zfs = h.manager
	}
	if h.runner != nil {
		e.run = h.runner
	}
	return e
}

// fakeMounts is the ZFS fake's mount table.
type fakeMounts struct{ f *zfs.Fake }

func (m fakeMounts) ReadMountTable() (inventory.MountTable, error) { return m.f.MountTable(), nil }

// noMounts is a host without a mount table to read: commands that name
// what they touch read the whole tree.
type noMounts struct{}

func (noMounts) ReadMountTable() (inventory.MountTable, error) {
	return nil, errors.New("no mount table")
}

// deps are the dependencies of one verb run in-process: the harness's
// fakes, wired as main wires the real ones (env.deps), with the output
// buffers emptied.
func (h *harness) deps() deps {
	h.stdout.Reset()
	h.stderr.Reset()
	return h.env().deps()
}

// do runs a verb on the harness's fakes and returns what main makes of
// its error: the exit status, with the error's line on stderr.
func do[O any](h *harness, run verbFunc[O], opts O) int {
	d := h.deps()
	err := run(h.t.Context(), opts, d, &h.stdout)
	return exitCode(&env{stderr: &h.stderr}, err, false)
}

// must runs a verb that has to succeed and returns its standard output.
func must[O any](h *harness, run verbFunc[O], opts O) string {
	h.t.Helper()
	if code := do(h, run, opts); code != 0 {
		h.t.Fatalf("%T: exit %d: %s", opts, code, h.stderr.String())
	}
	return h.stdout.String()
}

// parseLine reads a command line into a verb's options with the verb's
// parser, through jcage's own command line handling, and runs nothing:
// what a verb's CLI tests test.
func parseLine[O any](t *testing.T, parse parseFunc[O], args ...string) (O, error) {
	t.Helper()
	var opts O
	var perr error
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	app := newApp(e)
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i++ // jcage's own flags
	}
	cmd := findCommand(app, args[i])
	if cmd == nil {
		t.Fatalf("no command %q", args[i])
	}
	ran := false
	cmd.Action = func(c *cli.Context) error {
		ran = true
		opts, perr = parse(c)
		return nil
	}
	if err := app.RunContext(t.Context(), permuteArgs(app, append([]string{"jcage"}, args...))); err != nil {
		return opts, err
	}
	if !ran {
		t.Fatalf("%v: the command's action did not run", args)
	}
	return opts, perr
}

// parsesWith is parseLine for a table of command lines that only ask
// whether, and why, a parser refuses them.
func parsesWith[O any](parse parseFunc[O]) func(t *testing.T, args ...string) error {
	return func(t *testing.T, args ...string) error {
		t.Helper()
		_, err := parseLine(t, parse, args...)
		return err
	}
}

// jcage runs one command line and returns its exit status.
func (h *harness) jcage(args ...string) int {
	h.stdout.Reset()
	h.stderr.Reset()
	e := h.env()
	argv := append([]string{"jcage"}, args...)
	app := newAppFor(e, argv)
	app.Commands = append(app.Commands, h.extra...)
	err := app.RunContext(context.Background(), permuteArgs(app, argv))
	return exitCode(e, err, false)
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	for _, flag := range []string{"--version", "-v"} {
		if code := h.jcage(flag); code != 0 || h.stdout.String() != "Version\t"+version+"\n" {
			t.Fatalf("%s: code %d stdout %q", flag, code, h.stdout.String())
		}
	}
}

// -h belongs to commands (no header), never to help.
func TestDashHIsNotHelp(t *testing.T) {
	h := newHarness(t)
	var noHeader bool
	h.extra = []*cli.Command{{
		Name:  "probe",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "h"}},
		Action: func(c *cli.Context) error {
			noHeader = c.Bool("h")
			return nil
		},
	}}
	if code := h.jcage("probe", "-h"); code != 0 || !noHeader || strings.Contains(h.stdout.String(), "USAGE") {
		t.Fatalf("probe -h: code %d noHeader %v stdout %q stderr %q", code, noHeader, h.stdout.String(), h.stderr.String())
	}
	if code := h.jcage("-h"); code == 0 || strings.Contains(h.stdout.String(), "USAGE") {
		t.Fatalf("jcage -h printed help: code %d %q", code, h.stdout.String())
	}
	if code := h.jcage("--help"); code != 0 || !strings.Contains(h.stdout.String(), "USAGE") {
		t.Fatalf("--help: code %d %q", code, h.stdout.String())
	}
	if code := h.jcage("help", "activate"); code != 0 || !strings.Contains(h.stdout.String(), "ZPOOL") {
		t.Fatalf("help activate: code %d %q", code, h.stdout.String())
	}
}

// jcage's own -D and -f come before the command; -f reaches the commands
// that have a -f of their own.
func TestGlobalFlags(t *testing.T) {
	for _, args := range [][]string{{"-D", "-f", "stop", "web"}, {"--debug", "--force", "stop", "web"}, {"-Df", "stop", "web"}} {
		if opts, err := parseLine(t, parseStop, args...); err != nil || !opts.force {
			t.Fatalf("%v: %+v %v", args, opts, err)
		}
	}
	if opts, err := parseLine(t, parseStop, "-D", "stop", "web"); err != nil || opts.force {
		t.Fatalf("-D: %+v %v", opts, err)
	}
}

func TestActivate(t *testing.T) {
	h := newHarness(t, "tank", "other")
	ctx := context.Background()
	if err := h.zfs.SetProps(ctx, "other", map[string]string{inventory.ActiveProp: "yes"}); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runActivate, activateOptions{pool: "tank"}); code != 0 {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	if got := h.stdout.String(); got != "ZFS pool 'tank' successfully activated.\n" {
		t.Fatalf("stdout %q", got)
	}
	for pool, want := range map[string]string{"tank": "yes", "other": "no"} {
		d, err := h.zfs.Get(ctx, pool, inventory.ActiveProp)
		if err != nil || d.Prop(inventory.ActiveProp) != want {
			t.Fatalf("%s: %q %v", pool, d.Prop(inventory.ActiveProp), err)
		}
	}
	for _, ds := range (layout.Layout{Pool: "tank"}).Tree() {
		d, err := h.zfs.Get(ctx, ds, "compression", "aclmode", "aclinherit")
		if err != nil || d.Prop("compression") != "lz4" || d.Prop("aclinherit") != "passthrough" {
			t.Fatalf("%s: %+v %v", ds, d, err)
		}
	}
	if code := do(h, runActivate, activateOptions{pool: "nope"}); code != 1 || h.stderr.String() != "ZFS pool 'nope' not found!\n" {
		t.Fatalf("missing pool: code %d stderr %q", code, h.stderr.String())
	}
}

func TestParseActivate(t *testing.T) {
	if opts, err := parseLine(t, parseActivate, "activate", "tank"); err != nil || opts.pool != "tank" {
		t.Fatalf("%+v %v", opts, err)
	}
	for _, args := range [][]string{{"activate"}, {"activate", "a", "b"}} {
		if _, err := parseLine(t, parseActivate, args...); err == nil || err.Error() != "Usage: jcage activate ZPOOL" {
			t.Fatalf("%v: %v", args, err)
		}
	}
}

func TestMutatingCommandsNeedRoot(t *testing.T) {
	h := newHarness(t)
	h.uid = 1001
	before := h.zfs.Names()
	if code := h.jcage("activate", "tank"); code != 1 || h.stderr.String() != "You need to have root privileges to run activate\n" {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	if strings.Join(h.zfs.Names(), ",") != strings.Join(before, ",") || h.zfs.Calls("set")+h.zfs.Calls("create") != 0 {
		t.Fatalf("non-root activate changed ZFS: %v", h.zfs.Names())
	}
}

func TestFindPool(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake("", "boot-pool", "tank", "data")
	var out bytes.Buffer
	h := &jail.Host{Host: &inventory.Host{ZFS: f, Out: &out}}
	pool, err := h.FindPool(ctx, true)
	if err != nil || pool != "tank" || !strings.HasPrefix(out.String(), "Setting up zpool [tank] for iocage usage\n") {
		t.Fatalf("auto-activate: %q %v %q", pool, err, out.String())
	}
	if pool, err := h.FindPool(ctx, true); err != nil || pool != "tank" {
		t.Fatalf("second lookup: %q %v", pool, err)
	}
	if err := f.SetProps(ctx, "data", map[string]string{inventory.ActiveProp: "yes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.FindPool(ctx, true); err == nil || !strings.Contains(err.Error(), "You have 2 pools marked active for iocage usage.") {
		t.Fatalf("two active: %v", err)
	}
	h.UID = 1001
	if _, err := h.FindPool(ctx, true); err == nil {
		t.Fatal("non-root lookup with two active pools succeeded")
	}
	none := &jail.Host{Host: &inventory.Host{ZFS: zfs.NewFake("")}}
	if _, err := none.FindPool(ctx, true); err == nil || !strings.HasPrefix(err.Error(), "No zpools found!") {
		t.Fatalf("no pools: %v", err)
	}
}

func TestOpenTreeChecks(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake("", "tank")
	h := &jail.Host{Host: &inventory.Host{ZFS: f}}
	tr, err := h.OpenTree(ctx, "tank", true)
	if err != nil || tr.Mountpoint != "/tank/iocage" {
		t.Fatalf("%+v %v", tr, err)
	}
	if err := f.SetProps(ctx, "tank/iocage/jails", map[string]string{"exec": "off"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.OpenTree(ctx, "tank", true); err == nil || err.Error() != `Dataset "iocage/jails" has exec=off (should be on)` {
		t.Fatalf("exec=off: %v", err)
	}
	nonRoot := &jail.Host{Host: &inventory.Host{ZFS: zfs.NewFake("", "tank"), UID: 1001}}
	if _, err := nonRoot.OpenTree(ctx, "tank", true); err == nil || err.Error() != "Run as root to create missing datasets!" {
		t.Fatalf("non-root create: %v", err)
	}
}

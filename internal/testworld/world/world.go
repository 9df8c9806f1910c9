// Package world is the system tier's harness: the real jcage binary, run as
// a user would run it, against a fresh zfs-fuse pool, with the
// FreeBSD-userland simulator and the zfs shim first in PATH and a state
// directory of its own.
package world

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/testbin"
)

// World is one system test's sandbox.
type World struct {
	t     testing.TB
	Bin   testbin.Dir
	Pool  *pool.Pool
	State string   // simulator state directory
	Env   []string // environment every command runs with
}

// Result is what one command did.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// New builds (or finds) the test binaries and creates a pool. A machine
// that can't run the system tier fails the test with the reason, unless
// JCAGE_SKIP_SYSTEM=1 is set.
func New(t testing.TB) *World {
	t.Helper()
	pool.Require(t)
	bin, err := testbin.Get()
	if err != nil {
		t.Fatalf("test world binaries: %v", err)
	}
	w := &World{t: t, Bin: bin, Pool: pool.New(t), State: t.TempDir()}
	w.Env = append(append(os.Environ(), bin.PathVars()...),
		fbsdsim.StateEnv+"="+w.State,
		// Tests in other packages activate their own pools at the same
		// time; pinning keeps each test on its pool.
		"JCAGE_POOL="+w.Pool.Name,
		"JCAGE_RUN_DIR="+t.TempDir(),
		// iocage's log, which root's commands append to.
		"IOCAGE_LOGFILE="+filepath.Join(t.TempDir(), "iocage.log"),
	)
	return w
}

// Setenv adds or replaces a variable for later commands.
func (w *World) Setenv(key, value string) {
	w.Env = append(w.Env, key+"="+value)
}

// Jcage runs the jcage binary as root.
func (w *World) Jcage(args ...string) Result { return w.run(-1, "", w.Bin.Jcage, args...) }

// JcageAs runs the jcage binary as uid.
func (w *World) JcageAs(uid int, args ...string) Result { return w.run(uid, "", w.Bin.Jcage, args...) }

// JcageIn runs jcage with stdin.
func (w *World) JcageIn(stdin string, args ...string) Result {
	return w.run(-1, stdin, w.Bin.Jcage, args...)
}

// Must runs jcage and fails the test on a non-zero exit.
func (w *World) Must(args ...string) string {
	w.t.Helper()
	r := w.Jcage(args...)
	if r.Code != 0 {
		w.t.Fatalf("jcage %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// ZFS runs zfs through the shim, as jcage does, and fails on error.
func (w *World) ZFS(args ...string) string {
	w.t.Helper()
	r := w.run(-1, "", filepath.Join(w.Bin.Path, "zfs"), args...)
	if r.Code != 0 {
		w.t.Fatalf("zfs %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r.Stdout
}

// Calls returns the simulator's call log.
func (w *World) Calls() []fbsdsim.Call {
	w.t.Helper()
	calls, err := fbsdsim.ReadCalls(w.State)
	if err != nil {
		w.t.Fatal(err)
	}
	return calls
}

func (w *World) run(uid int, stdin, name string, args ...string) Result {
	cmd := exec.Command(name, args...)
	cmd.Env = w.Env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			w.t.Fatalf("run %s: %v", name, err)
		}
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// Tool runs a simulated FreeBSD tool (jail, jls, ...) as jcage would find
// it, and fails the test on a non-zero exit.
func (w *World) Tool(name string, args ...string) string {
	w.t.Helper()
	r := w.run(-1, "", filepath.Join(w.Bin.Path, name), args...)
	if r.Code != 0 {
		w.t.Fatalf("%s %s: exit %d: %s", name, strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r.Stdout
}

// IOCRoot is where POOL/iocage is mounted once activated.
func (w *World) IOCRoot() string { return filepath.Join(w.Pool.Mountpoint, "iocage") }

// LayJail lays a jail out exactly as iocage does, without jcage: the
// datasets POOL/iocage/jails/NAME and .../root, and config.json written
// in iocage's format (sorted keys, 4-space indent, no trailing newline).
// props are merged over a minimal thin config.
func (w *World) LayJail(name string, props map[string]any) string {
	w.t.Helper()
	ds := w.Pool.Name + "/iocage/jails/" + name
	w.ZFS("create", "-p", ds+"/root")
	cfg := map[string]any{
		"CONFIG_VERSION": "34", "host_hostname": name, "host_hostuuid": name,
		"jail_zfs_dataset": "iocage/jails/" + name + "/data", "release": "14.3-RELEASE", "type": "jail",
	}
	for k, v := range props {
		cfg[k] = v
	}
	b, err := json.MarshalIndent(cfg, "", "    ")
	if err != nil {
		w.t.Fatal(err)
	}
	dir := filepath.Join(w.IOCRoot(), "jails", name)
	w.layUserland(filepath.Join(dir, "root"))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return dir
}

// Userland are the programs and scripts of a release that jcage runs
// inside a jail (the simulated jexec finds them in the jail's root, as
// execvp does): the rc scripts, the shell, login and the tools of the
// network and jail_zfs steps.
var Userland = map[string]string{
	"bin/sh": "\x7fELF", "etc/rc": "#!/bin/sh\n", "etc/rc.shutdown": "#!/bin/sh\n",
	"sbin/ifconfig": "\x7fELF", "sbin/route": "\x7fELF", "sbin/zfs": "\x7fELF",
	"usr/sbin/service": "#!/bin/sh\n", "usr/sbin/sysrc": "#!/bin/sh\n", "usr/sbin/rtsold": "\x7fELF",
	"usr/bin/login": "\x7fELF", "usr/bin/newaliases": "\x7fELF", "usr/bin/true": "\x7fELF", "bin/ls": "\x7fELF",
}

func (w *World) layUserland(root string) {
	w.t.Helper()
	for path, body := range Userland {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		mode := os.FileMode(0o555)
		if strings.HasPrefix(path, "etc/") {
			mode = 0o644
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			w.t.Fatal(err)
		}
	}
}

// LayRelease lays out a fetched release the way fetch leaves it, with the
// few files jail creation reads: POOL/iocage/releases/REL/root holding
// bin/freebsd-version (USERLAND_VERSION REL-p1), etc/hosts and a shell.
func (w *World) LayRelease(rel string) string {
	w.t.Helper()
	w.ZFS("create", "-p", w.Pool.Name+"/iocage/releases/"+rel+"/root")
	root := filepath.Join(w.IOCRoot(), "releases", rel, "root")
	w.layUserland(root)
	for path, body := range map[string]string{
		"bin/freebsd-version": "#!/bin/sh\nUSERLAND_VERSION=\"" + rel + "-p1\"\necho $USERLAND_VERSION\n",
		"etc/hosts":           "::1\t\t\tlocalhost localhost.my.domain\n127.0.0.1\t\tlocalhost localhost.my.domain\n",
		"bin/sh":              "\x7fELF",
		"usr/bin/true":        "\x7fELF",
		"etc/freebsd-update.conf": "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\n" +
			"ServerName update.FreeBSD.org\nComponents src world kernel\n",
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			w.t.Fatal(err)
		}
	}
	return root
}

// Datasets lists every dataset and snapshot of the pool, for before/after
// comparisons.
func (w *World) Datasets() string {
	w.t.Helper()
	return w.ZFS("list", "-H", "-o", "name", "-t", "filesystem,snapshot", "-r", w.Pool.Name)
}

// JcageSignal starts jcage, sends sig after delay (if it still runs) and
// waits for it.
func (w *World) JcageSignal(delay time.Duration, sig os.Signal, args ...string) Result {
	w.t.Helper()
	cmd := exec.Command(w.Bin.Jcage, args...)
	cmd.Env = w.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() { _ = cmd.Process.Signal(sig) })
	err := cmd.Wait()
	timer.Stop()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

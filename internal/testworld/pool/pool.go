// Package pool gives system tests a real ZFS pool: zfs-fuse on a sparse
// file, named with a per-run random suffix, destroyed afterwards. Every
// name starts with Prefix and every file lives under Dir, so that
// internal/testworld/world-up.sh can sweep what a crashed run left behind
// without touching anything else.
package pool

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/testworld/zfsshim"
)

// Prefix starts the name of every pool made here.
const Prefix = "jcagetest"

// Dir holds the vdev files (NAME.img) and, under mnt/, the pools'
// mountpoints. Pools are mounted there rather than at zpool's default
// /NAME so that a run leaves nothing outside this one directory; jcage
// reads mountpoints from ZFS, so the location doesn't matter to it.
const Dir = "/var/tmp/jcagetest"

// Size is the vdev file size: sparse, so it costs only what is written.
const Size = 512 << 20

// SkipEnv names the variable that turns "zfs-fuse is not usable" from a
// test failure into a skip.
const SkipEnv = "JCAGE_SKIP_SYSTEM"

// Pool is one file-backed test pool.
type Pool struct {
	Name       string // e.g. jcagetest3f9a1c
	Vdev       string // the file backing it
	Mountpoint string // where its root dataset is mounted
}

// RealZFS returns the path of the real zfs binary (not the shim), as the
// shim finds it.
func RealZFS() string { return envOr(zfsshim.RealZFSEnv, zfsshim.DefaultRealZFS) }

// RealZpool returns the path of the real zpool binary.
func RealZpool() string { return envOr(zfsshim.RealZpoolEnv, zfsshim.DefaultRealZpool) }

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// NewName returns Prefix followed by six random hex digits.
func NewName() string {
	b := make([]byte, 3)
	rand.Read(b)
	return Prefix + hex.EncodeToString(b)
}

// run runs a real tool and returns its error with the argv and stderr.
// The tool gets the shim's plain system PATH: the zfs tools run umount(8)
// through PATH, and tests put a simulated umount first.
func run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(withoutPath(os.Environ()), "PATH="+zfsshim.SystemPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func withoutPath(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return out
}

// Create makes a pool called name (which must start with Prefix) on a new
// sparse file of Size bytes under Dir, mounted at Dir/mnt/name.
func Create(name string) (*Pool, error) { return CreateSize(name, Size) }

// CreateSize is Create with a vdev of size bytes, for layouts that
// Size cannot hold: zfs-fuse spends about 170 KiB of the pool on each
// dataset.
func CreateSize(name string, size int64) (*Pool, error) {
	if !strings.HasPrefix(name, Prefix) {
		return nil, fmt.Errorf("create pool %s: test pool names must start with %q", name, Prefix)
	}
	p := &Pool{
		Name:       name,
		Vdev:       filepath.Join(Dir, name+".img"),
		Mountpoint: filepath.Join(Dir, "mnt", name),
	}
	if err := os.MkdirAll(filepath.Dir(p.Mountpoint), 0o755); err != nil {
		return nil, fmt.Errorf("create pool %s: %w", name, err)
	}
	f, err := os.OpenFile(p.Vdev, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create pool %s: %w", name, err)
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p.Vdev)
		return nil, fmt.Errorf("create pool %s: %w", name, err)
	}
	if _, err := run(RealZpool(), "create", "-m", p.Mountpoint, name, p.Vdev); err != nil {
		// zpool create fails after creating the pool when the root can't
		// be mounted (zfs-fuse mounts 1000 filesystems at most); the pool
		// must go before its file does.
		if derr := p.Destroy(); derr != nil {
			return nil, fmt.Errorf("create pool %s: %w (and %v)", name, err, derr)
		}
		return nil, fmt.Errorf("create pool %s: %w", name, err)
	}
	return p, nil
}

// Destroy destroys the pool, then removes its vdev file and its (empty)
// mountpoint directory, which zpool destroy leaves behind. A pool that is
// already gone is not an error.
func (p *Pool) Destroy() error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if _, err = run(RealZpool(), "destroy", "-f", p.Name); err == nil || strings.Contains(err.Error(), "no such pool") {
			err = nil
			break
		}
		// zfs-fuse reports a pool busy while it still holds a dataset
		// it has just unmounted; unmounting the pool's filesystems
		// ourselves (deepest first) and waiting a little clears it.
		p.unmountAll()
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("destroy pool %s: %w", p.Name, err)
	}
	if rerr := os.Remove(p.Vdev); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return fmt.Errorf("destroy pool %s: %w", p.Name, rerr)
	}
	// Remove, not RemoveAll: if the unmount somehow failed, the directory
	// is a live mount and its content must survive.
	if rerr := os.Remove(p.Mountpoint); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return fmt.Errorf("destroy pool %s: %w", p.Name, rerr)
	}
	return nil
}

// unmountAll force-unmounts the pool's mounted filesystems, children
// before parents; errors are left to the destroy that follows.
func (p *Pool) unmountAll() {
	out, _ := run(RealZFS(), "list", "-H", "-o", "name,mounted", "-r", "-t", "filesystem", p.Name)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if name, mounted, ok := strings.Cut(lines[i], "\t"); ok && mounted == "yes" {
			run(RealZFS(), "umount", "-f", name)
		}
	}
}

// New returns a fresh pool for t and destroys it when t ends. It calls
// Require first.
func New(t testing.TB) *Pool {
	t.Helper()
	Require(t)
	p, err := Create(NewName())
	if err != nil {
		t.Fatalf("zfs-fuse test pool: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Destroy(); err != nil {
			t.Errorf("zfs-fuse test pool: %v", err)
		}
	})
	return p
}

var (
	usableOnce sync.Once
	usableErr  error
)

// Usable reports why zfs-fuse can't be used here, or nil when it can: it
// needs root, /dev/fuse, the real zfs and zpool, and a running zfs-fuse
// daemon that answers `zpool list`. The answer is computed once.
func Usable() error {
	usableOnce.Do(func() { usableErr = usable() })
	return usableErr
}

func usable() error {
	const hint = "run internal/testworld/world-up.sh as root first"
	if os.Geteuid() != 0 {
		return fmt.Errorf("zfs-fuse tests need root (running as uid %d)", os.Geteuid())
	}
	for _, bin := range []string{RealZFS(), RealZpool()} {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("zfs-fuse is not installed: %v (%s)", err, hint)
		}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("no FUSE device: %v (%s)", err, hint)
	}
	if !daemonRunning() {
		return fmt.Errorf("the zfs-fuse daemon is not running (%s)", hint)
	}
	done := make(chan error, 1)
	go func() {
		_, err := run(RealZpool(), "list", "-H", "-o", "name")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("zfs-fuse does not answer: %v (%s)", err, hint)
		}
	case <-time.After(30 * time.Second):
		return fmt.Errorf("zfs-fuse does not answer `zpool list` within 30s (%s)", hint)
	}
	return nil
}

// daemonRunning looks for a process named zfs-fuse.
func daemonRunning() bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		// No procfs (not Linux): let `zpool list` decide.
		return true
	}
	for _, e := range entries {
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err == nil && strings.TrimSpace(string(comm)) == "zfs-fuse" {
			return true
		}
	}
	return false
}

// Require fails t with the reason when zfs-fuse isn't usable, or skips it
// when JCAGE_SKIP_SYSTEM=1 is set.
func Require(t testing.TB) {
	t.Helper()
	skip, fail := verdict(Usable(), os.Getenv(SkipEnv))
	if skip != "" {
		t.Skip(skip)
	}
	if fail != "" {
		t.Fatal(fail)
	}
}

// verdict turns the usability check and the opt-out variable into a skip
// or failure message; both are empty when the test can run.
func verdict(err error, optOut string) (skip, fail string) {
	switch {
	case err == nil:
		return "", ""
	case optOut == "1":
		return fmt.Sprintf("skipping ZFS system test (%s=1): %v", SkipEnv, err), ""
	}
	return "", fmt.Sprintf("ZFS system test cannot run: %v; set %s=1 to skip it", err, SkipEnv)
}

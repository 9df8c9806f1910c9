package txn

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

const unlockedChildEnv = "JCAGE_TEST_TREELOCK_DIR"

// TestTreeLockChild is the child of TestNonRootRunsUnlocked: as a user
// who cannot open the 0600 lock file, taking the tree lock must succeed
// and hold nothing.
func TestTreeLockChild(t *testing.T) {
	dir := os.Getenv(unlockedChildEnv)
	if dir == "" {
		return // only meaningful as a child process
	}
	l, err := lockTree(context.Background(), dir)
	if err != nil {
		t.Fatalf("lockTree as uid %d: %v", os.Geteuid(), err)
	}
	if l.f != nil {
		t.Fatalf("lockTree as uid %d holds %s", os.Geteuid(), l.f.Name())
	}
}

// A user other than root cannot open root's 0600 tree lock; what such a
// user may change, zfs decides (snapremove with delegated rights), so the
// change runs unlocked instead of failing at the lock.
func TestNonRootRunsUnlocked(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test runs as root (it makes a child of another uid); CI runs it as root")
	}
	// The child runs from a copy of this binary that uid 65534 can read.
	shared := t.TempDir()
	for _, d := range []string{filepath.Dir(shared), shared} { // the test's temp root, then its directory
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := filepath.Join(shared, "txn.test")
	copyFile(t, exe, child, 0o755)
	runDir := filepath.Join(shared, "run")
	if err := os.Mkdir(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Root's lock, as a root command leaves it.
	l, err := lockTree(context.Background(), runDir)
	if err != nil || l.f == nil {
		t.Fatalf("root's lockTree: %v", err)
	}
	l.f.Close()

	cmd := exec.Command(child, "-test.run=^TestTreeLockChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), unlockedChildEnv+"="+runDir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = shared
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("non-root child: %v\n%s", err, out)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// crashEnvAtStart is crashEnv as this test binary was linked, before any
// test sets it.
var crashEnvAtStart = crashEnv

// The crash hook is in every build and inert unless the build names its
// variable (make testbin's -X): a production jcage run with
// JCAGE_TXN_CRASH set must not kill itself at a journal point.
func TestCrashHookInertUnlessLinked(t *testing.T) {
	if crashEnvAtStart != "" {
		t.Fatalf("a plain build names the crash variable %q: every jcage would obey it", crashEnvAtStart)
	}
	saved := crashEnv
	crashEnv = crashEnvAtStart
	defer func() { crashEnv = saved }()
	t.Setenv(CrashEnv, "1")
	crashPoint("create", "web", "a step") // a live hook would SIGKILL this test binary here
}

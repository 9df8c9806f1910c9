package txn

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/testworld/fsassert"
)

func writeTestConfig(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, config.ConfigFile)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLockFollowsReplacement: a waiter granted the lock on an inode that
// was renamed away retries on the current file.
func TestLockFollowsReplacement(t *testing.T) {
	dir := t.TempDir()
	p := writeTestConfig(t, dir, `{"v": "old"}`)
	held, err := LockFile(p)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		l, err := LockFile(p)
		if err != nil {
			got <- err.Error()
			return
		}
		defer l.Unlock()
		b, err := l.ReadAll()
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case s := <-got:
		t.Fatalf("second lock granted while the first was held: %s", s)
	default:
	}
	if err := atomicfile.Write(p, []byte(`{"v": "new"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := held.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	select {
	case s := <-got:
		if s != `{"v": "new"}` {
			t.Errorf("waiter read %q, want the replacement", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter never got the lock")
	}
}

func TestLockMissingFile(t *testing.T) {
	_, err := LockFile(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LockFile(missing) = %v", err)
	}
}

// TestLockHeldAcrossWrites: a FileLock stays exclusive after it replaces
// the file, so a multi-step mutation is not interleaved with others.
func TestLockHeldAcrossWrites(t *testing.T) {
	p := writeTestConfig(t, t.TempDir(), `{"step": "0"}`)
	l, err := LockFile(p)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		l2, err := LockFile(p)
		if err != nil {
			got <- err.Error()
			return
		}
		defer l2.Unlock()
		c, err := l2.Load()
		if err != nil {
			got <- err.Error()
			return
		}
		s, _ := c.Get("step")
		got <- s
	}()
	for _, step := range []string{"1", "2", "3"} {
		c, err := l.Load()
		if err != nil {
			t.Fatal(err)
		}
		c.Set("step", step)
		if err := l.WriteConfig(c, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		select {
		case s := <-got:
			t.Fatalf("another locker got in after step %s and saw %q", step, s)
		default:
		}
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "3" {
			t.Errorf("waiter saw step %q, want 3", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter never got the lock")
	}
	if err := l.WriteConfig(config.NewConfig(), nil); err == nil {
		t.Error("WriteConfig after Unlock succeeded")
	}
	fsassert.NoTempFiles(t, filepath.Dir(p))
}

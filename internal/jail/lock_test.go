package jail

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
)

func writeTestConfig(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, config.ConfigFile)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpdateConcurrentGoroutines: writers setting different keys at the
// same time never lose each other's change.
func TestUpdateConcurrentGoroutines(t *testing.T) {
	p := writeTestConfig(t, t.TempDir(), `{"host_hostuuid": "web"}`)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("k%02d_%02d", w, i)
				errs <- Update(p, nil, func(c *config.Config) error {
					c.Set(key, strconv.Itoa(i))
					return nil
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != workers*each+1 {
		t.Fatalf("%d keys after %d updates, want %d", c.Len(), workers*each, workers*each+1)
	}
	assertNoTempFiles(t, filepath.Dir(p))
}

const childEnv = "JCAGE_TEST_UPDATE_CHILD"

// TestUpdateChildProcess is the child of TestUpdateConcurrentProcesses.
func TestUpdateChildProcess(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return // only meaningful as a child process
	}
	var path, prefix string
	var n int
	if _, err := fmt.Sscanf(spec, "%s %s %d", &path, &prefix, &n); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		key := fmt.Sprintf("%s_%03d", prefix, i)
		if err := Update(path, nil, func(c *config.Config) error {
			c.Set(key, "x")
			// Widen the window between read and write.
			time.Sleep(time.Millisecond)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUpdateConcurrentProcesses(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := writeTestConfig(t, t.TempDir(), `{"host_hostuuid": "web"}`)
	const procs, each = 4, 20
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := range procs {
		cmd := exec.Command(exe, "-test.run=^TestUpdateChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s p%d %d", childEnv, p, i, each))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		outs = append(outs, &out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child process: %v\n%s", err, outs[i])
		}
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != procs*each+1 {
		t.Fatalf("%d keys after %d updates from %d processes, want %d", c.Len(), procs*each, procs, procs*each+1)
	}
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
	assertNoTempFiles(t, filepath.Dir(p))
}

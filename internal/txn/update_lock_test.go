package txn

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/testworld/fsassert"
)

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
				errs <- UpdateConfig(p, nil, func(c *config.Config) error {
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
	fsassert.NoTempFiles(t, filepath.Dir(p))
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
		if err := UpdateConfig(path, nil, func(c *config.Config) error {
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

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/pool"
)

// sandbox is one benchmark's world: its own pool (pinned with JCAGE_POOL
// so that nothing else running on the machine can be picked), simulator
// state and run directory, with jcage already activated on the pool.
type sandbox struct {
	pool    *pool.Pool
	state   string
	env     []string
	zfsShim string
	jcage   string
}

func (b *bencher) sandbox(extraEnv ...string) (*sandbox, error) {
	return b.sandboxSize(pool.Size, extraEnv...)
}

// sandboxSize is sandbox on a pool of size bytes.
func (b *bencher) sandboxSize(size int64, extraEnv ...string) (*sandbox, error) {
	p, err := pool.CreateSize(pool.NewName(), size)
	if err != nil {
		return nil, err
	}
	state, err := os.MkdirTemp("", "jcage-bench-state-")
	if err != nil {
		p.Destroy()
		return nil, err
	}
	s := &sandbox{pool: p, state: state, zfsShim: filepath.Join(b.bin.Path, "zfs"), jcage: b.bin.Jcage}
	s.env = append(append(append(os.Environ(), b.bin.PathVars()...), fbsdsim.StateEnv+"="+state,
		"JCAGE_POOL="+p.Name, "JCAGE_RUN_DIR="+state,
		// root's commands log to iocage's log: the sandbox's own, not the
		// machine's /var/log/iocage.log.
		"IOCAGE_LOGFILE="+filepath.Join(state, "iocage.log")), extraEnv...)
	if err := s.run(s.jcage, "activate", p.Name); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close destroys the sandbox's pool; a pool left behind is said, since
// it slows every later pool on the one zfs-fuse daemon.
func (s *sandbox) close() {
	if err := s.pool.Destroy(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v (world-down.sh sweeps it)\n", err)
	}
	os.RemoveAll(s.state)
}

func (s *sandbox) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = s.env
	return cmd
}

// run runs a program in the sandbox and returns its error with its output.
func (s *sandbox) run(name string, args ...string) error {
	if out, err := s.command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return nil
}

// timed runs jcage and returns how long it took.
func (s *sandbox) timed(args ...string) (time.Duration, error) {
	start := time.Now()
	err := s.run(s.jcage, args...)
	return time.Since(start), err
}

// iocroot is where POOL/iocage is mounted.
func (s *sandbox) iocroot() string { return filepath.Join(s.pool.Mountpoint, "iocage") }

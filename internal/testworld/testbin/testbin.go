// Package testbin builds the binaries of the test world once per test
// process: jcage itself, the FreeBSD-userland simulator linked under every
// tool name, the zfs-fuse compatibility shim (as zfs) and the release
// mirror. `make test` prebuilds them and names the directory in
// JCAGE_TESTBIN; a plain `go test` builds them into a temporary directory.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/txn"
)

// Env names the prebuilt directory.
const Env = "JCAGE_TESTBIN"

// Dir is a built test world.
type Dir struct {
	Root   string // the directory itself
	Jcage  string // the jcage binary
	Mirror string // the release mirror binary
	Path   string // directory to put first in PATH: simulators and the zfs shim
}

var (
	once  sync.Once
	built Dir
	err   error
)

// Get returns the test world's binaries, building them on first use.
func Get() (Dir, error) {
	once.Do(func() {
		root := os.Getenv(Env)
		if root == "" {
			root, err = os.MkdirTemp("", "jcage-testbin-")
			if err != nil {
				return
			}
			// Tests also run jcage as an unprivileged user.
			if err = os.Chmod(root, 0o755); err != nil {
				return
			}
			if err = Build(root); err != nil {
				return
			}
		}
		built = Dir{
			Root:   root,
			Jcage:  filepath.Join(root, "jcage"),
			Mirror: filepath.Join(root, "mirror"),
			Path:   filepath.Join(root, "path"),
		}
		for _, p := range []string{built.Jcage, built.Mirror, filepath.Join(built.Path, "jail"), filepath.Join(built.Path, "zfs"),
			filepath.Join(built.Path, "git")} {
			if _, serr := os.Stat(p); serr != nil {
				err = fmt.Errorf("test world incomplete in %s (run make testbin): %w", root, serr)
				return
			}
		}
	})
	return built, err
}

// moduleRoot finds the directory holding go.mod from this source file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// LDFlags makes a jcage binary take its PATH from host.TestPathEnv, so
// that the test world can put its simulators first, and lets txn.CrashEnv
// kill it at a chosen point of its journal; the Makefile's testbin passes
// the same.
const LDFlags = "-X github.com/jcage/jcage/internal/host.testPathEnv=" + host.TestPathEnv +
	" -X github.com/jcage/jcage/internal/txn.crashEnv=" + txn.CrashEnv

// Tags are the build tags of jcage, as the Makefile's TAGS.
const Tags = "urfave_cli_no_docs"

// PathVars returns PATH with the simulators first, for jcage (through
// host.TestPathEnv) and for everything else.
func (d Dir) PathVars() []string {
	return []string{"PATH=" + d.PathEnv(), host.TestPathEnv + "=" + d.PathEnv()}
}

// Build builds every test-world binary into dir and links the tools.
func Build(dir string) error {
	pkgs := map[string]string{
		"jcage":   "./cmd/jcage",
		"fbsdsim": "./internal/testworld/cmd/fbsdsim",
		"zfsshim": "./internal/testworld/cmd/zfsshim",
		"mirror":  "./internal/testworld/cmd/mirror",
	}
	for name, pkg := range pkgs {
		args := []string{"build", "-o", filepath.Join(dir, name)}
		if name == "jcage" {
			args = append(args, "-tags", Tags, "-ldflags", LDFlags)
		}
		cmd := exec.Command("go", append(args, pkg)...)
		cmd.Dir = moduleRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return Link(dir)
}

// Link creates dir/path with one link per simulated tool and the shim,
// and one to the host's own git, which is not simulated (FIDELITY.md,
// [git]).
func Link(dir string) error {
	path := filepath.Join(dir, "path")
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	git, err := exec.LookPath("git")
	if err == nil {
		git, err = filepath.EvalSymlinks(git)
	}
	if err != nil {
		return fmt.Errorf("no git(1) for the test world: plugins are cloned with the host's own (apt-get install git): %w", err)
	}
	links := map[string]string{"zfs": "../zfsshim", "zpool": "../zfsshim", "git": git}
	for _, t := range fbsdsim.Tools() {
		links[t] = "../fbsdsim"
	}
	for name, target := range links {
		p := filepath.Join(path, name)
		_ = os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			return err
		}
	}
	return nil
}

// PathEnv returns PATH with the simulators first.
func (d Dir) PathEnv() string {
	return d.Path + string(os.PathListSeparator) + strings.TrimPrefix(os.Getenv("PATH"), d.Path+string(os.PathListSeparator))
}

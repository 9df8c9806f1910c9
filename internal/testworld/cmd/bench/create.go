package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/pool"
)

// benchCreate compares `jcage create -r REL -n NAME` with its floor: the
// raw `zfs snapshot` of the release plus `zfs clone -p`, through the same
// zfs, in the same run.
func benchCreate(b *bencher) error {
	p, err := pool.Create(pool.NewName())
	if err != nil {
		return err
	}
	defer p.Destroy()
	state, err := os.MkdirTemp("", "jcage-bench-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	env := append(os.Environ(), "PATH="+b.bin.PathEnv(), fbsdsim.StateEnv+"="+state, "JCAGE_POOL="+p.Name, "JCAGE_RUN_DIR="+state)
	run := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return nil
	}
	zfsShim := filepath.Join(b.bin.Path, "zfs")
	if err := run(b.bin.Jcage, "activate", p.Name); err != nil {
		return err
	}
	rel := p.Name + "/iocage/releases/14.3-RELEASE/root"
	if err := run(zfsShim, "create", "-p", rel); err != nil {
		return err
	}
	root := filepath.Join(p.Mountpoint, "iocage/releases/14.3-RELEASE/root")
	for path, body := range map[string]string{
		"bin/freebsd-version": "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p1\"\n",
		"etc/hosts":           "127.0.0.1\t\tlocalhost localhost.my.domain\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(body), 0o644); err != nil {
			return err
		}
	}
	i := 0
	floor, err := b.median(func() error {
		i++
		n := fmt.Sprintf("raw%d", i)
		if err := run(zfsShim, "snapshot", rel+"@"+n); err != nil {
			return err
		}
		return run(zfsShim, "clone", "-p", rel+"@"+n, p.Name+"/iocage/jails/"+n+"/root")
	})
	if err != nil {
		return err
	}
	got, err := b.median(func() error {
		i++
		return run(b.bin.Jcage, "create", "-r", "14.3-RELEASE", "-n", fmt.Sprintf("j%d", i))
	})
	if err != nil {
		return err
	}
	report("jcage create (thin)", got, floor, "zfs snapshot + clone -p")
	return nil
}

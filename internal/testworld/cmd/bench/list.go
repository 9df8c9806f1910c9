package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/pool"
)

// benchList lays out 1,000 jails on a fresh pool and compares `jcage list
// -h` with its floor: one recursive zfs list of the tree plus reading every
// config.json.
func benchList(b *bencher) error {
	const jails = 1000
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
	env := append(os.Environ(), "PATH="+b.bin.PathEnv(), fbsdsim.StateEnv+"="+state)
	jc := func(args ...string) (string, error) {
		cmd := exec.Command(b.bin.Jcage, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("jcage %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	zfsShim := filepath.Join(b.bin.Path, "zfs")
	if _, err := jc("activate", p.Name); err != nil {
		return err
	}
	start := time.Now()
	if err := layJails(p, zfsShim, env, jails); err != nil {
		return err
	}
	fmt.Printf("%-28s %d jails laid out in %.1f s\n", "list setup", jails, time.Since(start).Seconds())

	out, err := jc("-D", "list", "-h")
	if err != nil {
		return err
	}
	calls := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "+ ") {
			calls++
		}
	}
	fmt.Printf("%-28s %d external calls for %d jails\n", "jcage list", calls, jails)

	iocroot := filepath.Join(p.Mountpoint, "iocage")
	floor, err := b.median(func() error {
		cmd := exec.Command(zfsShim, "list", "-H", "-p", "-r", "-o", "name,type,origin,used,available,referenced,mountpoint,mounted,creation", p.Name+"/iocage")
		cmd.Env = env
		if out, err := cmd.Output(); err != nil || len(out) == 0 {
			return fmt.Errorf("zfs list: %v", err)
		}
		for i := 0; i < jails; i++ {
			if _, err := os.ReadFile(filepath.Join(iocroot, "jails", jailName(i), "config.json")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := b.median(func() error { _, err := jc("list", "-h"); return err })
	if err != nil {
		return err
	}
	report("jcage list -h (1000 jails)", got, floor, "zfs list -r + 1000 reads")
	return nil
}

func jailName(i int) string { return fmt.Sprintf("bench%04d", i) }

// layJails creates the datasets two at a time (zfs-fuse serialises most
// work anyway) and writes iocage-format configs.
func layJails(p *pool.Pool, zfsShim string, env []string, n int) error {
	iocroot := filepath.Join(p.Mountpoint, "iocage")
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := jailName(i)
				// Roots stay unmounted: list never looks inside them, and
				// zfs-fuse runs out of FUSE mounts before 2,000.
				var failed bool
				for _, args := range [][]string{
					{"create", p.Name + "/iocage/jails/" + name},
					{"create", "-o", "canmount=off", p.Name + "/iocage/jails/" + name + "/root"},
				} {
					cmd := exec.Command(zfsShim, args...)
					cmd.Env = env
					if out, err := cmd.CombinedOutput(); err != nil {
						errs <- fmt.Errorf("zfs %s: %v: %s", strings.Join(args, " "), err, out)
						failed = true
						break
					}
				}
				if failed {
					continue
				}
				cfg, _ := json.MarshalIndent(map[string]any{
					"CONFIG_VERSION": "34", "host_hostname": name, "host_hostuuid": name,
					"release": "14.3-RELEASE", "type": "jail", "ip4_addr": fmt.Sprintf("em0|10.1.%d.%d/16", i/250, i%250+1),
				}, "", "    ")
				if err := os.WriteFile(filepath.Join(iocroot, "jails", name, "config.json"), cfg, 0o644); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

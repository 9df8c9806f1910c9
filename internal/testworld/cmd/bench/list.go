package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/testworld/pool"
)

// benchList lays out 1,000 jails on a fresh pool and compares `jcage list
// -h` with its floor: one recursive zfs list of the tree plus reading every
// config.json.
func benchList(b *bencher) error {
	// zfs-fuse spends about 170 KiB of the pool on each dataset: the
	// jails and half the unrelated datasets need more than pool.Size.
	// The vdevs are sparse files.
	sb, err := b.sandboxSize(listPoolSize)
	if err != nil {
		return err
	}
	defer sb.close()
	p, env, zfsShim := sb.pool, sb.env, sb.zfsShim
	jcBin := func(bin string, args ...string) (string, error) {
		out, err := sb.command(bin, args...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	jc := func(args ...string) (string, error) { return jcBin(sb.jcage, args...) }
	listH := func(bin string) func() error {
		return func() error { _, err := jcBin(bin, "list", "-h"); return err }
	}
	// The second pool of the unrelated datasets comes first: its root is
	// one more mount, and the jails take zfs-fuse to its limit.
	var other *pool.Pool
	if b.unrelated > 0 {
		if other, err = pool.CreateSize(pool.NewName(), listPoolSize); err != nil {
			return err
		}
		defer func() {
			if err := other.Destroy(); err != nil {
				fmt.Fprintf(os.Stderr, "bench: %v (world-down.sh sweeps it)\n", err)
			}
		}()
	}
	start := time.Now()
	made, err := layJails(p, zfsShim, env, b.jails)
	if err != nil {
		return err
	}
	fmt.Printf("%-28s %d of %d jails laid out in %.1f s\n", "list setup", made, b.jails, time.Since(start).Seconds())

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
	fmt.Printf("%-28s %d external calls for %d jails\n", "jcage list", calls, made)

	iocroot := filepath.Join(p.Mountpoint, "iocage")
	rawRead := func() error {
		cmd := exec.Command(zfsShim, "list", "-H", "-p", "-r", "-o", "name,type,origin,used,available,referenced,mountpoint,mounted,creation", p.Name+"/iocage")
		cmd.Env = env
		if out, err := cmd.Output(); err != nil || len(out) == 0 {
			return fmt.Errorf("zfs list: %v", err)
		}
		for i := 0; i < made; i++ {
			if _, err := os.ReadFile(filepath.Join(iocroot, "jails", jailName(i), "config.json")); err != nil {
				return err
			}
		}
		return nil
	}
	floor, err := b.median(rawRead)
	if err != nil {
		return err
	}
	got, err := b.median(listH(sb.jcage))
	if err != nil {
		return err
	}
	report(fmt.Sprintf("jcage list -h (%d jails)", made), got, floor, "zfs list -r + config reads")
	if b.unrelated <= 0 {
		return nil
	}
	var baseGot time.Duration
	if b.baseline != "" {
		if baseGot, err = b.median(listH(b.baseline)); err != nil {
			return err
		}
	}

	// The same list on a host whose pools also hold datasets that are not
	// jcage's (poudriere, bhyve, home directories): half beside the tree
	// on the jails' pool, half on another pool.
	start = time.Now()
	half := b.unrelated / 2
	if err := layUnrelated(p.Name, half); err != nil {
		return err
	}
	if err := layUnrelated(other.Name, b.unrelated-half); err != nil {
		return err
	}
	fmt.Printf("%-28s %d datasets laid out on %s and %s in %.1f s\n", "list setup", b.unrelated, p.Name, other.Name, time.Since(start).Seconds())
	// zfs-fuse goes on writing thousands of new datasets out for a while
	// after their creation returns: wait until the raw read is steady.
	if err := settle(rawRead); err != nil {
		return err
	}
	with, err := b.median(listH(sb.jcage))
	if err != nil {
		return err
	}
	report(fmt.Sprintf("jcage list -h (+%d others)", b.unrelated), with, got, "the same list without them")
	// zfs-fuse itself may read the tree slower once the pools hold more:
	// the raw read of the same tree, timed again, shows how much of the
	// ratio is the pool's and not jcage's.
	floorWith, err := b.median(rawRead)
	if err != nil {
		return err
	}
	fmt.Printf("  %-26s %8.2f ms   (was %.2f ms without them: ratio %.2f)\n", "zfs list -r + config reads",
		ms(floorWith), ms(floor), float64(floorWith)/float64(floor))
	if b.baseline != "" {
		baseWith, err := b.median(listH(b.baseline))
		if err != nil {
			return err
		}
		report(fmt.Sprintf("baseline list -h (+%d others)", b.unrelated), baseWith, baseGot, "the same list without them")
	}
	return nil
}

// layUnrelated creates n datasets that are not jcage's on pool, under
// POOL/unrelated/gNN/dNNNN: as shallow as a jail's, so that a read of
// the pool to a jail root's depth would meet them all. None is mounted
// (canmount=off, and mountpoint=none inherited from POOL/unrelated):
// zfs-fuse would refuse a thousand more mounts. They are made with the
// real zfs, a few at a time: zfs-fuse takes about 20 ms for each.
func layUnrelated(poolName string, n int) error {
	realZFS := pool.RealZFS()
	zfsRun := func(args ...string) error {
		if out, err := exec.Command(realZFS, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("zfs %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	top := poolName + "/unrelated"
	if err := zfsRun("create", "-o", "mountpoint=none", "-o", "canmount=off", top); err != nil {
		return err
	}
	const perGroup = 100
	var names []string
	for g := 0; g*perGroup < n; g++ {
		group := fmt.Sprintf("%s/g%02d", top, g)
		if err := zfsRun("create", "-o", "canmount=off", group); err != nil {
			return err
		}
		for i := g * perGroup; i < min(n, (g+1)*perGroup); i++ {
			names = append(names, fmt.Sprintf("%s/d%04d", group, i))
		}
	}
	const workers = 4
	work := make(chan string)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			var first error
			for name := range work {
				if first == nil {
					first = zfsRun("create", "-o", "canmount=off", name)
				}
			}
			errs <- first
		}()
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	var err error
	for w := 0; w < workers; w++ {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	return err
}

// listPoolSize is the size of the list benchmark's pools.
const listPoolSize = 2 << 30

func jailName(i int) string { return fmt.Sprintf("bench%04d", i) }

// layJails creates up to n jails one after the other and returns how many
// it made: zfs-fuse refuses FUSE mounts somewhere near a thousand per
// daemon, so the bench reports the count it could lay out.
func layJails(p *pool.Pool, zfsShim string, env []string, n int) (int, error) {
	iocroot := filepath.Join(p.Mountpoint, "iocage")
	for i := 0; i < n; i++ {
		name := jailName(i)
		ds := p.Name + "/iocage/jails/" + name
		// Roots stay unmounted: list never looks inside them.
		for _, args := range [][]string{{"create", ds}, {"create", "-o", "canmount=off", ds + "/root"}} {
			cmd := exec.Command(zfsShim, args...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				if strings.Contains(string(out), "cannot mount") && i > 0 {
					cmd := exec.Command(zfsShim, "destroy", "-r", ds)
					cmd.Env = env
					_ = cmd.Run()
					return i, nil
				}
				return i, fmt.Errorf("zfs %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		cfg, _ := json.MarshalIndent(map[string]any{
			"CONFIG_VERSION": "34", "host_hostname": name, "host_hostuuid": name,
			"release": "14.3-RELEASE", "type": "jail", "ip4_addr": fmt.Sprintf("em0|10.1.%d.%d/16", i/250, i%250+1),
		}, "", "    ")
		if err := os.WriteFile(filepath.Join(iocroot, "jails", name, "config.json"), cfg, 0o644); err != nil {
			return i, err
		}
	}
	return n, nil
}

// settle runs read until two runs in a row take within a tenth of each
// other (at most 20 runs), so that a median starts on a quiet pool.
func settle(read func() error) error {
	var last time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		if err := read(); err != nil {
			return err
		}
		d := time.Since(start)
		if last > 0 && d < last*11/10 && last < d*11/10 {
			return nil
		}
		last = d
	}
	return nil
}

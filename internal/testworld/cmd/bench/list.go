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
	sb, err := b.sandbox()
	if err != nil {
		return err
	}
	defer sb.close()
	p, env, zfsShim := sb.pool, sb.env, sb.zfsShim
	jc := func(args ...string) (string, error) {
		out, err := sb.command(sb.jcage, args...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("jcage %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
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
	floor, err := b.median(func() error {
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
	})
	if err != nil {
		return err
	}
	got, err := b.median(func() error { _, err := jc("list", "-h"); return err })
	if err != nil {
		return err
	}
	report(fmt.Sprintf("jcage list -h (%d jails)", made), got, floor, "zfs list -r + config reads")
	return nil
}

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

package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// benchCreate compares `jcage create -r REL -n NAME` with its floor: the
// raw `zfs snapshot` of the release plus `zfs clone -p`, through the same
// zfs, in the same run, the two alternating.
func benchCreate(b *bencher) error {
	sb, err := b.sandbox()
	if err != nil {
		return err
	}
	defer sb.close()
	p, run, zfsShim := sb.pool, sb.run, sb.zfsShim
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
	floor, got, err := b.pairedMedians(func() error {
		i++
		n := fmt.Sprintf("raw%d", i)
		if err := run(zfsShim, "snapshot", rel+"@"+n); err != nil {
			return err
		}
		return run(zfsShim, "clone", "-p", rel+"@"+n, p.Name+"/iocage/jails/"+n+"/root")
	}, func() error {
		return run(sb.jcage, "create", "-r", "14.3-RELEASE", "-n", fmt.Sprintf("j%d", i))
	})
	if err != nil {
		return err
	}
	report("jcage create (thin)", got, floor, "zfs snapshot + clone -p")
	return nil
}

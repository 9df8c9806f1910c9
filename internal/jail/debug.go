package jail

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/zfs"
)

// Debug writes iocage's support bundle (ioc_debug.py IOCDebug.run_debug)
// into dir: dir/host.txt with every dataset, the mount table, df -h and
// netstat -nr, and dir/NAME.txt per jail and template with its
// properties and state, its fstab, the jail's /etc/hosts, rc.conf,
// nsswitch.conf and resolv.conf, and, when it runs, ifconfig -a and
// netstat -nr from inside it. Each section is a title, a line of ten
// dashes, then its lines. Files of a jail are read inside its root; a
// missing one reads as cat(1) reports it.
func (h *Host) Debug(ctx context.Context, inv *inventory.Inventory, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pools, err := h.ZFS.Pools(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range pools {
		ds, err := h.ZFS.List(ctx, p.Name, zfs.ListOptions{Recursive: true})
		if err != nil && !errors.Is(err, zfs.ErrNotFound) {
			return err
		}
		for _, d := range ds {
			names = append(names, d.Name)
		}
	}
	var b debugFile
	b.section("ZFS", names)
	b.section("\nMOUNT", h.debugRun(ctx, argv.MountShow()))
	b.section("\nDF -h", h.debugRun(ctx, argv.DfHuman()))
	b.section("\nNETSTAT -nr", h.debugRun(ctx, argv.NetstatRoutes()))
	if err := atomicfile.Write(filepath.Join(dir, "host.txt"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	for _, j := range inv.Jails {
		if err := h.debugJail(ctx, j, dir); err != nil {
			return err
		}
	}
	return nil
}

func (h *Host) debugJail(ctx context.Context, j *inventory.Jail, dir string) error {
	var b debugFile
	props := map[string]string{}
	if j.Props != nil {
		for _, k := range j.Props.Keys() {
			props[k], _ = j.Props.Get(k)
		}
	}
	props["state"] = "down"
	if j.Running() {
		props["state"] = "up"
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, k+" = "+props[k])
	}
	b.section("PROPS", lines)
	b.section("\nFSTAB", debugCat(j.Dir, "fstab"))
	root := j.RootPath()
	b.section("\n/ETC/HOSTS", debugCat(root, "etc/hosts"))
	b.section("\n/ETC/RC.CONF", debugCat(root, "etc/rc.conf"))
	b.section("\n/ETC/NSSWITCH.CONF", debugCat(root, "etc/nsswitch.conf"))
	name := plan.Underscored(j.Name)
	if j.Running() {
		b.section("\nIFCONFIG -a", h.debugRun(ctx, argv.JexecIfconfigAll(inventory.JailName(j.Name))))
		b.section("\nNETSTAT -nr", h.debugRun(ctx, argv.JexecNetstatRoutes(inventory.JailName(j.Name))))
	} else {
		msg := []string{name + " not running -- cannot run command"}
		b.section("\nIFCONFIG -a", msg)
		b.section("\nNETSTAT -nr", msg)
	}
	b.section("\n/ETC/RESOLV.CONF", debugCat(root, "etc/resolv.conf"))
	return atomicfile.Write(filepath.Join(dir, j.Name+".txt"), []byte(b.String()), 0o644)
}

// debugRun is a command's output lines, stdout and stderr together; a
// command that can't run reads as its error.
func (h *Host) debugRun(ctx context.Context, c host.Cmd) []string {
	var out strings.Builder
	c.Stdout, c.Stderr = &out, &out
	if _, err := h.Run.Run(ctx, c); err != nil && out.Len() == 0 {
		return []string{ErrorText(err)}
	}
	return splitLines(out.String())
}

// debugCat reads rel under base through the confined helper: base may
// be a jail root, whose files the jail owns.
func debugCat(base, rel string) []string {
	b, err := confine.ReadFile(base, rel)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{fmt.Sprintf("cat: %s: No such file or directory", confine.Path(base, rel))}
	}
	if err != nil {
		return []string{fmt.Sprintf("cat: %v", err)}
	}
	return splitLines(string(b))
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// debugFile is one file of the bundle (ioc_debug.py __write_debug__).
type debugFile struct{ strings.Builder }

func (d *debugFile) section(title string, lines []string) {
	d.WriteString(title + "\n----------\n")
	for _, l := range lines {
		d.WriteString(l + "\n")
	}
}

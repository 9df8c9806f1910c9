package jail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/zfs"
)

// stopSpec is how one jail is stopped.
type stopSpec struct {
	force  bool // skip the jail's own stop steps
	silent bool // print nothing (the undo of a failed start)
	// jid and ruleset are known when a failed start stops its jail; 0
	// means the jail's JID from jls, and its ruleset asked from jls.
	jid     int
	ruleset int
}

// stopOne stops one running jail, printing iocage's progress lines.
func (h *Host) stopOne(ctx context.Context, r *run, j *Jail, force, silent bool, warn io.Writer) error {
	return h.stopJail(ctx, r, j, &stopSpec{force: force, silent: silent}, warn)
}

// UmountCmds are the best-effort unmounts that end every stop.
func UmountCmds(dir string) []host.Cmd {
	root := filepath.Join(dir, "root") // confine: host-owned, the root directory itself
	return []host.Cmd{
		{Name: "umount", Args: []string{"-afF", filepath.Join(dir, "fstab")}},
		{Name: "umount", Args: []string{"-f", confine.Path(root, "dev/fd")}},
		{Name: "umount", Args: []string{"-f", confine.Path(root, "dev")}},
		{Name: "umount", Args: []string{"-f", confine.Path(root, "proc")}},
		{Name: "umount", Args: []string{"-f", confine.Path(root, "compat/linux/proc")}},
	}
}

// JailRemoveCmd is `jail -q [-v] [-f FILE] -r JNAME`; the file is passed
// when it exists, so that jail(8) undoes its own mounts and aliases.
func JailRemoveCmd(confPath string, haveConf, debug bool, name string) host.Cmd {
	args := []string{"-q"}
	if debug {
		args = append(args, "-v")
	}
	if haveConf {
		args = append(args, "-f", confPath)
	}
	return host.Cmd{Name: "jail", Args: append(args, "-r", JailName(name))}
}

// VnetTeardownCmds return a vnet jail's interfaces: vnet_interfaces back
// to the host, then the host end of each NIC destroyed (which destroys
// the pair).
func VnetTeardownCmds(name string, jid int, p *config.Config) (release, destroy []host.Cmd) {
	vi, _ := p.Get("vnet_interfaces")
	if vi != "none" && vi != "" {
		for _, ifc := range strings.FieldsFunc(vi, func(r rune) bool { return r == ',' || r == ' ' }) {
			release = append(release, host.Cmd{Name: "ifconfig", Args: []string{ifc, "-vnet", JailName(name)}})
		}
	}
	ip4, _ := p.Get("ip4_addr")
	ip6, _ := p.Get("ip6_addr")
	// Only the NICs the start made are destroyed: every NIC with DHCP,
	// else those an address names (a bare address is vnet0's), and vnet0
	// of a NAT jail. iocage (ioc_stop.py) destroys every NIC once any
	// address is set, and so reports a failure for a jail whose only
	// address is lo0|ADDR, which makes none.
	dhcp := wantsDHCP(p)
	named := map[string]bool{}
	for _, list := range []string{ip4, ip6} {
		if list == "none" {
			continue
		}
		for _, a := range strings.Split(list, ",") {
			iface, _ := splitAddr(a)
			named[iface] = true
		}
	}
	if p.Bool("nat") {
		named["vnet0"] = true
	}
	nics, _ := p.Get("interfaces")
	for _, n := range parseInterfaces(nics) {
		if dhcp || named[n.Nic] {
			destroy = append(destroy, host.Cmd{Name: "ifconfig", Args: []string{n.HostNic(jid), "destroy"}})
		}
	}
	return release, destroy
}

func (h *Host) stopJail(ctx context.Context, r *run, j *Jail, spec *stopSpec, warn io.Writer) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props, out: h.Out, warn: warn, jid: j.JID}
	if spec.jid != 0 {
		jr.jid = spec.jid
	}
	if jr.out == nil || spec.silent {
		jr.out = io.Discard
	}
	if spec.silent {
		jr.warn = io.Discard
	}
	name := jr.uuid()
	jname := JailName(j.Name)
	jr.say("* Stopping %s", name)

	if rules, ok := r.rctlRules(ctx); ok && strings.Contains(rules, "jail:"+jname+":") {
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "rctl", Args: []string{"-r", "jail:" + jname + ":"}}); err != nil {
			jr.warnf("  + Failed to remove RCTL rules for %s", name)
		} else {
			jr.say("  + Successfully removed RCTL rules for %s", name)
		}
	}

	const forceHint = "Please use --force flag to force stop jail"
	confPath := ConfPath(r.paths.RunDir, j.Name)
	if !spec.force {
		if err := jr.hook(ctx, "exec_prestop", nil); err != nil {
			jr.say("  + Executing prestop FAILED")
			return fmt.Errorf("%s: exec_prestop failed: %s. %s", name, errorText(err), forceHint)
		}
		jr.say("  + Executing prestop OK")
		if err := jr.jexecLogged(ctx, strings.Fields(jr.get("exec_stop"))); err != nil {
			jr.say("  + Stopping services FAILED")
			return fmt.Errorf("%s: exec_stop failed: %s. %s", name, errorText(err), forceHint)
		}
		jr.say("  + Stopping services OK")
		if jr.props.Bool("jail_zfs") {
			if err := jr.detachJailZFS(ctx); err != nil {
				return err
			}
		}
	} else if b, err := os.ReadFile(confPath); err == nil {
		if s := StripExec(string(b)); s != string(b) {
			if err := atomicfile.Write(confPath, []byte(s), 0o644); err != nil {
				return err
			}
		}
	}

	if jr.props.Bool("vnet") {
		release, destroy := VnetTeardownCmds(j.Name, jr.jid, jr.props)
		for _, c := range release {
			jr.runCmd(ctx, c)
		}
		var errs []string
		for _, c := range destroy {
			if _, err := jr.runCmd(ctx, c); err != nil {
				errs = append(errs, errorText(err))
			}
		}
		switch {
		case len(destroy) > 0 && len(errs) == 0:
			jr.say("  + Tearing down VNET OK")
		case len(errs) > 0 && !spec.force:
			jr.say("  + Tearing down VNET FAILED")
			for _, e := range errs {
				jr.warnf("  %s", e)
			}
		}
	}

	jr.removeRuleset(ctx, spec.ruleset)

	_, haveConf := os.Stat(confPath)
	var stderr bytes.Buffer
	c := JailRemoveCmd(confPath, haveConf == nil, r.debug, j.Name)
	c.Stderr = &stderr
	_, err := jr.runCmd(ctx, c)
	if msg := strings.TrimSpace(stderr.String()); err != nil || msg != "" {
		if msg == "" {
			msg = jailStderr(err)
		}
		// jail(8) removes the jail before it undoes its mounts and aliases,
		// and a failure there (check_path: an fstab entry no longer mounted,
		// or of another type) only sets its exit status: the jail is gone
		// and the rest of the stop must still run. Only a jail that is
		// still there is a failed stop.
		if _, lerr := jr.lookupJID(ctx); lerr == nil || host.ExitCodeOf(lerr) != 1 {
			jr.say("  + Removing jail process FAILED:")
			return fmt.Errorf("%s: Removing jail process FAILED: %s", name, strings.Join(strings.Fields(msg), " "))
		}
		jr.say("  + Removing jail process OK")
		for _, line := range strings.Split(msg, "\n") {
			jr.warnf("  + Warning: jail -r: %s", strings.TrimSpace(line))
		}
	} else {
		jr.say("  + Removing jail process OK")
	}
	if haveConf == nil {
		os.Remove(confPath)
	}

	if err := jr.hook(ctx, "exec_poststop", nil); err != nil {
		jr.warnf("  + Executing poststop FAILED\n%s\n\nJail has been stopped but there may be leftovers from exec_poststop failure", errorText(err))
	} else {
		jr.say("  + Executing poststop OK")
	}
	// Best effort, as in iocage; only what is still mounted is unmounted
	// when the mount table can be read.
	cmds := UmountCmds(j.Dir)
	if out, err := jr.runCmd(ctx, host.Cmd{Name: "mount", Args: []string{"-p"}}); err == nil {
		cmds = PendingUmounts(cmds, ParseMountP(string(out)), fstabDestinations(j.FstabPath()))
	} else {
		// Blind, umount(8) would follow a symlink the jail left at
		// ROOT/dev or ROOT/proc to the host's own mount.
		cmds = confinedUmounts(j.RootPath(), cmds)
	}
	for _, c := range cmds {
		jr.runCmd(ctx, c)
	}
	return nil
}

// confinedUmounts drops the unmounts of UmountCmds whose target under
// root is not a directory reached without a symlink.
func confinedUmounts(root string, cmds []host.Cmd) []host.Cmd {
	var out []host.Cmd
	for _, c := range cmds {
		target := c.Args[len(c.Args)-1]
		if rel, ok := confine.Rel(root, target); ok {
			if _, err := confine.CheckPath(root, rel, false); err != nil {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// ParseMountP returns the mount points `mount -p` lists.
func ParseMountP(out string) map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			m[unvisPath(f[1])] = true
		}
	}
	return m
}

// unvisPath decodes a path field of fstab or `mount -p` as strunvis(3)
// does; a field strunvis refuses is kept as it is.
func unvisPath(s string) string {
	if d, err := fstab.Unvis(s); err == nil {
		return d
	}
	return s
}

// fstabDestinations are the mount points a jail's fstab lists.
func fstabDestinations(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		if f := strings.Fields(line); len(f) >= 2 {
			out = append(out, unvisPath(f[1]))
		}
	}
	return out
}

// PendingUmounts keeps the unmounts of UmountCmds whose target is still
// mounted: `umount -afF FSTAB` when any of the fstab's mount points is.
func PendingUmounts(cmds []host.Cmd, mounted map[string]bool, fstabDests []string) []host.Cmd {
	var out []host.Cmd
	for _, c := range cmds {
		if c.Args[0] == "-afF" {
			for _, d := range fstabDests {
				if mounted[filepath.Clean(d)] {
					out = append(out, c)
					break
				}
			}
			continue
		}
		if mounted[c.Args[len(c.Args)-1]] {
			out = append(out, c)
		}
	}
	return out
}

// removeRuleset deletes the jail's devfs ruleset when it is one of the
// generated ones. iocage deletes whatever ruleset the jail used, even
// devfs.rules' own (a jail started with devfs_ruleset=4 by an old iocage
// would take ruleset 4 with it); jcage refuses below min_dyn_devfs_ruleset.
func (jr *jailRun) removeRuleset(ctx context.Context, n int) {
	if n == 0 {
		var ok bool
		if n, ok = jr.r.liveRuleset(ctx, jr.j); !ok {
			return
		}
	}
	min, err := strconv.Atoi(jr.get("min_dyn_devfs_ruleset"))
	if err != nil {
		min = 1000
	}
	exists, err := jr.r.devfs.exists(ctx, jr.h.Run, n)
	if err != nil {
		return
	}
	if !exists || n < min {
		jr.warnf("  + Refusing to remove protected devfs_ruleset: %d", n)
		return
	}
	if _, err := jr.runCmd(ctx, DevfsDelsetCmd(n)); err != nil {
		jr.warnf("  + Removing devfs_ruleset: %d FAILED", n)
		return
	}
	jr.r.devfs.forget(n)
	jr.say("  + Removing devfs_ruleset: %d OK", n)
}

// detachJailZFS unmounts the jailed datasets inside the jail, deepest
// first, and takes them back from it.
func (jr *jailRun) detachJailZFS(ctx context.Context) error {
	for _, rel := range strings.Fields(jr.get("jail_zfs_dataset")) {
		ds := jr.r.inv.Tree.PoolDataset(rel)
		children, err := jr.h.ZFS.List(ctx, ds, zfs.ListOptions{Recursive: true})
		if errors.Is(err, zfs.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		mountpoint := ""
		for _, c := range children {
			if c.Name == ds {
				mountpoint = c.Mountpoint
			}
		}
		for i := len(children) - 1; i >= 0; i-- {
			if _, err := jr.runCmd(ctx, JexecCmd(jr.fib(), jr.j.Name, "zfs", "umount", children[i].Name)); err != nil && mountpoint != "none" {
				return fmt.Errorf("%s: %w", jr.uuid(), err)
			}
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "zfs", Args: []string{"unjail", JailName(jr.j.Name), ds}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	}
	return nil
}

// softRestart is `restart -s`: exec_stop and exec_start rerun inside the
// running jail, every process killed in between, the network untouched.
func (h *Host) softRestart(ctx context.Context, r *run, j *Jail) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if !j.Running() {
		return notRunningError(j.Name)
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props.Clone(), out: h.Out, warn: io.Discard, jid: j.JID}
	if jr.out == nil {
		jr.out = io.Discard
	}
	jr.say("Soft restarting %s (%s)", j.Name, j.Name)
	for _, c := range SoftRestartCmds(j, jr.props) {
		// iocage ignores the outcome of each step.
		jr.runCmd(ctx, c)
	}
	return jr.store("last_started", r.now().UTC().Format("2006-01-02 15:04:05"))
}

// SoftRestartCmds are the commands of a soft restart.
func SoftRestartCmds(j *Jail, p *config.Config) []host.Cmd {
	fib, _ := p.Get("exec_fib")
	stop, _ := p.Get("exec_stop")
	start, _ := p.Get("exec_start")
	return []host.Cmd{
		JexecCmd(fib, j.Name, strings.Fields(stop)...),
		{Name: "pkill", Args: []string{"-j", strconv.Itoa(j.JID)}},
		JexecCmd(fib, j.Name, strings.Fields(start)...),
	}
}

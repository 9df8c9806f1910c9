package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/zfs"
)

// op performs one op of a plan.
func (a *applier) op(ctx context.Context, op plan.Op) plan.Answer {
	if ans, ok := a.startOp(ctx, op); ok {
		return ans
	}
	if ans, ok := a.stopOp(ctx, op); ok {
		return ans
	}
	return plan.Answer{Err: fmt.Errorf("%s: no such op: %s", a.jr.uuid(), op)}
}

func errAnswer(err error) plan.Answer { return plan.Answer{Err: err} }

// startOp performs the ops of a start.
func (a *applier) startOp(ctx context.Context, op plan.Op) (plan.Answer, bool) {
	jr, r := a.jr, a.jr.r
	switch o := op.(type) {
	case plan.ReadHostID:
		b, err := os.ReadFile(o.Path)
		return plan.Answer{Out: string(b), Err: err}, true
	case plan.CheckFstab:
		return errAnswer(checkFstab(o.Path)), true
	case plan.ReadJailFile:
		b, err := confine.ReadFile(o.Root, o.Rel)
		return plan.Answer{Out: string(b), Err: err}, true
	case plan.CheckRCConf:
		return errAnswer(checkRCConf(o.Root)), true
	case plan.CheckDir:
		_, err := confine.CheckPath(o.Root, o.Rel, o.Create)
		return errAnswer(err), true
	case plan.ClaimNATPorts:
		return errAnswer(r.claimNATPorts(jr.j, o.Forwards)), true
	case plan.ReleaseNATPorts:
		r.releaseNATPorts(jr.j)
		return plan.Answer{}, true
	case plan.HostNet:
		n, err := r.fibNet(ctx, o.FIB)
		return plan.Answer{Net: n, Err: err}, true
	case plan.PrepareDataset:
		return errAnswer(jr.prepareDataset(ctx, o.Dataset)), true
	case plan.AllocateNAT:
		h1, h2, err := jr.allocateNAT(ctx, o.Prefix)
		return plan.Answer{NAT: [2]string{h1, h2}, Err: err}, true
	case plan.Store:
		return errAnswer(jr.store(o.Key, o.Value)), true
	case plan.ReplaceLocalhost:
		if !jr.hasEtc() {
			return plan.Answer{}, true
		}
		return errAnswer(replaceLocalhost(o.Root, o.Addr)), true
	case plan.PluginManifest:
		ps, err := jr.h.pluginManifest(jr.j, jr.props)
		return plan.Answer{Plugin: ps, Err: err}, true
	case plan.ReserveRuleset:
		n, ok, err := r.devfs.reserve(ctx, jr.h.Run, o.Configured, o.Min)
		return plan.Answer{Number: n, OK: ok, Err: err}, true
	case plan.WriteConf:
		return errAnswer(writeIfChanged(o.Path, o.Text, false)), true
	case plan.LinkDevLog:
		jr.linkDevLog()
		return plan.Answer{}, true
	case plan.WriteJailFile:
		return errAnswer(writeJailFile(o)), true
	case plan.CopyLocaltime:
		return errAnswer(jr.copyLocaltime(o.From)), true
	case plan.NATRules:
		return errAnswer(jr.addNATRules(ctx, o.Iface, o.IP4)), true
	case plan.Executable:
		fi, err := os.Stat(o.Path)
		return plan.Answer{OK: err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0}, true
	}
	return plan.Answer{}, false
}

// stopOp performs the ops of a stop, and those a start and a stop share.
func (a *applier) stopOp(ctx context.Context, op plan.Op) (plan.Answer, bool) {
	jr, r := a.jr, a.jr.r
	switch o := op.(type) {
	case plan.ForgetRuleset:
		r.devfs.forget(o.Number)
	case plan.RemoveFile:
		if err := os.Remove(o.Path); err != nil && !os.IsNotExist(err) {
			return errAnswer(err), true
		}
	case plan.ForceStop:
		sj := *jr.j
		sj.JID = jr.jid
		forced := &stopSpec{force: true, silent: true, jid: jr.jid, ruleset: o.Ruleset}
		return errAnswer(jr.h.stopJail(ctx, r, &sj, forced, jr.warn)), true
	case plan.ListDatasets:
		children, err := jr.h.ZFS.List(ctx, o.Dataset, zfs.ListOptions{Recursive: true})
		ans := plan.Answer{Err: err, OK: !errors.Is(err, zfs.ErrNotFound)}
		for _, c := range children {
			ans.Datasets = append(ans.Datasets, plan.Dataset{Name: c.Name, Mountpoint: c.Mountpoint})
		}
		return ans, true
	case plan.RctlRules:
		rules, ok := r.rctlRules(ctx)
		if !ok {
			return errAnswer(errors.New("no RACCT")), true
		}
		return plan.Answer{Out: rules}, true
	case plan.StripConfExec:
		return errAnswer(stripConfExec(o.Path)), true
	case plan.LiveRuleset:
		n, ok := r.liveRuleset(ctx, jr.j)
		return plan.Answer{Number: n, OK: ok}, true
	case plan.RulesetExists:
		ok, err := r.devfs.exists(ctx, jr.h.Run, o.Number)
		return plan.Answer{OK: ok, Err: err}, true
	default:
		return plan.Answer{}, false
	}
	return plan.Answer{}, true
}

// checkRCConf checks, before sysrc(8) edits rc.conf by its path, that
// etc is a directory reached without a symlink and rc.conf, if there, a
// regular file.
func checkRCConf(root string) error {
	if _, err := confine.CheckPath(root, "etc", false); err != nil {
		return err
	}
	if fi, err := confine.Lstat(root, "etc/rc.conf"); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", confine.Path(root, "etc/rc.conf"))
	}
	return nil
}

// writeJailFile writes a file of the jail's /etc when the jail has an
// /etc of its own (a directory, not a symlink; a root without one is no
// FreeBSD tree, and then nothing is written there), and only when its
// content changed.
func writeJailFile(o plan.WriteJailFile) error {
	if !confine.IsDir(o.Root, path.Dir(o.Rel)) {
		return nil
	}
	data := []byte(o.Data)
	if o.FromHost != "" {
		b, err := os.ReadFile(o.FromHost)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		data = b
	}
	return confine.WriteIfChanged(o.Root, o.Rel, data, 0o644)
}

// stripConfExec removes the exec statements from a jail.conf, so that a
// forced stop's jail -r runs no command of the jail's.
func stripConfExec(confPath string) error {
	b, err := os.ReadFile(confPath)
	if err != nil {
		return nil
	}
	if s := plan.StripExec(string(b)); s != string(b) {
		return atomicfile.Write(confPath, []byte(s), 0o644)
	}
	return nil
}

package jail

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// CloneRequest is `clone SRC [-n NAME|-u UUID] [-c N] [-T] [-N] [PROPS]`.
type CloneRequest struct {
	Source string
	Name   string
	UUID   string
	Count  int
	Thick  bool // -T: a full copy of the root
	NewMAC bool // -N: new MAC addresses
	Props  []string
}

// Clone copies a stopped jail as iocage does: a recursive snapshot of the
// source, its dataset and root cloned (or copied with -T), config.json,
// fstab and /etc/hosts with the source's name replaced.
func (h *Host) Clone(ctx context.Context, inv *inventory.Inventory, req CloneRequest) ([]string, error) {
	ctx, tx, inv, err := h.Begin(ctx, "clone", req.Source, inv)
	if err != nil {
		return nil, err
	}
	defer tx.End()
	src, err := inv.Find(req.Source)
	if err != nil {
		return nil, err
	}
	if src.Err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, src.Err)
	}
	if src.Template {
		return nil, fmt.Errorf("%s is a template, use create -t instead", src.Name)
	}
	if src.Running() {
		return nil, fmt.Errorf("%s is running.\nPlease stop it first!", src.Name)
	}
	plans, err := planCreate(inv, CreateRequest{Name: req.Name, UUID: req.UUID, Count: req.Count, Props: req.Props})
	if err != nil {
		return nil, err
	}
	var made []string
	for _, p := range plans {
		if err := h.cloneOne(ctx, inv, src, req, p); err != nil {
			return made, err
		}
		made = append(made, p.name)
		h.Say("%s successfully cloned!", p.name)
	}
	for _, p := range plans {
		if p.boot {
			if err := h.Lifecycle.Start(ctx, []string{p.name}); err != nil {
				return made, err
			}
		}
	}
	return made, tx.Commit()
}

// cloneOne makes one clone of src within its own transaction: the
// datasets, then config.json, fstab and /etc/hosts renamed.
func (h *Host) cloneOne(ctx context.Context, inv *inventory.Inventory, src *inventory.Jail, req CloneRequest, p createPlan) error {
	t := inv.Tree
	ctx, tx, _, err := h.Begin(ctx, "clone", p.name, nil)
	if err != nil {
		return err
	}
	defer tx.End()
	dstDS := t.Jail(p.name)
	if err := h.cloneDatasets(ctx, tx, t, src, req.Thick, p.name); err != nil {
		return err
	}
	dir := t.Dirs().Jail(p.name)
	cfg, err := clonedConfig(filepath.Join(dir, config.ConfigFile), src.Name, req.NewMAC, p)
	if err != nil {
		return err
	}
	if err := replaceInFile(filepath.Join(dir, "fstab"), src.Name, p.name); err != nil {
		return err
	}
	if err := replaceInRootFile(filepath.Join(dir, "root"), "etc/hosts", src.Name, p.name); err != nil { // confine: host-owned, the dataset's root directory itself
		return err
	}
	if err := config.WriteConfig(filepath.Join(dir, config.ConfigFile), cfg, nil); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	inv.Jails = append(inv.Jails, &inventory.Jail{Name: p.name, Dir: dir, Config: cfg, Props: config.Effective(inv.Defaults, cfg),
		Dataset: zfs.Dataset{Name: dstDS, Mountpoint: dir, Mounted: true}})
	return nil
}

// cloneDatasets snapshots src (recursively, or only its root for a thick
// copy) and makes name's dataset and root from the snapshot, journaled
// so that a failure or a crash leaves neither behind.
func (h *Host) cloneDatasets(ctx context.Context, tx *txn.Tx, t *inventory.Tree, src *inventory.Jail, thick bool, name string) error {
	srcDS, dstDS := t.Jail(src.Name), t.Jail(name)
	snap := layout.SnapName(srcDS, name)
	recursive := !thick
	if thick {
		snap = layout.SnapName(t.JailRoot(src.Name), name)
	}
	if err := tx.WillCreateAll(txn.Created{Dataset: snap, Recursive: recursive}, txn.Created{Dataset: dstDS, Recursive: true}); err != nil {
		return err
	}
	if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, recursive)); err != nil {
		return err
	}
	if thick {
		return h.copyThick(ctx, t, src, snap, name)
	}
	if err := h.ZFS.Clone(ctx, snap, dstDS, zfs.CreateOptions{}); err != nil {
		return err
	}
	return h.ZFS.Clone(ctx, layout.SnapName(t.JailRoot(src.Name), name), t.JailRoot(name), zfs.CreateOptions{})
}

// copyThick makes name's dataset, copies src's root from snap into it,
// and copies src's config.json and fstab beside it.
func (h *Host) copyThick(ctx context.Context, t *inventory.Tree, src *inventory.Jail, snap, name string) error {
	if err := h.ZFS.Create(ctx, t.Jail(name), zfs.CreateOptions{}); err != nil {
		return err
	}
	if err := h.copyDataset(ctx, snap, t.JailRoot(name)); err != nil {
		return err
	}
	for _, f := range []string{config.ConfigFile, "fstab"} {
		b, err := os.ReadFile(filepath.Join(src.Dir, f))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := atomicfile.Write(filepath.Join(t.Dirs().Jail(name), f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// clonedConfig loads the clone's config.json (the source's, copied) with
// the source's name replaced in every string, the new name's
// host_hostuuid, the vnet MAC addresses reset to none with newMAC, and
// the given properties.
func clonedConfig(path, srcName string, newMAC bool, p createPlan) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	for _, k := range cfg.Keys() {
		if v, ok := cfg.Value(k); ok {
			if s, isStr := v.(string); isStr && strings.Contains(s, srcName) {
				cfg.Set(k, strings.ReplaceAll(s, srcName, p.name))
			}
		}
	}
	cfg.Set("host_hostuuid", p.name)
	if newMAC {
		for i := 0; i < 4; i++ {
			cfg.Set(fmt.Sprintf("vnet%d_mac", i), "none")
		}
	}
	for _, kv := range p.props {
		cfg.Set(kv[0], kv[1])
	}
	return cfg, nil
}

// replaceInRootFile rewrites old to new in the file rel under a jail
// root, when it exists, through the confined helper.
func replaceInRootFile(root, rel, old, new string) error {
	b, err := confine.ReadFile(root, rel)
	return replaceIn(b, err, old, new, func(data []byte) error { return confine.WriteFile(root, rel, data, 0o644) })
}

// replaceInFile rewrites old to new in a host-owned text file, when it
// exists.
func replaceInFile(path, old, new string) error {
	b, err := os.ReadFile(path)
	return replaceIn(b, err, old, new, func(data []byte) error { return atomicfile.Write(path, data, 0o644) })
}

// replaceIn writes b with old replaced by new when that changes it; a
// file that was not there (err) is left so.
func replaceIn(b []byte, err error, old, new string, write func([]byte) error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	s := strings.ReplaceAll(string(b), old, new)
	if s == string(b) {
		return nil
	}
	return write([]byte(s))
}

package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// ActiveProp marks the pool jcage (and iocage) use: a ZFS user property on
// the pool's root dataset, active when exactly "yes".
const ActiveProp = "org.freebsd.ioc:active"

// treeProps are set on every dataset of the iocage tree at creation.
var treeProps = map[string]string{"compression": "lz4", "aclmode": "passthrough", "aclinherit": "passthrough"}

// Host is what reading the tree needs from the machine it runs on: ZFS,
// the command runner, where messages go, the caller's identity and the
// pool it is pinned to.
type Host struct {
	ZFS zfs.Manager
	Run host.Runner
	Out io.Writer // informational messages, as iocage prints them
	UID int
	// Pool, when set, is used whatever the active markers say
	// (JCAGE_POOL): hosts that keep several jcage trees, and tests that
	// run side by side, pin their pool instead of racing on the marker.
	Pool string
	// LockDir holds the tree lock (DefaultLockDir when empty).
	LockDir string
	// Now is the clock for snapshot names and fstab comments.
	Now func() time.Time
	// Mounts reads the mount table, so that commands that name what they
	// touch read only that (LoadNarrow).
	Mounts MountReader
}

func (h *Host) Clock() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ErrNotRoot is returned when a change needs root.
var ErrNotRoot = errors.New("not root")

// Tree is an activated iocage tree.
type Tree struct {
	layout.Layout
	Mountpoint string // IOCROOT: where POOL/iocage is mounted
}

// Dirs names the tree's directories below IOCROOT.
func (t *Tree) Dirs() layout.Dirs { return layout.Dirs(t.Mountpoint) }

func (h *Host) Say(format string, a ...any) {
	if h.Out != nil {
		fmt.Fprintf(h.Out, format+"\n", a...)
	}
}

// bootPools are never chosen automatically: appliances keep their OS there.
var bootPools = map[string]bool{"freenas-boot": true, "boot-pool": true}

// poolRoots reads every pool's root dataset with the active marker.
func (h *Host) poolRoots(ctx context.Context) ([]zfs.Pool, map[string]zfs.Dataset, error) {
	pools, err := h.ZFS.Pools(ctx)
	if err != nil {
		return nil, nil, err
	}
	roots := map[string]zfs.Dataset{}
	live := pools[:0]
	for _, p := range pools {
		d, err := h.ZFS.Get(ctx, p.Name, ActiveProp)
		if errors.Is(err, zfs.ErrNotFound) {
			continue // exported or destroyed since zpool list answered
		}
		if err != nil {
			return nil, nil, err
		}
		roots[p.Name] = d
		live = append(live, p)
	}
	return live, roots, nil
}

// Activate marks pool as the one to use and every other pool as not.
func (h *Host) Activate(ctx context.Context, pool string) error {
	if h.UID != 0 {
		return ErrNotRoot
	}
	pools, roots, err := h.poolRoots(ctx)
	if err != nil {
		return err
	}
	var target *zfs.Pool
	for i := range pools {
		if pools[i].Name == pool {
			target = &pools[i]
		}
	}
	if target == nil {
		return fmt.Errorf("ZFS pool '%s' not found!", pool)
	}
	if target.Health != "ONLINE" {
		return errors.New("Please check pool status, it should be ONLINE")
	}
	if !roots[pool].Mounted {
		return fmt.Errorf("ZFS pool '%s' root dataset is locked", pool)
	}
	if err := h.ZFS.SetProps(ctx, pool, map[string]string{ActiveProp: "yes"}); err != nil {
		return err
	}
	for _, p := range pools {
		if p.Name != pool && roots[p.Name].Prop(ActiveProp) != "no" {
			err := h.ZFS.SetProps(ctx, p.Name, map[string]string{ActiveProp: "no"})
			if err != nil && !errors.Is(err, zfs.ErrNotFound) {
				return err
			}
		}
	}
	h.Say("ZFS pool '%s' successfully activated.", pool)
	return nil
}

// FindPool returns the active pool. With autoActivate (every command but
// activate, --rc and help) a host with no active pool has its first pool
// activated, as iocage does on first use.
func (h *Host) FindPool(ctx context.Context, autoActivate bool) (string, error) {
	pools, roots, err := h.poolRoots(ctx)
	if err != nil {
		return "", err
	}
	if len(pools) == 0 {
		return "", errors.New("No zpools found! Please create one before using jcage.")
	}
	var active []string
	for _, p := range pools {
		if roots[p.Name].Mounted && roots[p.Name].Prop(ActiveProp) == "yes" {
			active = append(active, p.Name)
		}
	}
	if len(active) == 0 && h.UID == 0 {
		if legacy := h.legacyPool(ctx, pools, roots); legacy != "" {
			active = append(active, legacy)
		}
	}
	switch {
	case len(active) == 1:
		return active[0], nil
	case len(active) > 1:
		return "", fmt.Errorf("Found %d active pools. You have %d pools marked active for iocage usage.\n Run \"jcage activate ZPOOL\" on the preferred pool.", len(active), len(active))
	}
	if !autoActivate || h.UID != 0 {
		return "", errors.New("No pool is active for jcage. Run \"jcage activate ZPOOL\" as root.")
	}
	for _, p := range pools {
		if bootPools[p.Name] || !roots[p.Name].Mounted {
			continue
		}
		if err := h.ZFS.SetProps(ctx, p.Name, map[string]string{ActiveProp: "yes"}); err != nil {
			return "", err
		}
		h.Say("Setting up zpool [%s] for iocage usage\nIf you wish to change please use \"jcage activate\"", p.Name)
		return p.Name, nil
	}
	return "", errors.New("No usable zpool found! Please create one before using jcage.")
}

// OpenTree checks the iocage tree of pool and, when create is set,
// creates what is missing (which needs root). It reads the tree with one
// bulk call.
func (h *Host) OpenTree(ctx context.Context, pool string, create bool) (*Tree, error) {
	l := layout.Layout{Pool: pool}
	have := map[string]zfs.Dataset{}
	ds, err := h.ZFS.List(ctx, l.Root(), zfs.ListOptions{Depth: 1, Props: []string{"exec"}})
	if err != nil && !errors.Is(err, zfs.ErrNotFound) {
		return nil, err
	}
	for _, d := range ds {
		have[d.Name] = d
	}
	var missing []string
	for _, name := range l.Tree() {
		if _, ok := have[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		if !create {
			return nil, fmt.Errorf("dataset %s is missing", missing[0])
		}
		if h.UID != 0 {
			return nil, errors.New("Run as root to create missing datasets!")
		}
		for _, name := range missing {
			// Plain creates, parents first, as iocage does: a missing pool
			// root fails loudly instead of being conjured with -p.
			if err := h.ZFS.Create(ctx, name, zfs.CreateOptions{Props: treeProps}); err != nil {
				return nil, err
			}
			d, err := h.ZFS.Get(ctx, name, "exec")
			if err != nil {
				return nil, err
			}
			have[name] = d
		}
	}
	for _, name := range l.Tree() {
		d := have[name]
		if d.Mountpoint == "" || d.Mountpoint == "none" || d.Mountpoint == "legacy" || !d.Mounted {
			return nil, fmt.Errorf("Please set a mountpoint on %s", name)
		}
		if d.Prop("exec") == "off" {
			return nil, fmt.Errorf("Dataset \"%s\" has exec=off (should be on)", strings.TrimPrefix(name, pool+"/"))
		}
	}
	return &Tree{Layout: l, Mountpoint: have[l.Root()].Mountpoint}, nil
}

// legacyPool finds a pool marked the old way, with the zpool property
// comment=iocage, and activates it as iocage's get_pool does
// (iocage_lib/pools.py, ioc_common comment_check): org.freebsd.ioc:active
// set to yes and the comment reset to "-". A zpool without the comment
// property (old pool versions) has no legacy marker.
func (h *Host) legacyPool(ctx context.Context, pools []zfs.Pool, roots map[string]zfs.Dataset) string {
	if h.Run == nil {
		return ""
	}
	out, err := h.Run.Run(ctx, argv.ZpoolComments())
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok || value != "iocage" || !roots[name].Mounted {
			continue
		}
		if err := h.ZFS.SetProps(ctx, name, map[string]string{ActiveProp: "yes"}); err != nil {
			return ""
		}
		h.Run.Run(ctx, argv.ZpoolClearComment(name))
		return name
	}
	return ""
}

// Package zfs is jcage's narrow view of ZFS: the few verbs a jail manager
// needs, one bulk read that answers a whole tree in a single call, a real
// implementation on go-zfs/v3 and an in-memory fake that refuses what real
// ZFS refuses. It knows nothing about jails; Layout only names datasets.
package zfs

import (
	"context"
	"errors"
	"io"
	"time"
)

// Dataset types, as zfs(8) spells them.
const (
	Filesystem = "filesystem"
	Snapshot   = "snapshot"
	Volume     = "volume"
)

// Sentinel errors. Implementations wrap them so callers can branch with
// errors.Is while the message keeps zfs's own words.
var (
	ErrNotFound       = errors.New("dataset does not exist")
	ErrExists         = errors.New("dataset already exists")
	ErrNoParent       = errors.New("parent does not exist")
	ErrHasChildren    = errors.New("filesystem has children")
	ErrHasClones      = errors.New("dependent clones exist")
	ErrNewerSnapshots = errors.New("more recent snapshots exist")
	ErrBusy           = errors.New("dataset is busy")
	ErrPoolRoot       = errors.New("operation does not apply to pools")
)

// Dataset is one row of a bulk read.
type Dataset struct {
	Name       string
	Type       string // Filesystem, Snapshot or Volume
	Origin     string // clone origin snapshot, "" when none
	Used       uint64
	Avail      uint64
	Refer      uint64
	Mountpoint string // "" for snapshots, "none" or "legacy" as zfs says
	Mounted    bool
	Creation   time.Time
	// Props holds every extra property asked for, raw as `zfs get -H -p`
	// prints it; unset user properties are "-".
	Props map[string]string
}

// Prop returns a property value, or "-" when absent or unset.
func (d Dataset) Prop(name string) string {
	if v, ok := d.Props[name]; ok && v != "" {
		return v
	}
	return "-"
}

// Pool is one imported pool.
type Pool struct {
	Name   string
	Health string // ONLINE, DEGRADED, ...
}

// ListOptions selects what a bulk read returns.
type ListOptions struct {
	Types     []string // default: filesystems only
	Recursive bool     // all descendants (-r)
	Depth     int      // when > 0: at most this deep (-d), implies descendants
	Props     []string // extra properties to read into Dataset.Props
}

// CreateOptions applies to Create and Clone.
type CreateOptions struct {
	Parents bool              // create missing ancestors (-p)
	Props   map[string]string // -o key=value
}

// DestroyOptions applies to Destroy.
type DestroyOptions struct {
	Recursive bool // -r: children, or the same snapshot in every descendant
	Clones    bool // -R: also clones that depend on what is destroyed
	Force     bool // -f: force unmount
}

// RenameOptions applies to Rename.
type RenameOptions struct {
	Parents bool // -p
	Force   bool // -f: force unmount
}

// ReceiveOptions applies to Receive.
type ReceiveOptions struct {
	Force bool // -F
}

// Manager is every ZFS operation jcage performs. Names are full dataset
// names ("tank/iocage/jails/web"); snapshots are "dataset@snap".
type Manager interface {
	// Pools lists imported pools in zpool order.
	Pools(ctx context.Context) ([]Pool, error)

	// List returns root and, as opts ask, its descendants, in one call.
	// It fails with ErrNotFound when root does not exist. An empty root
	// means every pool, each counted from depth 0: without Depth or
	// Recursive, the pools' root datasets and nothing else.
	List(ctx context.Context, root string, opts ListOptions) ([]Dataset, error)

	// ListNames returns those of the named filesystems that exist, in one
	// call: name, type, origin, mountpoint, mounted and props (no sizes or
	// creation time). A missing name is not an error; it is left out.
	ListNames(ctx context.Context, names []string, props []string) ([]Dataset, error)

	// Get returns one dataset with the standard fields and props.
	Get(ctx context.Context, name string, props ...string) (Dataset, error)

	// Create makes a filesystem. Without Parents it fails with ErrNoParent
	// when the parent is missing and ErrExists when name exists; with
	// Parents an existing name is success, as `zfs create -p` has it.
	Create(ctx context.Context, name string, opts CreateOptions) error

	// SetProps sets properties, in one call.
	SetProps(ctx context.Context, name string, props map[string]string) error

	// Inherit clears a local property (a user property is removed).
	Inherit(ctx context.Context, name, prop string) error

	// Snapshot creates name ("ds@snap"), in every descendant when
	// recursive. An existing snapshot is ErrExists.
	Snapshot(ctx context.Context, name string, recursive bool) error

	// Clone creates target from snapshot snap. Missing parent without
	// Parents is ErrNoParent.
	Clone(ctx context.Context, snap, target string, opts CreateOptions) error

	// Promote reverses the dependency between a clone and its origin.
	Promote(ctx context.Context, name string) error

	// Rename moves a dataset with its descendants and snapshots.
	Rename(ctx context.Context, from, to string, opts RenameOptions) error

	// Destroy fails with ErrHasChildren when a filesystem has children or
	// snapshots and Recursive is not set, and with ErrHasClones when a
	// snapshot to destroy has clones and Clones is not set.
	Destroy(ctx context.Context, name string, opts DestroyOptions) error

	// Rollback returns a dataset to snap. It fails with ErrNewerSnapshots
	// when later snapshots exist and destroyNewer is not set.
	Rollback(ctx context.Context, snap string, destroyNewer bool) error

	// Send writes a full replication stream of snap to w.
	Send(ctx context.Context, snap string, w io.Writer) error

	// Receive creates name from a stream.
	Receive(ctx context.Context, name string, r io.Reader, opts ReceiveOptions) error

	// Mount and Unmount a filesystem.
	Mount(ctx context.Context, name string) error
	Unmount(ctx context.Context, name string, force bool) error
}

package zfs

import (
	"fmt"
	"strings"
	"time"
)

// Layout owns the names of iocage's dataset tree under one pool:
//
//	POOL/iocage/{download,images,jails,log,releases,templates}
//
// Nothing else in jcage concatenates dataset names.
type Layout struct {
	Pool string
}

// RootName is the iocage root dataset below the pool.
const RootName = "iocage"

// TreeDirs are the datasets under Root, in the order iocage creates them.
var TreeDirs = []string{"download", "images", "jails", "log", "releases", "templates"}

// Root is POOL/iocage.
func (l Layout) Root() string { return l.Pool + "/" + RootName }

// Dir is one of the top-level datasets, e.g. Dir("jails").
func (l Layout) Dir(d string) string { return l.Root() + "/" + d }

// Tree lists Root and every TreeDirs dataset, in creation order.
func (l Layout) Tree() []string {
	out := []string{l.Root()}
	for _, d := range TreeDirs {
		out = append(out, l.Dir(d))
	}
	return out
}

// Jails is POOL/iocage/jails.
func (l Layout) Jails() string { return l.Dir("jails") }

// Jail is POOL/iocage/jails/NAME.
func (l Layout) Jail(name string) string { return l.Jails() + "/" + name }

// JailRoot is POOL/iocage/jails/NAME/root.
func (l Layout) JailRoot(name string) string { return l.Jail(name) + "/root" }

// PoolDataset turns a pool-relative name, as jail_zfs_dataset holds it
// ("iocage/jails/NAME/data"), into a full dataset name.
func (l Layout) PoolDataset(rel string) string { return l.Pool + "/" + strings.Trim(rel, "/") }

// JailChild is a dataset below a jail, e.g. JailChild("web", "data").
func (l Layout) JailChild(name, rel string) string {
	if rel == "" {
		return l.Jail(name)
	}
	return l.Jail(name) + "/" + strings.Trim(rel, "/")
}

// JailData is the default jail_zfs dataset, POOL/iocage/jails/NAME/data.
func (l Layout) JailData(name string) string { return l.Jail(name) + "/data" }

// JailsOld is POOL/iocage/jails_old, where migrate moves the legacy
// basejails it converts (iocage_cli/migrate.py).
func (l Layout) JailsOld() string { return l.Dir("jails_old") }

// JailOld is POOL/iocage/jails_old/NAME.
func (l Layout) JailOld(name string) string { return l.JailsOld() + "/" + name }

// Templates is POOL/iocage/templates.
func (l Layout) Templates() string { return l.Dir("templates") }

// Template is POOL/iocage/templates/NAME.
func (l Layout) Template(name string) string { return l.Templates() + "/" + name }

// TemplateRoot is POOL/iocage/templates/NAME/root.
func (l Layout) TemplateRoot(name string) string { return l.Template(name) + "/root" }

// Releases is POOL/iocage/releases.
func (l Layout) Releases() string { return l.Dir("releases") }

// Release is POOL/iocage/releases/REL.
func (l Layout) Release(rel string) string { return l.Releases() + "/" + rel }

// ReleaseRoot is POOL/iocage/releases/REL/root.
func (l Layout) ReleaseRoot(rel string) string { return l.Release(rel) + "/root" }

// Downloads is POOL/iocage/download.
func (l Layout) Downloads() string { return l.Dir("download") }

// Download is POOL/iocage/download/REL.
func (l Layout) Download(rel string) string { return l.Downloads() + "/" + rel }

// Images is POOL/iocage/images.
func (l Layout) Images() string { return l.Dir("images") }

// Log is POOL/iocage/log.
func (l Layout) Log() string { return l.Dir("log") }

// Child reports whether name is parent itself or lies below it. The
// boundary is exact: "jails/foo" never contains "jails/foobar", nor its
// snapshots "jails/foobar@s" (iocage's bare prefix test gets this wrong).
func Child(parent, name string) bool {
	if name == parent {
		return true
	}
	return strings.HasPrefix(name, parent+"/") || strings.HasPrefix(name, parent+"@")
}

// Base returns the last component of a dataset name ("web" for
// "tank/iocage/jails/web"); for a snapshot it is the part after '@'.
func Base(name string) string {
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		return name[i+1:]
	}
	return name[strings.LastIndexByte(name, '/')+1:]
}

// Parent returns the parent dataset ("" for a pool); for a snapshot, the
// dataset it belongs to.
func Parent(name string) string {
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		return name[:i]
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

// PoolOf returns the pool part of a dataset name.
func PoolOf(name string) string {
	if i := strings.IndexAny(name, "/@"); i >= 0 {
		return name[:i]
	}
	return name
}

// SnapName joins a dataset and a snapshot name.
func SnapName(ds, snap string) string { return ds + "@" + snap }

// SplitSnap splits "ds@snap"; ok is false when name is not a snapshot.
func SplitSnap(name string) (ds, snap string, ok bool) {
	i := strings.IndexByte(name, '@')
	if i < 0 {
		return name, "", false
	}
	return name[:i], name[i+1:], true
}

// Snapshot names that jcage invents, as iocage spells them.

// UserSnapName is the default name of `snapshot` without -n: UTC %F_%T.
func UserSnapName(t time.Time) string { return t.UTC().Format("2006-01-02_15:04:05") }

// UpdateSnapName is taken before `update`: ioc_update_REL_<local %Y-%m-%d_%H-%M-%S>.
func UpdateSnapName(release string, t time.Time) string {
	return fmt.Sprintf("ioc_update_%s_%s", release, t.Local().Format("2006-01-02_15-04-05"))
}

// UpgradeSnapName is taken before a base-jail `upgrade`: ioc_upgrade_<UTC %F>.
func UpgradeSnapName(t time.Time) string { return "ioc_upgrade_" + t.UTC().Format("2006-01-02") }

// ExportSnapName is the transient snapshot of `export`: ioc-export-<UTC %F>.
func ExportSnapName(t time.Time) string { return "ioc-export-" + t.UTC().Format("2006-01-02") }

// PluginUpdateSnapName and PluginUpgradeSnapName guard plugin changes.
func PluginUpdateSnapName(t time.Time) string {
	return "ioc_plugin_update_" + t.UTC().Format("2006-01-02")
}

// PluginUpgradeSnapName guards a plugin upgrade.
func PluginUpgradeSnapName(t time.Time) string {
	return "ioc_plugin_upgrade_" + t.UTC().Format("2006-01-02")
}

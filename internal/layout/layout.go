package layout

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Layout owns the names of iocage's dataset tree under one pool:
//
//	POOL/iocage/{download,images,jails,log,releases,templates}
//
// Nothing else in jcage concatenates dataset names. A Layout without a
// Pool names datasets relative to the pool, as jail_zfs_dataset holds
// them ("iocage/jails/NAME/data"); Dirs names the same tree as
// directories.
type Layout struct {
	Pool string
}

// RootName is the iocage root dataset below the pool.
const RootName = "iocage"

// TreeDirs are the datasets under Root, in the order iocage creates them.
var TreeDirs = []string{"download", "images", "jails", "log", "releases", "templates"}

// RootChild is the dataset below a jail, template or release that holds
// its file system, and DataChild the one iocage gives a jail for
// jail_zfs.
const (
	RootChild = "root"
	DataChild = "data"
)

// stagingName is the dataset under download/REL where fetch assembles a
// release: named like no release, below no releases/ dataset, so nothing
// half-made is ever listed or used.
const stagingName = ".staging"

// Root is POOL/iocage (iocage without a Pool).
func (l Layout) Root() string {
	if l.Pool == "" {
		return RootName
	}
	return l.Pool + "/" + RootName
}

// RootOf is DS/root, the file system of the jail, template or release DS.
func RootOf(ds string) string { return ds + "/" + RootChild }

// DataOf is DS/data, the jail_zfs dataset of the jail DS.
func DataOf(ds string) string { return ds + "/" + DataChild }

// RootOwner is RootOf's inverse: DS for DS/root; ok is false for any
// other name.
func RootOwner(name string) (ds string, ok bool) { return strings.CutSuffix(name, "/"+RootChild) }

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
func (l Layout) JailRoot(name string) string { return RootOf(l.Jail(name)) }

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
func (l Layout) JailData(name string) string { return DataOf(l.Jail(name)) }

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
func (l Layout) TemplateRoot(name string) string { return RootOf(l.Template(name)) }

// Releases is POOL/iocage/releases.
func (l Layout) Releases() string { return l.Dir("releases") }

// Release is POOL/iocage/releases/REL.
func (l Layout) Release(rel string) string { return l.Releases() + "/" + rel }

// ReleaseRoot is POOL/iocage/releases/REL/root.
func (l Layout) ReleaseRoot(rel string) string { return RootOf(l.Release(rel)) }

// Downloads is POOL/iocage/download.
func (l Layout) Downloads() string { return l.Dir("download") }

// Download is POOL/iocage/download/REL.
func (l Layout) Download(rel string) string { return l.Downloads() + "/" + rel }

// Staging is POOL/iocage/download/REL/.staging, where fetch builds a
// release; renaming it to Release(REL) makes the release appear in one
// step.
func (l Layout) Staging(rel string) string { return l.Download(rel) + "/" + stagingName }

// Images is POOL/iocage/images.
func (l Layout) Images() string { return l.Dir("images") }

// Log is POOL/iocage/log.
func (l Layout) Log() string { return l.Dir("log") }

// Dirs is the directory where POOL/iocage is mounted (IOCROOT). iocage's
// datasets inherit their mountpoints, so each dataset Layout names has its
// directory at the same place below it; Dirs names those directories.
type Dirs string

func (d Dirs) dir(parts ...string) string {
	return filepath.Join(append([]string{string(d)}, parts...)...)
}

// Jails is IOCROOT/jails.
func (d Dirs) Jails() string { return d.dir("jails") }

// Jail is IOCROOT/jails/NAME.
func (d Dirs) Jail(name string) string { return d.dir("jails", name) }

// Templates is IOCROOT/templates.
func (d Dirs) Templates() string { return d.dir("templates") }

// Template is IOCROOT/templates/NAME.
func (d Dirs) Template(name string) string { return d.dir("templates", name) }

// Release is IOCROOT/releases/REL.
func (d Dirs) Release(rel string) string { return d.dir("releases", rel) }

// ReleaseRoot is IOCROOT/releases/REL/root.
func (d Dirs) ReleaseRoot(rel string) string { return d.dir("releases", rel, RootChild) }

// Download is IOCROOT/download/REL.
func (d Dirs) Download(rel string) string { return d.dir("download", rel) }

// Images is IOCROOT/images.
func (d Dirs) Images() string { return d.dir("images") }

// Log is IOCROOT/log.
func (d Dirs) Log() string { return d.dir("log") }

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

package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// poolRootProps are read on every pool's root dataset: the active
// marker, and exec for a pinned pool's tree checks.
var poolRootProps = []string{ActiveProp, "exec"}

// treeScanProps are read for every dataset of the iocage tree: the tree
// checks and df's columns.
var treeScanProps = []string{"exec", "compressratio", "reservation", "quota"}

// treeDepth reaches POOL/iocage/jails/NAME/root from POOL/iocage.
const treeDepth = 3

// Scan is what the read commands see of ZFS: every pool's root dataset
// and the iocage tree of the pool in use, each read in one call. Nothing
// else on the pools is read: a host whose pools hold thousands of other
// datasets (poudriere, bhyve, home directories) pays nothing for them.
type Scan struct {
	Datasets []zfs.Dataset
	byName   map[string]int
	// treeOf is the pool whose tree has been read ("" for none); a scan
	// built from a narrow read leaves it unread on purpose.
	treeOf string
	full   bool
}

// Get returns a scanned dataset.
func (s *Scan) Get(name string) (zfs.Dataset, bool) {
	i, ok := s.byName[name]
	if !ok {
		return zfs.Dataset{}, false
	}
	return s.Datasets[i], true
}

// Children returns the direct child filesystems of parent, sorted by name.
func (s *Scan) Children(parent string) []zfs.Dataset {
	var out []zfs.Dataset
	for _, d := range s.Datasets {
		if layout.Parent(d.Name) == parent && !strings.Contains(d.Name, "@") {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// newScan indexes ds.
func newScan(ds []zfs.Dataset) *Scan {
	s := &Scan{Datasets: ds, byName: make(map[string]int, len(ds))}
	for i, d := range ds {
		s.byName[d.Name] = i
	}
	return s
}

// Scan reads the pool roots in one call (with a pinned pool, that pool's
// root only), then, when the roots settle which pool is in use (the
// pinned one, or the one marked active), that pool's iocage tree in a
// second. The legacy comment=iocage marker and first-use activation are
// left to openScan, which reads the tree of the pool they choose.
func (h *Host) Scan(ctx context.Context) (*Scan, error) {
	roots, err := h.ZFS.List(ctx, h.Pool, zfs.ListOptions{Props: poolRootProps})
	if err != nil {
		if h.Pool != "" && errors.Is(err, zfs.ErrNotFound) {
			return nil, h.errPinnedPool()
		}
		return nil, err
	}
	s := newScan(roots)
	s.full = true
	pool := h.Pool
	if pool == "" {
		if active := activePools(s); len(active) == 1 {
			pool = active[0]
		}
	}
	if pool != "" {
		if err := h.readTree(ctx, s, pool); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readTree adds pool's iocage tree to a full scan, in one call. A pool
// without a tree adds nothing.
func (h *Host) readTree(ctx context.Context, s *Scan, pool string) error {
	if !s.full || s.treeOf == pool {
		return nil
	}
	ds, err := h.ZFS.List(ctx, layout.Layout{Pool: pool}.Root(), zfs.ListOptions{Depth: treeDepth, Props: treeScanProps})
	if err != nil && !errors.Is(err, zfs.ErrNotFound) {
		return err
	}
	for _, d := range ds {
		if _, dup := s.byName[d.Name]; !dup {
			s.Add(d)
		}
	}
	s.treeOf = pool
	return nil
}

// activePools are the pools whose mounted root is marked active.
func activePools(s *Scan) []string {
	var active []string
	for _, d := range s.Datasets {
		if !strings.Contains(d.Name, "/") && d.Mounted && d.Prop(ActiveProp) == "yes" {
			active = append(active, d.Name)
		}
	}
	return active
}

// Open finds the active pool and its tree from one scan. With create (a
// mutating command, or any command run as root, as iocage does) missing
// datasets are created and a host with no active pool gets its first pool
// activated.
func (h *Host) Open(ctx context.Context, create bool) (*Tree, *Scan, error) {
	s, err := h.Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	return h.openScan(ctx, s, create)
}

func (h *Host) openScan(ctx context.Context, s *Scan, create bool) (*Tree, *Scan, error) {
	var pools []string
	var err error
	for _, d := range s.Datasets {
		if !strings.Contains(d.Name, "/") {
			pools = append(pools, d.Name)
		}
	}
	active := activePools(s)
	var pool string
	switch {
	case h.Pool != "":
		if _, ok := s.Get(h.Pool); !ok {
			return nil, nil, h.errPinnedPool()
		}
		pool = h.Pool
	case len(active) == 1:
		pool = active[0]
	case len(active) > 1:
		return nil, nil, fmt.Errorf("Found %d active pools. You have %d pools marked active for iocage usage.\n Run \"jcage activate ZPOOL\" on the preferred pool.", len(active), len(active))
	case len(pools) == 0:
		return nil, nil, errors.New("No zpools found! Please create one before using jcage.")
	default:
		// The rare first-use path: zpool order decides, as in iocage.
		if pool, err = h.FindPool(ctx, create); err != nil {
			return nil, nil, err
		}
		if err := h.readTree(ctx, s, pool); err != nil {
			return nil, nil, err
		}
	}
	l := layout.Layout{Pool: pool}
	complete := true
	for _, name := range l.Tree() {
		if _, ok := s.Get(name); !ok {
			complete = false
		}
	}
	if !complete {
		if !create {
			return nil, nil, fmt.Errorf("No jcage tree on pool %s yet: run \"jcage activate %s\" as root", pool, pool)
		}
		t, err := h.OpenTree(ctx, pool, true)
		if err != nil {
			return nil, nil, err
		}
		if s, err = h.Scan(ctx); err != nil {
			return nil, nil, err
		}
		return t, s, nil
	}
	for _, name := range l.Tree() {
		d, _ := s.Get(name)
		if err := checkTreeDataset(pool, d); err != nil {
			return nil, nil, err
		}
	}
	root, _ := s.Get(l.Root())
	return &Tree{Layout: l, Mountpoint: root.Mountpoint}, s, nil
}

func checkTreeDataset(pool string, d zfs.Dataset) error {
	if d.Mountpoint == "" || d.Mountpoint == "none" || d.Mountpoint == "legacy" || !d.Mounted {
		return fmt.Errorf("Please set a mountpoint on %s", d.Name)
	}
	if d.Prop("exec") == "off" {
		return fmt.Errorf("Dataset \"%s\" has exec=off (should be on)", strings.TrimPrefix(d.Name, pool+"/"))
	}
	return nil
}

// Jail is one jail or template as read from disk.
type Jail struct {
	Name     string
	Template bool           // lives under templates/
	Dataset  zfs.Dataset    // POOL/iocage/{jails,templates}/NAME
	Root     zfs.Dataset    // its root child ("" Name when missing)
	Dir      string         // the dataset's mountpoint: config.json, fstab, root/
	Config   *config.Config // as stored; nil when Err is set
	Props    *config.Config // effective: defaults overlaid by Config (thin), or Config (thick)
	Err      error          // a config that cannot be loaded: the jail is CORRUPT
	JID      int            // 0 when not running
	JLS      *JLSJail       // the running jail's jls record

	DhcpIP4 string // list -l's IP4 of a running DHCP jail, read by ReadDHCPAddresses
}

// ConfigPath is the jail's config.json.
func (j *Jail) ConfigPath() string { return filepath.Join(j.Dir, "config.json") }

// FstabPath is the jail's fstab.
func (j *Jail) FstabPath() string { return filepath.Join(j.Dir, "fstab") }

// RootPath is the jail's root directory.
func (j *Jail) RootPath() string { return filepath.Join(j.Dir, "root") } // confine: host-owned, the root directory itself

// Running reports whether jls knows the jail.
func (j *Jail) Running() bool { return j.JID != 0 }

// Prop returns an effective property as iocage prints it ("" when unset).
func (j *Jail) Prop(key string) string {
	if j.Props == nil {
		return ""
	}
	v, _ := j.Props.Get(key)
	return v
}

// JailName is the jail(8) name: "ioc-" plus NAME with dots as underscores.
func JailName(name string) string { return "ioc-" + strings.ReplaceAll(name, ".", "_") }

// Inventory is everything the read commands show, from one ZFS call, one
// jls call and file reads.
type Inventory struct {
	Tree     *Tree
	Scan     *Scan
	Defaults *config.Config
	Jails    []*Jail // jails, then templates, each sorted by name
	Releases []string
	// Narrow marks an inventory read by LoadNarrow: it holds only what
	// the command named, not every jail.
	Narrow bool
	// gen is the tree's generation (txn.Store.Generation) when it was
	// read, and reload reads it again the same way: a change that begins
	// after another command changed the tree decides from a fresh read.
	gen    uint64
	reload func(context.Context) (*Inventory, error)
}

// Options select the costlier parts of an inventory.
type Options struct {
	Create bool // create missing datasets and defaults.json (root, mutating)
	State  bool // ask jls which jails run
}

// Load reads the tree, the defaults and every jail's config. With Create,
// as root, it first cleans up after changes whose process died (unless ctx
// runs inside a change, which did).
func (h *Host) Load(ctx context.Context, opts Options) (*Inventory, error) {
	s := h.Txns()
	if opts.Create && h.UID == 0 {
		if err := s.Recover(ctx); err != nil {
			return nil, err
		}
	}
	gen := s.Generation()
	tree, scan, err := h.Open(ctx, opts.Create)
	if err != nil {
		return nil, err
	}
	inv, err := h.fill(ctx, tree, scan, opts)
	if err != nil {
		return nil, err
	}
	inv.gen = gen
	inv.reload = func(ctx context.Context) (*Inventory, error) { return h.Load(ctx, opts) }
	return inv, nil
}

// fill reads the defaults and the config of every jail in the scan.
func (h *Host) fill(ctx context.Context, tree *Tree, scan *Scan, opts Options) (*Inventory, error) {
	inv := &Inventory{Tree: tree, Scan: scan}
	var err error
	if opts.Create && h.UID == 0 {
		if _, err := config.EnsureDefaults(tree.Mountpoint, HostDefaults()); err != nil {
			return nil, err
		}
	}
	inv.Defaults, err = config.LoadDefaults(tree.Mountpoint)
	switch {
	case errors.Is(err, os.ErrNotExist):
		inv.Defaults, err = config.BuiltinDefaults(config.HostConfigVersion(tree.Mountpoint), HostDefaults())
	case errors.Is(err, config.ErrCorrupt):
		if h.Out != nil {
			fmt.Fprintln(h.Out, config.DefaultsCorruptMessage(tree.Mountpoint))
		}
		inv.Defaults, err = config.BuiltinDefaults(config.HostConfigVersion(tree.Mountpoint), HostDefaults())
	}
	if err != nil {
		return nil, err
	}
	for _, dir := range []struct {
		parent   string
		template bool
	}{{tree.Jails(), false}, {tree.Templates(), true}} {
		for _, d := range scan.Children(dir.parent) {
			if !d.Mounted {
				continue // locked (unmounted or no key): skipped, as iocage does
			}
			inv.Jails = append(inv.Jails, inv.loadJail(d, dir.template))
		}
	}
	for _, d := range scan.Children(tree.Releases()) {
		inv.Releases = append(inv.Releases, layout.Base(d.Name))
	}
	if opts.State {
		running, err := h.Running(ctx)
		if err != nil {
			return nil, err
		}
		for _, j := range inv.Jails {
			if r, ok := running[JailName(j.Name)]; ok {
				j.JID, j.JLS = r.JID, r
			}
		}
	}
	return inv, nil
}

func (inv *Inventory) loadJail(d zfs.Dataset, template bool) *Jail {
	j := &Jail{Name: layout.Base(d.Name), Template: template, Dataset: d, Dir: d.Mountpoint}
	j.Root, _ = inv.Scan.Get(layout.RootOf(d.Name))
	c, err := config.Load(j.ConfigPath())
	if errors.Is(err, os.ErrNotExist) {
		if lerr := config.DetectLegacy(j.Dir, nil); lerr != nil {
			err = lerr
		}
	}
	if err != nil {
		j.Err = err
		return j
	}
	j.Config = c
	if c.Thick() {
		j.Props = config.Effective(c)
	} else {
		j.Props = config.Effective(inv.Defaults, c)
	}
	return j
}

// Find resolves a jail argument as iocage does: an exact name, else a
// unique prefix.
func (inv *Inventory) Find(arg string) (*Jail, error) {
	var matches []*Jail
	for _, j := range inv.Jails {
		if j.Name == arg {
			return j, nil
		}
		if strings.HasPrefix(j.Name, arg) {
			matches = append(matches, j)
		}
	}
	switch len(matches) {
	case 0:
		return nil, &NotFoundError{Name: arg}
	case 1:
		return matches[0], nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Multiple jails found for %s:", arg)
	for _, m := range matches {
		fmt.Fprintf(&b, "\n  %s (%s)", m.Name, m.Dir)
	}
	return nil, errors.New(b.String())
}

// NotFoundError is iocage's "jail 'X' not found!".
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("jail '%s' not found!", e.Name) }

// HostDefaults returns the host facts that defaults.json is computed from.
func HostDefaults() defaults.Host {
	return defaults.Host{HostID: defaults.ReadHostID("/etc/hostid")}
}

// JLSJail is one jail as `jls -v --libxo json` reports it.
type JLSJail struct {
	JID      int      `json:"jid"`
	Name     string   `json:"name"`
	Hostname string   `json:"hostname"`
	Path     string   `json:"path"`
	State    string   `json:"state"`
	IPv4     []string `json:"ipv4_addrs"`
	IPv6     []string `json:"ipv6_addrs"`
}

// ParseJLS decodes `jls -v --libxo json`.
func ParseJLS(out []byte) (map[string]*JLSJail, error) {
	var doc struct {
		Info struct {
			Jails []*JLSJail `json:"jail"`
		} `json:"jail-information"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("jls: unexpected output: %w", err)
	}
	m := make(map[string]*JLSJail, len(doc.Info.Jails))
	for _, j := range doc.Info.Jails {
		m[j.Name] = j
	}
	return m, nil
}

// Running asks jls, once, which jails run, keyed by jail(8) name.
func (h *Host) Running(ctx context.Context) (map[string]*JLSJail, error) {
	out, err := h.Run.Run(ctx, argv.JlsAll())
	if err != nil {
		return nil, err
	}
	return ParseJLS(out)
}

// errPinnedPool is the one answer to a pinned pool (JCAGE_POOL) that does
// not exist, whichever read first finds it missing.
func (h *Host) errPinnedPool() error {
	return fmt.Errorf("ZFS pool '%s' not found! (JCAGE_POOL)", h.Pool)
}

// ImagesDir is IOCROOT/images, where exports are written and looked for.
func (inv *Inventory) ImagesDir() string { return inv.Tree.Dirs().Images() }

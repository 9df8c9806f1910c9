package jail

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// CreateRequest is one `create` invocation.
type CreateRequest struct {
	Name          string   // -n; empty means a fresh UUID
	UUID          string   // -u
	Short         bool     // -s: the first 8 characters of the UUID
	Count         int      // -c; 0 or 1 means one jail
	Release       string   // -r
	Template      string   // -t
	Empty         bool     // -e
	Thick         bool     // -T: a full copy instead of a clone
	Basejail      bool     // -b: a thick copy with nullfs base directories
	CloneBasejail bool     // -B: a clone with nullfs base directories
	ThickConfig   bool     // -C: the whole default set in config.json
	Packages      []string // -p
	Proxy         string   // -S: the proxy of -p's package commands
	Props         []string // KEY=VALUE
}

func newUUID4() string {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// createPlan is one jail's validated request.
type createPlan struct {
	name     string
	props    [][2]string
	boot     bool
	template bool
}

// names expands -n/-u/-c into the jail names to create.
func (req CreateRequest) names() ([]string, error) {
	count := req.Count
	if count < 1 {
		count = 1
	}
	if req.UUID != "" {
		if !inventory.UUID4Name.MatchString(strings.ToLower(req.UUID)) {
			return nil, fmt.Errorf("%s is not a valid UUID!", req.UUID)
		}
		if count > 1 {
			return nil, errors.New("Flags --count and --uuid are mutually exclusive!")
		}
		if req.Short {
			return []string{req.UUID[:8]}, nil
		}
		return []string{req.UUID}, nil
	}
	var out []string
	for i := 1; i <= count; i++ {
		switch {
		case req.Name != "" && count > 1:
			out = append(out, req.Name+"_"+strconv.Itoa(i))
		case req.Name != "":
			out = append(out, req.Name)
		case req.Short:
			out = append(out, newUUID4()[:8])
		default:
			out = append(out, newUUID4())
		}
	}
	return out, nil
}

// Wanted returns what a narrow read must show for this request, and
// false when the request needs the whole tree: the latest release, a new
// template (template=yes checks other jails), or a jail that starts.
func (req CreateRequest) Wanted() (inventory.Wanted, bool) {
	var w inventory.Wanted
	if req.Release == "latest" || len(req.Packages) > 0 {
		return w, false
	}
	for _, a := range req.Props {
		k, v, _ := strings.Cut(a, "=")
		if k == "template" || (k == "boot" && config.CheckTruthy(v)) {
			return w, false
		}
	}
	if req.Name != "" {
		names, err := req.names()
		if err != nil {
			return w, false
		}
		for _, n := range names {
			// A name zfs would refuse gets its own message from plan.
			if config.CheckName(n) != nil {
				return w, false
			}
		}
		w.Names = names
	}
	switch {
	case req.Template != "":
		if config.CheckName(req.Template) != nil {
			return w, false
		}
		w.Templates = []string{req.Template}
	case req.Release != "" && !req.Empty:
		w.Releases = []string{req.Release}
	}
	return w, true
}

// Create makes the requested jails. Everything is validated before the
// first change; each jail is made under an undo stack that unwinds on any
// failure or interruption, leaving nothing half-made.
func (h *Host) Create(ctx context.Context, inv *inventory.Inventory, req CreateRequest) ([]string, error) {
	kinds := 0
	for _, set := range []bool{req.Release != "", req.Template != "", req.Empty} {
		if set {
			kinds++
		}
	}
	if kinds == 0 {
		return nil, errors.New("Must supply either --template (-t) or --release (-r)!")
	}
	if kinds > 1 {
		return nil, errors.New("Use only one of --release (-r), --template (-t) and --empty (-e).")
	}
	if req.Basejail && req.CloneBasejail {
		return nil, errors.New("Use only one of -b and -B.")
	}
	ctx, tx, inv, err := h.Begin(ctx, "create", req.Name, inv)
	if err != nil {
		return nil, err
	}
	defer tx.End()
	plans, err := planCreate(inv, req)
	if err != nil {
		return nil, err
	}
	src, err := h.resolveSource(ctx, inv, req)
	if err != nil {
		return nil, err
	}
	var made []string
	for _, p := range plans {
		if err := h.createOne(ctx, inv, req, src, p); err != nil {
			return made, err
		}
		made = append(made, p.name)
		h.Say("%s successfully created!", p.name)
	}
	for _, p := range plans {
		if p.template {
			if err := h.SetTemplate(ctx, inv, p.name, true); err != nil {
				return made, err
			}
			continue
		}
		if len(req.Packages) > 0 {
			if err := h.Packages.InstallPackages(ctx, p.name, req.Packages, req.Proxy); err != nil {
				return made, err
			}
		}
		if p.boot && !req.Empty {
			if err := h.Lifecycle.Start(ctx, []string{p.name}); err != nil {
				return made, err
			}
		}
	}
	return made, tx.Commit()
}

// plan checks every name the request makes and validates its properties,
// before anything changes.
func planCreate(inv *inventory.Inventory, req CreateRequest) ([]createPlan, error) {
	names, err := req.names()
	if err != nil {
		return nil, err
	}
	var plans []createPlan
	for _, n := range names {
		if err := config.CheckName(n); err != nil {
			return nil, err
		}
		if inv.Exists(n) {
			return nil, fmt.Errorf("Jail: %s already exists!", n)
		}
		if err := CheckRootPath(inv.Tree.Dirs().Jail(n)); err != nil {
			return nil, err
		}
		p, err := planProps(inv, n, req)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// planProps validates create's KEY=VALUE arguments, with iocage's forced
// companions (dhcp needs vnet and bpf, bpf needs vnet).
func planProps(inv *inventory.Inventory, name string, req CreateRequest) (createPlan, error) {
	p := createPlan{name: name}
	given := map[string]bool{}
	sc := config.SetContext{Create: true, Name: name, Config: inv.Defaults}
	for _, a := range req.Props {
		k, v, err := config.ParseAssignment(a)
		if err != nil {
			return p, err
		}
		if k == "template" {
			if _, err := config.Validate("boot", v, sc); err != nil {
				return p, err
			}
			p.template = config.CheckTruthy(v)
			continue
		}
		v, err = config.Validate(k, v, sc)
		if err != nil {
			return p, err
		}
		given[k] = true
		p.props = append(p.props, [2]string{k, v})
		if k == "boot" {
			p.boot = v == "1"
		}
	}
	need := func(k string) {
		if !given[k] {
			p.props = append(p.props, [2]string{k, "1"})
			given[k] = true
		}
	}
	for _, kv := range p.props {
		switch {
		case kv[0] == "dhcp" && kv[1] == "1", kv[0] == "ip4_addr" && strings.Contains(strings.ToUpper(kv[1]), "DHCP"):
			need("vnet")
			need("bpf")
		case kv[0] == "bpf" && kv[1] == "1", kv[0] == "ip6_addr" && strings.Contains(kv[1], "accept_rtadv"):
			need("vnet")
		}
	}
	return p, nil
}

// source is what a new jail is made from.
type source struct {
	release  string // dataset name under releases/ (cloned_release)
	userland string // USERLAND_VERSION of the source root (release)
	template string
	root     string // source root dataset
	rootDir  string // its directory
	parent   string // templates/T, for the recursive snapshot
}

func (h *Host) resolveSource(ctx context.Context, inv *inventory.Inventory, req CreateRequest) (*source, error) {
	t := inv.Tree
	switch {
	case req.Empty:
		return &source{release: "EMPTY", userland: "EMPTY"}, nil
	case req.Template != "":
		var tj *inventory.Jail
		for _, j := range inv.Jails {
			if j.Template && j.Name == req.Template {
				tj = j
			}
		}
		if tj == nil {
			return nil, fmt.Errorf("Template: %s not found!", req.Template)
		}
		if tj.Err != nil {
			return nil, fmt.Errorf("%s: %w", tj.Name, tj.Err)
		}
		return &source{release: tj.Prop("cloned_release"), userland: tj.Prop("release"), template: tj.Name,
			root: t.TemplateRoot(tj.Name), rootDir: tj.RootPath(), parent: t.Template(tj.Name)}, nil
	}
	rel := req.Release
	if strings.Contains(rel, "=") {
		return nil, fmt.Errorf("Please supply a valid release, not %s", rel)
	}
	if rel == "latest" {
		if len(inv.Releases) == 0 {
			return nil, errors.New("No releases fetched; fetch one with jcage fetch -r RELEASE")
		}
		rel = inv.SortedReleases()[len(inv.Releases)-1]
	}
	have := func(r string) bool {
		_, ok := inv.Scan.Get(t.ReleaseRoot(r))
		return ok
	}
	if have(strings.ToUpper(rel)) {
		rel = strings.ToUpper(rel)
	}
	if !have(rel) {
		if err := h.Fetcher.Fetch(ctx, rel); err != nil {
			return nil, err
		}
		if d, err := h.ZFS.Get(ctx, t.ReleaseRoot(rel)); err != nil {
			return nil, err
		} else {
			inv.Scan.Add(d)
		}
	}
	d, _ := inv.Scan.Get(t.ReleaseRoot(rel))
	src := &source{release: rel, root: d.Name, rootDir: d.Mountpoint}
	src.userland = inventory.UserlandVersion(src.rootDir)
	if src.userland == "" {
		src.userland = rel
	}
	return src, nil
}

func (h *Host) createOne(ctx context.Context, inv *inventory.Inventory, req CreateRequest, src *source, p createPlan) error {
	ctx, tx, _, err := h.Begin(ctx, "create", p.name, nil)
	if err != nil {
		return err
	}
	defer tx.End()
	return h.createIn(ctx, tx, inv, req, src, p, nil)
}

// takenSnapshot is the first step of a thin create from a release, run
// ahead by CreateSpeculative: journaled, and tried with this outcome.
type takenSnapshot struct {
	err error
}

// createIn makes one jail within tx; taken, when set, says its snapshot
// step has run already.
func (h *Host) createIn(ctx context.Context, tx *txn.Tx, inv *inventory.Inventory, req CreateRequest, src *source, p createPlan, taken *takenSnapshot) error {
	t := inv.Tree
	jailDS, rootDS := t.Jail(p.name), t.JailRoot(p.name)
	thick := req.Thick || req.Basejail
	if req.Empty {
		if err := tx.WillCreate(jailDS, true); err != nil {
			return err
		}
		if err := h.ZFS.Create(ctx, rootDS, zfs.CreateOptions{Parents: true}); err != nil {
			return err
		}
	} else if err := h.createRoot(ctx, tx, t, src, p.name, thick, taken); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := t.Dirs().Jail(p.name)
	cfg := newJailConfig(inv, req, src, p, thick)
	if err := h.writeNewJail(inv, req, src, p.name, dir, cfg); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	inv.Jails = append(inv.Jails, &inventory.Jail{Name: p.name, Dir: dir, Config: cfg, Props: config.Effective(inv.Defaults, cfg),
		Dataset: zfs.Dataset{Name: jailDS, Mountpoint: dir, Mounted: true}, Root: zfs.Dataset{Name: rootDS, Origin: layout.SnapName(src.root, p.name)}})
	return nil
}

// createRoot makes name's root from src: a snapshot of the source, then
// a clone of it, or a copy for a thick jail. The journal's records undo
// both.
func (h *Host) createRoot(ctx context.Context, tx *txn.Tx, t *inventory.Tree, src *source, name string, thick bool, taken *takenSnapshot) error {
	jailDS, rootDS := t.Jail(name), t.JailRoot(name)
	snap, recursive, err := h.snapshotSource(ctx, tx, src, jailDS, name, thick, taken)
	if err != nil {
		return err
	}
	if taken != nil {
		// The name was known to be free only after the snapshot.
		if err := tx.WillCreate(jailDS, true); err != nil {
			return err
		}
	}
	rootSnap := layout.SnapName(src.root, name)
	if !thick {
		return h.ZFS.Clone(ctx, rootSnap, rootDS, zfs.CreateOptions{Parents: true})
	}
	if err := h.ZFS.Create(ctx, jailDS, zfs.CreateOptions{Parents: true}); err != nil {
		return err
	}
	if err := h.copyDataset(ctx, rootSnap, rootDS); err != nil {
		return fmt.Errorf("Can't create thick jail from %s: %w", src.root, err)
	}
	// The copy stands alone: neither snapshot is needed any more.
	if err := h.ZFS.Destroy(ctx, layout.SnapName(rootDS, name), zfs.DestroyOptions{}); err != nil && !errors.Is(err, zfs.ErrNotFound) {
		return err
	}
	return h.ZFS.Destroy(ctx, snap, zfs.DestroyOptions{Recursive: recursive})
}

// snapshotSource takes the snapshot name is made from (the release or
// template root; a whole template, recursively, for a thin jail from
// one), journaled and undone on failure, unless taken says it was taken
// already.
func (h *Host) snapshotSource(ctx context.Context, tx *txn.Tx, src *source, jailDS, name string, thick bool, taken *takenSnapshot) (snap string, recursive bool, err error) {
	snap = layout.SnapName(src.root, name)
	if src.parent != "" && !thick {
		// From a template: the whole template, as iocage snapshots it.
		snap, recursive = layout.SnapName(src.parent, name), true
	}
	var serr error
	if taken != nil {
		serr = taken.err
	} else {
		if err := tx.WillCreateAll(txn.Created{Dataset: snap, Recursive: recursive}, txn.Created{Dataset: jailDS, Recursive: true}); err != nil {
			return "", false, err
		}
		serr = tx.Made(snap, h.ZFS.Snapshot(ctx, snap, recursive))
	}
	if serr != nil {
		if errors.Is(serr, zfs.ErrExists) {
			return "", false, fmt.Errorf("Snapshot: %s exists!\nPlease manually run zfs destroy %s if you wish to destroy it.", snap, snap)
		}
		return "", false, serr
	}
	return snap, recursive, nil
}

// writeNewJail writes the new jail's config.json and fstab and, unless
// it is empty, its /etc/hosts and rc.conf; a basejail gets its mounts.
func (h *Host) writeNewJail(inv *inventory.Inventory, req CreateRequest, src *source, name, dir string, cfg *config.Config) error {
	root := filepath.Join(dir, "root") // confine: host-owned, the dataset's root directory itself
	// The new jail's files go in together: each is a few round trips to
	// ZFS, and nothing reads them before the jail is committed. None is
	// synced, config.json included: the dataset is a moment old and the
	// change unwinds whole if the process dies, and ZFS orders each
	// temp-file rename after its data, so a power cut leaves the file
	// whole or absent, never torn. Absent (a cut within ZFS's few-second
	// commit interval) the jail lists as CORRUPTED and destroy removes
	// it; iocage writes these files unsynced too.
	writes := []func() error{func() error {
		return atomicfile.WriteNoSync(filepath.Join(dir, config.ConfigFile), cfg.Marshal(), 0o644)
	}}
	if req.Basejail || req.CloneBasejail {
		if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
			return err
		}
		if err := h.makeBasejail(inv, src, name, root); err != nil {
			return err
		}
	} else {
		writes = append(writes, func() error { return os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644) })
	}
	if !req.Empty {
		mountpoint := inv.Tree.Mountpoint
		writes = append(writes, func() error { return writeHosts(root, name, cfg) },
			func() error {
				if err := writeRCConf(mountpoint, root); err != nil {
					return err
				}
				// ip6_addr asking for router advertisements turns rtsold on.
				if ip6, _ := cfg.Get("ip6_addr"); strings.Contains(ip6, "accept_rtadv") {
					return SetRCConfVar(root, "rtsold_enable", "YES")
				}
				return nil
			})
	}
	return concurrently(writes...)
}

// copyDataset streams snap into a new dataset target (zfs send | zfs recv).
func (h *Host) copyDataset(ctx context.Context, snap, target string) error {
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := h.ZFS.Send(ctx, snap, pw)
		pw.CloseWithError(err)
		errc <- err
	}()
	rerr := h.ZFS.Receive(ctx, target, pr, zfs.ReceiveOptions{Force: true})
	pr.CloseWithError(rerr)
	serr := <-errc
	if serr != nil {
		return serr
	}
	return rerr
}

// newJailConfig builds config.json as iocage writes it: a thin config
// holds only what differs from the defaults; -C copies the whole set.
func newJailConfig(inv *inventory.Inventory, req CreateRequest, src *source, p createPlan, thick bool) *config.Config {
	c := config.NewConfig()
	if req.ThickConfig {
		c = config.Effective(inv.Defaults)
		c.Set("CONFIG_TYPE", "THICK")
	}
	c.Set("host_hostuuid", p.name)
	c.Set("host_hostname", strings.ReplaceAll(p.name, "_", "-"))
	c.Set("release", src.userland)
	if !thick {
		c.Set("cloned_release", src.release)
	}
	c.Set("jail_zfs_dataset", layout.Layout{}.JailData(p.name))
	if src.template != "" {
		c.Set("source_template", src.template)
	}
	if req.Basejail || req.CloneBasejail {
		c.Set("basejail", "1")
	}
	mp, _ := inv.Defaults.Get("mac_prefix")
	if !defaults.ValidMACPrefix(mp) {
		if fixed, err := defaults.RandomMACPrefix(); err == nil {
			c.Set("mac_prefix", fixed)
		}
	}
	for _, kv := range p.props {
		c.Set(kv[0], kv[1])
	}
	return c
}

// shortName is the host part /etc/hosts gets: the name, or for a dotted
// name its second-to-last component, as iocage does.
func shortName(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) > 1 {
		return parts[len(parts)-2]
	}
	return name
}

// writeHosts appends the jail's names to its /etc/hosts.
func writeHosts(root, name string, cfg *config.Config) error {
	b, err := confine.ReadFile(root, "etc/hosts")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	short := shortName(name)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "127.0.0.1") {
			lines[i] = l + " " + short
		}
	}
	if ip4, ok := cfg.Get("ip4_addr"); ok && ip4 != "none" && !strings.Contains(strings.ToUpper(ip4), "DHCP") {
		for _, e := range strings.Split(ip4, ",") {
			if i := strings.IndexByte(e, '|'); i >= 0 {
				e = e[i+1:]
			}
			e, _, _ = strings.Cut(e, "/")
			line := e + "\t" + name
			if short != name {
				line += "\t" + short
			}
			lines = append(lines, line)
		}
	}
	// The root is a clone made a moment ago that the create unwinds whole.
	return confine.WriteFileUnsynced(root, "etc/hosts", []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// writeRCConf copies IOCROOT/default_rc.conf (created from the embedded
// default when missing) into a jail that has no rc.conf.
func writeRCConf(iocroot, root string) error {
	def := filepath.Join(iocroot, "default_rc.conf")
	b, err := os.ReadFile(def)
	if errors.Is(err, os.ErrNotExist) {
		b = defaults.RCConf
		if err := atomicfile.Write(def, b, 0o644); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if _, err := confine.Lstat(root, "etc/rc.conf"); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return confine.WriteFileUnsynced(root, "etc/rc.conf", b, 0o644)
}

// concurrently runs fns at the same time and returns their errors joined.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

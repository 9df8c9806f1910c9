package zfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	gozfs "github.com/mistifyio/go-zfs/v3"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
)

// GoZFS is the real Manager. Mutations go through go-zfs/v3; bulk reads
// and the few verbs go-zfs lacks (create -p, clone -p, rename -f,
// receive -F, pools) run zfs/zpool through the host runner, so that a
// read of the whole tree is one process.
type GoZFS struct {
	Run host.Runner
}

var _ Manager = (*GoZFS)(nil)

// NewGoZFS returns the real Manager using run for direct zfs calls.
func NewGoZFS(run host.Runner) *GoZFS { return &GoZFS{Run: run} }

// listColumns are read for every dataset by List and Get, in this order.
var listColumns = []string{"name", "type", "origin", "used", "available", "referenced", "mountpoint", "mounted", "creation"}

func (g *GoZFS) zfs(ctx context.Context, args ...string) ([]byte, error) {
	if args[0] != "list" && args[0] != "get" {
		// A change is never killed halfway: ZFS would finish it anyway,
		// after the caller had already unwound. The caller looks at ctx
		// once the command is done.
		ctx = context.WithoutCancel(ctx)
	}
	out, err := g.Run.Run(ctx, host.Cmd{Name: "zfs", Args: args})
	return out, classify(err)
}

// classify wraps zfs's own messages with the package sentinels.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var msg string
	var re *host.RunError
	var ge *gozfs.Error
	switch {
	case errors.As(err, &re):
		msg = re.Stderr
	case errors.As(err, &ge):
		msg = ge.Stderr
	default:
		return err
	}
	line := firstLine(msg)
	if line == "" {
		line = err.Error()
	}
	for _, m := range []struct {
		text string
		err  error
	}{
		{"dataset does not exist", ErrNotFound},
		{"could not find any snapshots", ErrNotFound},
		{"no such pool", ErrNotFound},
		{"dataset already exists", ErrExists},
		{"destination '", ErrExists},
		{"parent does not exist", ErrNoParent},
		{"has children", ErrHasChildren},
		{"dependent clones", ErrHasClones},
		{"more recent snapshots", ErrNewerSnapshots},
		{"is busy", ErrBusy},
		{"does not apply to pools", ErrPoolRoot},
	} {
		if strings.Contains(msg, m.text) {
			return &zfsError{line: line, sentinel: m.err, cause: err}
		}
	}
	return &zfsError{line: line, cause: err}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// zfsError reports zfs's own first line and unwraps to both the sentinel
// and the run error carrying argv and stderr.
type zfsError struct {
	line     string
	sentinel error
	cause    error
}

func (e *zfsError) Error() string { return e.line }
func (e *zfsError) Unwrap() []error {
	if e.sentinel == nil {
		return []error{e.cause}
	}
	return []error{e.sentinel, e.cause}
}

// Pools implements Manager.
func (g *GoZFS) Pools(ctx context.Context) ([]Pool, error) {
	out, err := g.Run.Run(ctx, host.Cmd{Name: "zpool", Args: []string{"list", "-H", "-o", "name,health"}})
	if err != nil {
		return nil, classify(err)
	}
	var pools []Pool
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 2 {
			pools = append(pools, Pool{Name: f[0], Health: f[1]})
		}
	}
	return pools, nil
}

// ListArgs builds the argv of the bulk read.
func ListArgs(root string, opts ListOptions) []string {
	cols := append(append([]string{}, listColumns...), opts.Props...)
	args := []string{"list", "-H", "-p", "-o", strings.Join(cols, ",")}
	switch {
	case opts.Depth > 0:
		args = append(args, "-d", strconv.Itoa(opts.Depth))
	case opts.Recursive:
		args = append(args, "-r")
	case root == "":
		// Without an operand zfs list walks every dataset of every
		// pool; the pool roots alone are depth 0.
		args = append(args, "-d", "0")
	}
	types := opts.Types
	if len(types) == 0 {
		types = []string{Filesystem}
	}
	args = append(args, "-t", strings.Join(types, ","))
	if root != "" {
		args = append(args, root)
	}
	return args
}

// ParseList parses `zfs list -H -p -o listColumns+props` output.
func ParseList(out []byte, props []string) ([]Dataset, error) {
	var res []Dataset
	want := len(listColumns) + len(props)
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != want {
			return nil, fmt.Errorf("zfs list: unexpected line %q (%d fields, want %d)", line, len(f), want)
		}
		d := Dataset{Name: f[0], Type: f[1], Mountpoint: f[6], Mounted: f[7] == "yes"}
		if f[2] != "-" {
			d.Origin = f[2]
		}
		if d.Mountpoint == "-" {
			d.Mountpoint = ""
		}
		d.Used, _ = strconv.ParseUint(f[3], 10, 64)
		d.Avail, _ = strconv.ParseUint(f[4], 10, 64)
		d.Refer, _ = strconv.ParseUint(f[5], 10, 64)
		if sec, err := strconv.ParseInt(f[8], 10, 64); err == nil {
			d.Creation = time.Unix(sec, 0)
		}
		d.Props = propsFrom(props, f[len(listColumns):])
		res = append(res, d)
	}
	return res, nil
}

// List implements Manager with a single `zfs list` process.
func (g *GoZFS) List(ctx context.Context, root string, opts ListOptions) ([]Dataset, error) {
	out, err := g.zfs(ctx, ListArgs(root, opts)...)
	if err != nil {
		return nil, err
	}
	return ParseList(out, opts.Props)
}

// ListNames implements Manager with one `zfs list` of the names, which
// prints the ones that exist and complains about the rest.
func (g *GoZFS) ListNames(ctx context.Context, names []string, props []string) ([]Dataset, error) {
	if len(names) == 0 {
		return nil, nil
	}
	// Without -p and the size columns: nothing here needs them, and
	// they are what makes a list costly on some ZFS ports.
	cols := append(append([]string{}, nameColumns...), props...)
	args := append([]string{"list", "-H", "-o", strings.Join(cols, ","), "-t", "filesystem"}, names...)
	out, err := g.Run.Run(ctx, host.Cmd{Name: "zfs", Args: args})
	if err != nil {
		var re *host.RunError
		if !errors.As(err, &re) || re.ExitCode != 1 || !onlyMissing(re.Stderr) {
			return nil, classify(err)
		}
	}
	var res []Dataset
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != len(cols) {
			return nil, fmt.Errorf("zfs list: unexpected line %q (%d fields, want %d)", line, len(f), len(cols))
		}
		d := Dataset{Name: f[0], Type: f[1], Mountpoint: f[3], Mounted: f[4] == "yes"}
		if f[2] != "-" {
			d.Origin = f[2]
		}
		if d.Mountpoint == "-" {
			d.Mountpoint = ""
		}
		d.Props = propsFrom(props, f[len(nameColumns):])
		res = append(res, d)
	}
	return res, nil
}

// propsFrom pairs the requested props with their columns (nil for none).
func propsFrom(props, values []string) map[string]string {
	if len(props) == 0 {
		return nil
	}
	m := make(map[string]string, len(props))
	for i, p := range props {
		m[p] = values[i]
	}
	return m
}

// nameColumns are what ListNames reads besides props.
var nameColumns = []string{"name", "type", "origin", "mountpoint", "mounted"}

// onlyMissing reports whether every line of a zfs complaint is
// "cannot open 'X': dataset does not exist".
func onlyMissing(stderr string) bool {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "cannot open '") || !strings.HasSuffix(l, "dataset does not exist") {
			return false
		}
	}
	return len(lines) > 0
}

// Get implements Manager.
func (g *GoZFS) Get(ctx context.Context, name string, props ...string) (Dataset, error) {
	types := []string{Filesystem, Volume}
	if strings.Contains(name, "@") {
		types = []string{Snapshot}
	}
	ds, err := g.List(ctx, name, ListOptions{Types: types, Props: props})
	if err != nil {
		return Dataset{}, err
	}
	if len(ds) != 1 {
		return Dataset{}, fmt.Errorf("cannot open '%s': %w", name, ErrNotFound)
	}
	return ds[0], nil
}

// ds names a dataset for go-zfs without the extra `zfs list` that
// gozfs.GetDataset would cost; go-zfs checks Type before snapshot verbs.
func ds(name string) *gozfs.Dataset {
	if strings.Contains(name, "@") {
		return &gozfs.Dataset{Name: name, Type: gozfs.DatasetSnapshot}
	}
	return &gozfs.Dataset{Name: name, Type: gozfs.DatasetFilesystem}
}

func propArgs(props map[string]string) []string {
	var args []string
	for _, k := range sortedKeys(props) {
		args = append(args, "-o", k+"="+props[k])
	}
	return args
}

// Create implements Manager. It runs zfs directly: go-zfs has no -p and
// follows every create with a `zfs list` that a thin create can't afford.
func (g *GoZFS) Create(ctx context.Context, name string, opts CreateOptions) error {
	args := []string{"create"}
	if opts.Parents {
		args = append(args, "-p")
	}
	_, err := g.zfs(ctx, append(append(args, propArgs(opts.Props)...), name)...)
	return err
}

// SetProps implements Manager.
func (g *GoZFS) SetProps(ctx context.Context, name string, props map[string]string) error {
	if len(props) == 0 {
		return nil
	}
	if len(props) == 1 {
		for k, v := range props {
			return classify(ds(name).SetProperty(k, v))
		}
	}
	args := []string{"set"}
	for _, k := range sortedKeys(props) {
		args = append(args, k+"="+props[k])
	}
	_, err := g.zfs(ctx, append(args, name)...)
	return err
}

// Inherit implements Manager.
func (g *GoZFS) Inherit(ctx context.Context, name, prop string) error {
	_, err := g.zfs(ctx, "inherit", prop, name)
	return err
}

// Snapshot implements Manager (directly, for the same reason as Create).
func (g *GoZFS) Snapshot(ctx context.Context, name string, recursive bool) error {
	if _, _, ok := layout.SplitSnap(name); !ok {
		return fmt.Errorf("cannot create snapshot '%s': invalid snapshot name", name)
	}
	args := []string{"snapshot"}
	if recursive {
		args = append(args, "-r")
	}
	_, err := g.zfs(ctx, append(args, name)...)
	return err
}

// Clone implements Manager. go-zfs always passes -p, which would hide a
// missing parent, so clone runs zfs directly.
func (g *GoZFS) Clone(ctx context.Context, snap, target string, opts CreateOptions) error {
	args := []string{"clone"}
	if opts.Parents {
		args = append(args, "-p")
	}
	_, err := g.zfs(ctx, append(append(args, propArgs(opts.Props)...), snap, target)...)
	return err
}

// Promote implements Manager.
func (g *GoZFS) Promote(ctx context.Context, name string) error {
	_, err := g.zfs(ctx, "promote", name)
	return err
}

// Rename implements Manager.
func (g *GoZFS) Rename(ctx context.Context, from, to string, opts RenameOptions) error {
	// Run directly: go-zfs follows a rename with a `zfs list` of every
	// property of the new name, which nothing here reads.
	args := []string{"rename"}
	if opts.Force {
		args = append(args, "-f")
	}
	if opts.Parents {
		args = append(args, "-p")
	}
	_, err := g.zfs(ctx, append(args, from, to)...)
	return err
}

// Destroy implements Manager.
func (g *GoZFS) Destroy(ctx context.Context, name string, opts DestroyOptions) error {
	flags := gozfs.DestroyDefault
	if opts.Recursive {
		flags |= gozfs.DestroyRecursive
	}
	if opts.Clones {
		flags |= gozfs.DestroyRecursiveClones
	}
	if opts.Force {
		flags |= gozfs.DestroyForceUmount
	}
	return classify(ds(name).Destroy(flags))
}

// Rollback implements Manager.
func (g *GoZFS) Rollback(ctx context.Context, snap string, destroyNewer bool) error {
	if !strings.Contains(snap, "@") {
		return fmt.Errorf("cannot rollback '%s': not a snapshot", snap)
	}
	return classify(ds(snap).Rollback(destroyNewer))
}

// Send implements Manager.
func (g *GoZFS) Send(ctx context.Context, snap string, w io.Writer) error {
	_, err := g.Run.Run(ctx, host.Cmd{Name: "zfs", Args: []string{"send", snap}, Stdout: w})
	return classify(err)
}

// Receive implements Manager.
func (g *GoZFS) Receive(ctx context.Context, name string, r io.Reader, opts ReceiveOptions) error {
	args := []string{"receive"}
	if opts.Force {
		args = append(args, "-F")
	}
	_, err := g.Run.Run(ctx, host.Cmd{Name: "zfs", Args: append(args, name), Stdin: r, Stdout: io.Discard})
	return classify(err)
}

// Mount implements Manager.
func (g *GoZFS) Mount(ctx context.Context, name string) error {
	_, err := ds(name).Mount(false, nil)
	return classify(err)
}

// Unmount implements Manager.
func (g *GoZFS) Unmount(ctx context.Context, name string, force bool) error {
	_, err := ds(name).Unmount(force)
	return classify(err)
}

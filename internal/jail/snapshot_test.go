package jail

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

func TestValidateSnapName(t *testing.T) {
	for _, ok := range []string{"install", "2023-11-23_11:45:10", "ioc_update_13.2-RELEASE-p4_2023-11-23_11-45-10", "a.b", "ALL", "-x"} {
		if err := ValidateSnapName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a@b", "a/b", "../x", "bad name", "tab\tname", "semi;colon", "ünï", "a%b"} {
		if err := ValidateSnapName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// listStub answers List with fixed rows and counts the calls.
type listStub struct {
	zfs.Manager
	rows  []zfs.Dataset
	roots []string
}

func (s *listStub) List(ctx context.Context, root string, opts zfs.ListOptions) ([]zfs.Dataset, error) {
	s.roots = append(s.roots, root)
	var out []zfs.Dataset
	for _, d := range s.rows {
		if layout.Child(root, d.Name) {
			out = append(out, d)
		}
	}
	return out, nil
}

func snapDS(name string, created time.Time, refer, used uint64) zfs.Dataset {
	return zfs.Dataset{Name: name, Type: zfs.Snapshot, Creation: created, Refer: refer, Used: used}
}

func stubInventory(names ...string) *inventory.Inventory {
	inv := &inventory.Inventory{Tree: &inventory.Tree{Layout: layout.Layout{Pool: "tank"}}, Scan: &inventory.Scan{}}
	for _, n := range names {
		inv.Jails = append(inv.Jails, &inventory.Jail{Name: n, Template: strings.HasPrefix(n, "t-")})
	}
	return inv
}

// SnapRows reads the reference's sample with one zfs call: a snapshot
// and its root twin, nothing for the data child or for a snapshot
// without a twin; raw values (Unix seconds, bytes) for the table to show.
func TestSnapRowsOfIocageSample(t *testing.T) {
	when := time.Date(2019, 7, 4, 23, 39, 0, 0, time.Local)
	stub := &listStub{rows: []zfs.Dataset{
		snapDS("tank/iocage/jails/web@ioc_update_11.2-RELEASE-p2", when, 143360, 83354),
		snapDS("tank/iocage/jails/web@lonely", when, 1, 1),
		snapDS("tank/iocage/jails/web/data@ioc_update_11.2-RELEASE-p2", when, 1, 1),
		snapDS("tank/iocage/jails/web/root@ioc_update_11.2-RELEASE-p2", when, 1417339208, 10066330),
	}}
	h := &Host{Host: &inventory.Host{ZFS: stub, LockDir: t.TempDir()}}
	inv := stubInventory("web")
	sec := strconv.FormatInt(when.Unix(), 10)
	rows, err := h.SnapRows(context.Background(), inv, inv.Jails, false, false)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"ioc_update_11.2-RELEASE-p2", sec, "143360", "83354"},
		{"ioc_update_11.2-RELEASE-p2/root", sec, "1417339208", "10066330"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %q, want %q", rows, want)
	}
	if len(stub.roots) != 1 || stub.roots[0] != "tank/iocage/jails/web" {
		t.Fatalf("zfs list calls: %v", stub.roots)
	}
	rows, _ = h.SnapRows(context.Background(), inv, inv.Jails, true, false)
	want[0][0], want[1][0] = "tank/iocage/jails/web@ioc_update_11.2-RELEASE-p2", "tank/iocage/jails/web/root@ioc_update_11.2-RELEASE-p2"
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("long rows %q, want %q", rows, want)
	}
}

// snaplist ALL reads every jail and template with one call and leads
// each row with the jail's name.
func TestSnapRowsAll(t *testing.T) {
	t0 := time.Date(2023, 11, 23, 11, 45, 0, 0, time.Local)
	stub := &listStub{rows: []zfs.Dataset{
		snapDS("tank/iocage/jails/a@s", t0.Add(time.Hour), 1024, 0),
		snapDS("tank/iocage/jails/a/root@s", t0.Add(time.Hour), 2048, 0),
		snapDS("tank/iocage/releases/13.2-RELEASE/root@a", t0, 1, 1),
		snapDS("tank/iocage/templates/t-b@s", t0, 512, 0),
		snapDS("tank/iocage/templates/t-b/root@s", t0, 512, 0),
	}}
	h := &Host{Host: &inventory.Host{ZFS: stub, LockDir: t.TempDir()}}
	inv := stubInventory("a", "t-b")
	rows, err := h.SnapRows(context.Background(), inv, inv.Jails, false, true)
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := strconv.FormatInt(t0.Unix(), 10), strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)
	want := [][]string{
		{"a", "s", s1, "1024", "0"},
		{"a", "s/root", s1, "2048", "0"},
		{"t-b", "s", s0, "512", "0"},
		{"t-b", "s/root", s0, "512", "0"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %q, want %q", rows, want)
	}
	if len(stub.roots) != 1 || stub.roots[0] != "tank/iocage" {
		t.Fatalf("zfs list calls: %v", stub.roots)
	}
}

// snapWorld is a fake pool with an activated tree and jails laid out as
// iocage lays them out.
type snapWorld struct {
	t   *testing.T
	f   *zfs.Fake
	h   *Host
	l   layout.Layout
	out bytes.Buffer
}

func newSnapWorld(t *testing.T) *snapWorld {
	w := &snapWorld{t: t, f: zfs.NewFake(t.TempDir(), "tank"), l: layout.Layout{Pool: "tank"}}
	rec := &host.Recorder{}
	rec.On([]string{"jls"}, `{"__version": "2", "jail-information": {"jail": []}}`, nil)
	w.h = &Host{Host: &inventory.Host{ZFS: w.f, Run: rec, Out: &w.out, LockDir: t.TempDir(), Now: func() time.Time { return time.Date(2023, 11, 23, 11, 45, 10, 0, time.UTC) }}}
	if err := w.h.Activate(context.Background(), "tank"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *snapWorld) jail(name string) {
	w.t.Helper()
	if err := w.f.Create(context.Background(), w.l.JailRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
		w.t.Fatal(err)
	}
	c, err := config.ConfigFromMap(map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "release": "13.2-RELEASE"})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.f.MountPath(w.l.Jail(name)), "config.json"), c.Marshal(), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *snapWorld) load() *inventory.Inventory {
	w.t.Helper()
	inv, err := w.h.Load(context.Background(), inventory.Options{Create: true, State: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return inv
}

func (w *snapWorld) find(inv *inventory.Inventory, name string) *inventory.Jail {
	w.t.Helper()
	j, err := inv.Find(name)
	if err != nil {
		w.t.Fatal(err)
	}
	return j
}

func (w *snapWorld) snap(inv *inventory.Inventory, name string, snap string) {
	w.t.Helper()
	if _, err := w.h.Snapshot(context.Background(), inv, []*inventory.Jail{w.find(inv, name)}, snap); err != nil {
		w.t.Fatal(err)
	}
}

func TestSnapshotDefaultNameAndUnwind(t *testing.T) {
	w := newSnapWorld(t)
	ctx := context.Background()
	w.jail("a")
	w.jail("b")
	w.jail("c")
	inv := w.load()
	made, err := w.h.Snapshot(ctx, inv, []*inventory.Jail{w.find(inv, "a")}, "")
	if err != nil || len(made) != 1 || made[0] != "tank/iocage/jails/a@2023-11-23_11:45:10" {
		t.Fatalf("default name: %v %v", made, err)
	}
	if _, err := w.f.Get(ctx, "tank/iocage/jails/a/root@2023-11-23_11:45:10"); err != nil {
		t.Fatalf("not recursive: %v", err)
	}
	if _, err := w.h.Snapshot(ctx, inv, []*inventory.Jail{w.find(inv, "a")}, ""); !errors.Is(err, ErrSnapExists) || err.Error() != "Snapshot already exists" {
		t.Fatalf("second snapshot: %v", err)
	}

	// ALL is all or nothing: c fails, so a's and b's are destroyed again.
	before := strings.Join(w.f.Names(), "\n")
	w.f.FailOn("snapshot", "tank/iocage/jails/c@x", errors.New("boom"))
	if _, err := w.h.Snapshot(ctx, inv, inv.Jails, "x"); err == nil || err.Error() != "boom" {
		t.Fatalf("failing ALL: %v", err)
	}
	if after := strings.Join(w.f.Names(), "\n"); after != before {
		t.Fatalf("ALL left snapshots behind:\n%s", after)
	}
	w.f.ClearFailures()

	// A cancelled command takes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.h.Snapshot(cctx, inv, inv.Jails, "y"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if after := strings.Join(w.f.Names(), "\n"); after != before {
		t.Fatalf("cancelled snapshot left:\n%s", after)
	}
	if _, err := w.h.Snapshot(ctx, inv, inv.Jails, "ALL"); err == nil {
		t.Fatal("ALL accepted as a snapshot name")
	}
	if _, err := w.h.Snapshot(ctx, inv, inv.Jails, strings.Repeat("n", 250)); err == nil || !strings.Contains(err.Error(), "longer than ZFS allows") {
		t.Fatalf("long name: %v", err)
	}
}

func TestPlanRollback(t *testing.T) {
	w := newSnapWorld(t)
	ctx := context.Background()
	w.jail("web")
	inv := w.load()
	w.snap(inv, "web", "s1")
	if err := w.f.Create(ctx, w.l.JailData("web"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.snap(inv, "web", "s2")
	w.snap(inv, "web", "s3")
	p, err := w.h.PlanRollback(ctx, inv, w.find(inv, "web"), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Datasets, ","); got != "tank/iocage/jails/web/root,tank/iocage/jails/web" {
		t.Fatalf("datasets %s", got)
	}
	if got := strings.Join(p.Newer, ","); got != "tank/iocage/jails/web@s2,tank/iocage/jails/web@s3,tank/iocage/jails/web/root@s2,tank/iocage/jails/web/root@s3" {
		t.Fatalf("newer %s", got)
	}
	if got := strings.Join(p.Missing, ","); got != "tank/iocage/jails/web/data" {
		t.Fatalf("missing %s", got)
	}
	if _, err := w.h.PlanRollback(ctx, inv, w.find(inv, "web"), "nope"); err == nil || err.Error() != "tank/iocage/jails/web@nope does not exist" {
		t.Fatalf("missing snapshot: %v", err)
	}

	// A clone of a newer snapshot stops the plan before anything changes.
	if err := w.f.Clone(ctx, "tank/iocage/jails/web/root@s3", "tank/keep", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	inv = w.load()
	_, err = w.h.PlanRollback(ctx, inv, w.find(inv, "web"), "s1")
	var ce *ClonesError
	if !errors.As(err, &ce) || !errors.Is(err, zfs.ErrHasClones) || ce.Snapshot != "tank/iocage/jails/web/root@s3" || len(ce.Clones) != 1 || ce.Clones[0] != "tank/keep" {
		t.Fatalf("clone of a newer snapshot: %v", err)
	}
	// Rolling back to s3 destroys nothing and the clone is no obstacle.
	if p, err = w.h.PlanRollback(ctx, inv, w.find(inv, "web"), "s3"); err != nil || len(p.Newer) != 0 || len(p.Datasets) != 3 {
		t.Fatalf("plan s3: %+v %v", p, err)
	}

	inv.Jails[0].JID = 3
	if _, err := w.h.PlanRollback(ctx, inv, inv.Jails[0], "s3"); err == nil || err.Error() != "Please stop web before trying to rollback!" {
		t.Fatalf("running: %v", err)
	}
	if w.f.Calls("rollback") != 0 {
		t.Fatal("planning rolled back")
	}
}

func TestSnapRemoveRefusesClones(t *testing.T) {
	w := newSnapWorld(t)
	ctx := context.Background()
	w.jail("web")
	w.jail("kid")
	inv := w.load()
	w.snap(inv, "web", "s1")
	w.snap(inv, "web", "s2")
	// kid's root is a clone of web's, as `clone` would make it.
	if err := w.f.Destroy(ctx, w.l.JailRoot("kid"), zfs.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.f.Clone(ctx, "tank/iocage/jails/web/root@s1", w.l.JailRoot("kid"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	inv = w.load()
	web := []*inventory.Jail{w.find(inv, "web")}
	_, err := w.h.SnapRemove(ctx, inv, web, SnapRemoveOptions{Name: "s1"})
	want := "Snapshot: tank/iocage/jails/web@s1 has dependent clones: tank/iocage/jails/kid/root (jail kid); use -R to destroy them with it"
	if !errors.Is(err, zfs.ErrHasClones) || err.Error() != want {
		t.Fatalf("refusal:\n%v\nwant\n%s", err, want)
	}
	// ALL skips what clones use and removes the rest.
	res, err := w.h.SnapRemove(ctx, inv, web, SnapRemoveOptions{Name: inventory.AllJails})
	if err != nil || len(res.Removed) != 1 || res.Removed[0].Snapshot != "tank/iocage/jails/web@s2" ||
		len(res.Skipped) != 1 || res.Skipped[0].Snapshot != "tank/iocage/jails/web@s1" {
		t.Fatalf("ALL: %+v %v", res, err)
	}
	// -R refuses while the clone's jail runs, then takes it along.
	inv = w.load()
	web = []*inventory.Jail{w.find(inv, "web")}
	w.find(inv, "kid").JID = 9
	if _, err := w.h.SnapRemove(ctx, inv, web, SnapRemoveOptions{Name: "s1", Clones: true}); err == nil || !strings.Contains(err.Error(), "jail kid is running") {
		t.Fatalf("running clone: %v", err)
	}
	if w.f.Calls("destroy") != 2 {
		t.Fatalf("destroy calls %d", w.f.Calls("destroy"))
	}
	w.find(inv, "kid").JID = 0
	res, err = w.h.SnapRemove(ctx, inv, web, SnapRemoveOptions{Name: "s1", Clones: true})
	if err != nil || len(res.Removed) != 1 || strings.Join(res.Removed[0].Clones, ",") != "tank/iocage/jails/kid/root" {
		t.Fatalf("-R: %+v %v", res, err)
	}
	for _, n := range w.f.Names() {
		if strings.Contains(n, "@s1") || n == w.l.JailRoot("kid") {
			t.Fatalf("%s survived -R", n)
		}
	}
}

package zfsshim_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/zfsshim"
)

// These tests run the built shim, linked as zfs and zpool, against the
// real zfs-fuse, with the argv go-zfs v3 and jcage's bulk reads build.

// goZFSProps is the column list of every go-zfs v3 dataset query.
const goZFSProps = "name,origin,used,available,mountpoint,compression,type,volsize,quota,referenced,written,logicalused,usedbydataset"

var (
	shimOnce sync.Once
	shimDir  string
	shimErr  error
)

// shimBin builds the shim once per test binary (or takes the one `make
// testbin` built, named by JCAGE_TESTBIN) and links it as zfs and zpool in
// a directory of its own. Beside them sits an umount that always fails, as
// the FreeBSD simulator's would for a Linux mount: the zfs client runs
// umount through PATH, so every unmount in these tests proves the shim
// hands the real tools a clean PATH.
func shimBin(t testing.TB) string {
	t.Helper()
	shimOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zfsshim-bin-")
		if err != nil {
			shimErr = err
			return
		}
		bin := filepath.Join(dir, "zfsshim")
		if pre := os.Getenv("JCAGE_TESTBIN"); pre != "" {
			if _, err := os.Stat(filepath.Join(pre, "zfsshim")); err == nil {
				bin = filepath.Join(pre, "zfsshim")
			}
		}
		if bin == filepath.Join(dir, "zfsshim") {
			goTool, err := exec.LookPath("go")
			if err != nil {
				goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
			}
			out, err := exec.Command(goTool, "build", "-o", bin, "github.com/jcage/jcage/internal/testworld/cmd/zfsshim").CombinedOutput()
			if err != nil {
				shimErr = fmt.Errorf("go build zfsshim: %v\n%s", err, out)
				return
			}
		}
		for _, name := range []string{"zfs", "zpool"} {
			if err := os.Symlink(bin, filepath.Join(dir, name)); err != nil {
				shimErr = err
				return
			}
		}
		stub := "#!/bin/sh\necho \"umount: test stub reached through PATH: $*\" >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(dir, "umount"), []byte(stub), 0o755); err != nil {
			shimErr = err
			return
		}
		shimDir = dir
	})
	if shimErr != nil {
		t.Fatal(shimErr)
	}
	return shimDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shimDir != "" {
		os.RemoveAll(shimDir)
	}
	os.Exit(code)
}

// world is a test pool with the shim first in PATH.
type world struct {
	t    testing.TB
	pool *pool.Pool
	bin  string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	p := pool.New(t)
	return &world{t: t, pool: p, bin: shimBin(t)}
}

// ds names a dataset in the test pool.
func (w *world) ds(rel string) string { return w.pool.Name + "/" + rel }

type result struct {
	stdout, stderr string
	code           int
}

func (w *world) exec(stdin []byte, tool string, args ...string) result {
	// The command is looked up in the shim's directory, as PATH would
	// find it there first; exec.Command resolves names through the test
	// process's own PATH.
	cmd := exec.Command(filepath.Join(w.bin, tool), args...)
	cmd.Env = append(os.Environ(), "PATH="+w.bin+":"+os.Getenv("PATH"))
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		r.code = exit.ExitCode()
	} else if err != nil {
		w.t.Fatalf("%s %s: %v", tool, strings.Join(args, " "), err)
	}
	return r
}

// must runs the shim as tool and returns stdout, failing on any error.
func (w *world) must(tool string, args ...string) string {
	w.t.Helper()
	r := w.exec(nil, tool, args...)
	if r.code != 0 {
		w.t.Fatalf("%s %s: exit %d: %s", tool, strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// real runs the real zfs, bypassing the shim.
func (w *world) real(args ...string) string {
	w.t.Helper()
	cmd := exec.Command(pool.RealZFS(), args...)
	cmd.Env = append(os.Environ(), "PATH="+zfsshim.SystemPath)
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("real zfs %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// lines splits -H output into fields per line.
func lines(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l != "" {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows
}

// goZFSDataset checks one row the way go-zfs's parseLine reads it and
// returns it keyed by column.
func goZFSDataset(t *testing.T, row []string) map[string]string {
	t.Helper()
	cols := strings.Split(goZFSProps, ",")
	if len(row) != len(cols) {
		t.Fatalf("row has %d fields, go-zfs wants %d: %q", len(row), len(cols), row)
	}
	m := map[string]string{}
	for i, c := range cols {
		m[c] = row[i]
		switch c {
		case "used", "available", "volsize", "quota", "referenced", "written", "logicalused", "usedbydataset":
			if row[i] == "-" {
				continue
			}
			if _, err := strconv.ParseUint(row[i], 10, 64); err != nil {
				t.Errorf("%s of %s = %q: go-zfs can't parse it: %v", c, row[0], row[i], err)
			}
		}
	}
	return m
}

func TestSystemGoZFSQueries(t *testing.T) {
	w := newWorld(t)
	w.must("zfs", "create", "-p", "-o", "compression=lz4", w.ds("iocage/jails"))
	w.must("zfs", "set", "org.freebsd.ioc:active=yes", w.ds("iocage"))
	w.must("zfs", "snapshot", "-r", w.ds("iocage")+"@s1")

	// Datasets(): list -rHp -t all.
	rows := lines(w.must("zfs", "list", "-rHp", "-t", "all", "-o", goZFSProps, w.pool.Name))
	var names []string
	for _, r := range rows {
		names = append(names, goZFSDataset(t, r)["name"])
	}
	if want := w.real("list", "-rH", "-t", "all", "-o", "name", w.pool.Name); strings.Join(names, "\n")+"\n" != want {
		t.Errorf("list -rHp order:\n%s\nzfs list -rH order:\n%s", strings.Join(names, "\n"), want)
	}

	// GetDataset().
	rows = lines(w.must("zfs", "list", "-Hp", "-o", goZFSProps, w.ds("iocage/jails")))
	if len(rows) != 1 {
		t.Fatalf("GetDataset rows: %q", rows)
	}
	d := goZFSDataset(t, rows[0])
	want := map[string]string{
		"name": w.ds("iocage/jails"), "origin": "-", "mountpoint": w.pool.Mountpoint + "/iocage/jails",
		"compression": "lz4", "type": "filesystem", "volsize": "-", "quota": "0", "written": "-", "logicalused": "-",
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("GetDataset %s = %q, want %q", k, d[k], v)
		}
	}
	if got := w.real("get", "-H", "-o", "value", "compression", w.ds("iocage/jails")); got != "on\n" {
		t.Errorf("zfs-fuse stores compression %q, want on", got)
	}

	// Snapshots(): list -rHp -t snapshot.
	rows = lines(w.must("zfs", "list", "-rHp", "-t", "snapshot", "-o", goZFSProps, w.ds("iocage")))
	if len(rows) != 2 || rows[0][0] != w.ds("iocage")+"@s1" || rows[1][0] != w.ds("iocage/jails")+"@s1" {
		t.Errorf("snapshots: %q", rows)
	}
	for _, r := range rows {
		if d := goZFSDataset(t, r); d["type"] != "snapshot" {
			t.Errorf("snapshot %s has type %q", d["name"], d["type"])
		}
	}

	// Children(1): list -d 1 -t all -Hp.
	rows = lines(w.must("zfs", "list", "-d", "1", "-t", "all", "-Hp", "-o", goZFSProps, w.ds("iocage")))
	var got []string
	for _, r := range rows {
		got = append(got, r[0])
	}
	if want := []string{w.ds("iocage"), w.ds("iocage") + "@s1", w.ds("iocage/jails")}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("children: %q, want %q", got, want)
	}

	// GetProperty / SetProperty.
	if got := w.must("zfs", "get", "-H", "org.freebsd.ioc:active", w.ds("iocage/jails")); got != w.ds("iocage/jails")+"\torg.freebsd.ioc:active\tyes\tinherited from "+w.ds("iocage")+"\n" {
		t.Errorf("get user property: %q", got)
	}
	w.must("zfs", "set", "atime=off", "exec=off", w.ds("iocage"))
	if got := w.real("get", "-H", "-o", "value", "atime,exec", w.ds("iocage")); got != "off\noff\n" {
		t.Errorf("set two properties: %q", got)
	}
	w.must("zfs", "inherit", "exec", w.ds("iocage"))

	// A missing dataset fails the way OpenZFS fails.
	r := w.exec(nil, "zfs", "list", "-Hp", "-o", goZFSProps, w.ds("nope"))
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "dataset does not exist") {
		t.Errorf("list of a missing dataset: %+v", r)
	}
}

func TestSystemBulkReads(t *testing.T) {
	w := newWorld(t)
	w.must("zfs", "create", "-p", w.ds("iocage/jails/web1/root"))
	w.must("zfs", "set", "org.freebsd.ioc:active=yes", w.ds("iocage"))
	w.must("zfs", "snapshot", "-r", w.ds("iocage")+"@s1")

	// jcage's list: one call over the tree.
	rows := lines(w.must("zfs", "list", "-H", "-p", "-o", "name,used,mountpoint,written", "-r", "-t", "filesystem", w.ds("iocage")))
	if len(rows) != 4 {
		t.Fatalf("filesystems: %q", rows)
	}
	for _, r := range rows {
		if strings.Contains(r[0], "@") || r[3] != "-" {
			t.Errorf("row %q", r)
		}
		if _, err := strconv.ParseUint(r[1], 10, 64); err != nil {
			t.Errorf("used of %s not exact: %q", r[0], r[1])
		}
	}

	// get -t (zfs-fuse has none).
	rows = lines(w.must("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-r", "-t", "filesystem", "org.freebsd.ioc:active,used", w.ds("iocage")))
	if len(rows) != 8 {
		t.Fatalf("get -t filesystem rows: %q", rows)
	}
	for _, r := range rows {
		if strings.Contains(r[0], "@") {
			t.Errorf("get -t filesystem returned %q", r)
		}
		if r[1] == "org.freebsd.ioc:active" && r[2] != "yes" {
			t.Errorf("row %q", r)
		}
	}
	rows = lines(w.must("zfs", "get", "-H", "-p", "-o", "name,value", "-t", "snapshot", "used", w.ds("iocage/jails")))
	if len(rows) != 1 || rows[0][0] != w.ds("iocage/jails")+"@s1" {
		t.Errorf("get -t snapshot FS: %q", rows)
	}

	// Several datasets and properties at once, straight through.
	rows = lines(w.must("zfs", "get", "-H", "-p", "-o", "name,property,value", "used,mountpoint", w.ds("iocage"), w.ds("iocage/jails")))
	if len(rows) != 4 || rows[1][2] != w.pool.Mountpoint+"/iocage" || rows[3][0] != w.ds("iocage/jails") {
		t.Errorf("get of two datasets: %q", rows)
	}

	// get all: no shadow properties, OpenZFS's extras present.
	all := w.must("zfs", "get", "-H", "-p", "-o", "all", "all", w.ds("iocage"))
	if strings.Contains(all, "jcage.zfsshim:") || !strings.Contains(all, "\twritten\t-\t") || !strings.Contains(all, "\tjailed\toff\t") {
		t.Errorf("get all:\n%s", all)
	}
	if got := w.must("zfs", "get", "-H", "-o", "value", "mounted", w.ds("iocage")); got != "yes\n" {
		t.Errorf("mounted = %q", got)
	}

	// Sorting: -S used puts the biggest first, as zfs-fuse's own sort does.
	got := w.must("zfs", "list", "-Hp", "-o", "name", "-S", "used", "-r", w.ds("iocage"))
	if want := w.real("list", "-H", "-o", "name", "-S", "used", "-r", w.ds("iocage")); got != want {
		t.Errorf("list -Hp -S used:\n%s\nzfs-fuse:\n%s", got, want)
	}

	// Human output keeps "no datasets available" off stdout.
	w.must("zfs", "create", w.ds("empty"))
	r := w.exec(nil, "zfs", "list", "-t", "snapshot", "-r", w.ds("empty"))
	if r.stdout != "" || r.stderr != "no datasets available\n" || r.code != 0 {
		t.Errorf("empty list: %+v", r)
	}
}

func TestSystemMutations(t *testing.T) {
	w := newWorld(t)
	base := w.ds("iocage/releases/14.1-RELEASE/root")
	w.must("zfs", "create", "-p", "-o", "compression=lz4", base)
	w.must("zfs", "snapshot", base+"@web1")

	// clone -p creates the parents; promote swaps the dependency.
	clone := w.ds("iocage/jails/web1/root")
	w.must("zfs", "clone", "-p", "-o", "org.freebsd.ioc:x=1", base+"@web1", clone)
	// The clone inherits from its new parent, not from its origin.
	if got := w.must("zfs", "get", "-H", "-o", "value", "origin,compression", clone); got != base+"@web1\noff\n" {
		t.Errorf("clone origin,compression = %q", got)
	}
	w.must("zfs", "promote", clone)
	if got := w.must("zfs", "get", "-H", "-o", "value", "origin", base); got != clone+"@web1\n" {
		t.Errorf("origin after promote = %q", got)
	}

	// create -u leaves the dataset unmounted.
	w.must("zfs", "create", "-u", w.ds("unmounted"))
	if got := w.must("zfs", "get", "-H", "-o", "value", "mounted", w.ds("unmounted")); got != "no\n" {
		t.Errorf("create -u: mounted = %q", got)
	}
	w.must("zfs", "mount", w.ds("unmounted"))
	w.must("zfs", "umount", w.ds("unmounted"))

	// jailed maps to zoned, which unmounts like FreeBSD's jailed=on.
	w.must("zfs", "create", w.ds("data"))
	w.must("zfs", "set", "jailed=on", w.ds("data"))
	if got := w.must("zfs", "get", "-H", "-o", "value", "jailed,mounted", w.ds("data")); got != "on\nno\n" {
		t.Errorf("jailed=on: %q", got)
	}
	w.must("zfs", "inherit", "jailed", w.ds("data"))
	w.must("zfs", "set", "sync=disabled", w.ds("data"))
	if got := w.must("zfs", "get", "-H", "-o", "value,source", "jailed,sync", w.ds("data")); got != "off\tdefault\ndisabled\tlocal\n" {
		t.Errorf("jailed,sync after inherit/set: %q", got)
	}

	// rename, go-zfs style (flags after the names).
	w.must("zfs", "rename", clone, w.ds("iocage/jails/web2/root"), "-p")
	clone = w.ds("iocage/jails/web2/root")

	// A process inside a mount blocks a plain rename; -f unmounts by
	// force and, once zfs-fuse lets go of the dataset (when the process
	// has left it), renames and mounts everything again.
	w.must("zfs", "create", clone+"/inner")
	hold := exec.Command("sleep", "2")
	hold.Dir = w.pool.Mountpoint + "/iocage/jails/web2/root/inner"
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer hold.Wait()
	if r := w.exec(nil, "zfs", "rename", w.ds("iocage/jails/web2"), w.ds("iocage/jails/web3")); r.code == 0 {
		t.Errorf("rename succeeded while a process held a mount")
	}
	w.must("zfs", "rename", "-f", w.ds("iocage/jails/web2"), w.ds("iocage/jails/web3"))
	if got := w.must("zfs", "get", "-H", "-o", "value", "mounted", w.ds("iocage/jails/web3"), w.ds("iocage/jails/web3/root/inner")); got != "yes\nyes\n" {
		t.Errorf("after rename -f: mounted = %q", got)
	}

	// Rollback past a newer snapshot.
	jail := w.ds("iocage/jails/web3/root")
	w.must("zfs", "snapshot", jail+"@a")
	if err := os.WriteFile(w.pool.Mountpoint+"/iocage/jails/web3/root/f", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.must("zfs", "snapshot", jail+"@b")
	w.must("zfs", "rollback", "-r", jail+"@a")
	if _, err := os.Stat(w.pool.Mountpoint + "/iocage/jails/web3/root/f"); !os.IsNotExist(err) {
		t.Errorf("file survived the rollback: %v", err)
	}

	// send -R | receive -F, user properties included.
	w.must("zfs", "set", "org.freebsd.ioc:y=2", "compression=lz4", w.ds("iocage/jails/web3"))
	w.must("zfs", "snapshot", "-r", w.ds("iocage/jails/web3")+"@export")
	stream := w.exec(nil, "zfs", "send", "-R", w.ds("iocage/jails/web3")+"@export")
	if stream.code != 0 {
		t.Fatalf("send -R: %s", stream.stderr)
	}
	if r := w.exec([]byte(stream.stdout), "zfs", "receive", "-F", w.ds("imported")); r.code != 0 {
		t.Fatalf("receive -F: %s", r.stderr)
	}
	if got := w.must("zfs", "get", "-H", "-o", "value", "org.freebsd.ioc:y,compression", w.ds("imported/root")); got != "2\nlz4\n" {
		t.Errorf("received properties: %q", got)
	}

	// Several snapshots at once, then a list and a range of them.
	w.must("zfs", "snapshot", jail+"@c", jail+"@d", jail+"@e")
	w.must("zfs", "snapshot", jail+"@f")
	w.must("zfs", "destroy", jail+"@a,f")
	w.must("zfs", "destroy", jail+"@c%d")
	if got := w.must("zfs", "list", "-H", "-o", "name", "-t", "snapshot", jail); got != jail+"@web1\n"+jail+"@export\n"+jail+"@e\n" {
		t.Errorf("snapshots left: %q", got)
	}

	// readonly applies at once and reads back as set (zfs-fuse itself
	// reports "off temporary" while mounted), also after a rename; off
	// makes the tree writable again.
	tmpl := w.ds("iocage/templates/t1")
	w.must("zfs", "create", "-p", tmpl+"/root")
	w.must("zfs", "set", "readonly=on", tmpl)
	write := func(dir string) error {
		return os.WriteFile(w.pool.Mountpoint+"/iocage/templates/"+dir+"/root/new", []byte("x"), 0o644)
	}
	if err := write("t1"); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write after readonly=on: %v, want EROFS", err)
	}
	if got := w.must("zfs", "get", "-H", "-o", "value,source", "readonly,mounted", tmpl, tmpl+"/root"); got != "on\tlocal\nyes\t-\non\tinherited from "+tmpl+"\nyes\t-\n" {
		t.Errorf("readonly=on: get = %q", got)
	}
	w.must("zfs", "rename", tmpl, w.ds("iocage/templates/t2"))
	tmpl = w.ds("iocage/templates/t2")
	if got := w.must("zfs", "list", "-Hp", "-r", "-o", "name,readonly", tmpl); got != tmpl+"\ton\n"+tmpl+"/root\ton\n" {
		t.Errorf("readonly after rename: list = %q", got)
	}
	if err := write("t2"); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write after rename: %v, want EROFS", err)
	}
	w.must("zfs", "create", "-o", "readonly=on", w.ds("iocage/templates/t3"))
	if got := w.must("zfs", "get", "-H", "-o", "value,source", "readonly", w.ds("iocage/templates/t3")); got != "on\tlocal\n" {
		t.Errorf("create -o readonly=on: get = %q", got)
	}
	w.must("zfs", "set", "org.freebsd.ioc:type=jail", "readonly=off", tmpl)
	if err := write("t2"); err != nil {
		t.Errorf("write after readonly=off: %v", err)
	}
	if got := w.must("zfs", "get", "-H", "-o", "value,source", "readonly", tmpl, tmpl+"/root"); got != "off\tlocal\noff\tinherited from "+tmpl+"\n" {
		t.Errorf("readonly=off: get = %q", got)
	}

	// destroy -R takes the clone with it, busy or not.
	w.must("zfs", "destroy", "-R", w.ds("iocage"))
	if r := w.exec(nil, "zfs", "list", w.ds("iocage")); r.code != 1 {
		t.Errorf("iocage survived destroy -R: %+v", r)
	}
}

func TestSystemDestroyLoop(t *testing.T) {
	// zfs-fuse often answers "dataset is busy" right after a create,
	// snapshot or rename; through the shim the loop never fails.
	w := newWorld(t)
	for i := range 15 {
		top := w.ds(fmt.Sprintf("loop%d", i))
		w.must("zfs", "create", "-p", top+"/a/b")
		w.must("zfs", "snapshot", "-r", top+"@s")
		w.must("zfs", "rename", top+"/a", top+"/c")
		w.must("zfs", "destroy", "-r", top)
	}
	if got := w.real("list", "-H", "-o", "name", "-r", w.pool.Name); got != w.pool.Name+"\n" {
		t.Errorf("left after the loop:\n%s", got)
	}
}

func TestSystemZpool(t *testing.T) {
	w := newWorld(t)
	if got := w.must("zpool", "list", "-Ho", "name"); !strings.Contains("\n"+got, "\n"+w.pool.Name+"\n") {
		t.Errorf("zpool list -Ho name:\n%s", got)
	}
	if got := w.must("zpool", "list", "-H", "-o", "name,health", w.pool.Name); got != w.pool.Name+"\tONLINE\n" {
		t.Errorf("zpool list -H -o name,health = %q", got)
	}
	// go-zfs GetZpool.
	rows := lines(w.must("zpool", "get", "-Hp", "name,health,allocated,size,free,readonly,dedupratio,fragmentation,freeing,leaked", w.pool.Name))
	if len(rows) != 10 {
		t.Fatalf("zpool get rows: %q", rows)
	}
	vals := map[string]string{}
	for _, r := range rows {
		if len(r) != 4 || r[0] != w.pool.Name {
			t.Fatalf("zpool get row %q", r)
		}
		vals[r[1]] = r[2]
	}
	for _, k := range []string{"allocated", "size", "free", "freeing", "leaked"} {
		if _, err := strconv.ParseUint(vals[k], 10, 64); err != nil {
			t.Errorf("%s = %q: go-zfs can't parse it", k, vals[k])
		}
	}
	if size, _ := strconv.ParseUint(vals["size"], 10, 64); size < 400<<20 || size > pool.Size {
		t.Errorf("size = %d, want about %d", size, pool.Size)
	}
	if vals["health"] != "ONLINE" || vals["readonly"] != "off" || vals["fragmentation"] != "-" || vals["dedupratio"] != "1.00" {
		t.Errorf("zpool get values: %v", vals)
	}
	if got := w.must("zpool", "get", "-H", "-o", "value", "altroot", w.pool.Name); got != "-\n" {
		t.Errorf("altroot = %q", got)
	}
}

// The list benchmarks compare one `zfs list` over a small jail tree (41
// datasets) straight on zfs-fuse, through the shim untouched, and through
// the shim's -p emulation with go-zfs's columns:
//
//	go test -run '^$' -bench List ./internal/testworld/zfsshim/
func benchList(b *testing.B, shim bool, args ...string) {
	w := newWorld(b)
	for i := range 20 {
		w.must("zfs", "create", "-p", w.ds(fmt.Sprintf("iocage/jails/j%d/root", i)))
	}
	args = append(args, w.pool.Name)
	b.ResetTimer()
	for b.Loop() {
		if shim {
			w.must("zfs", args...)
		} else {
			w.real(args...)
		}
	}
}

func BenchmarkListDirect(b *testing.B) {
	benchList(b, false, "list", "-rH", "-t", "all", "-o", "name,used")
}

func BenchmarkListShimPassThrough(b *testing.B) {
	benchList(b, true, "list", "-rH", "-t", "all", "-o", "name,used")
}

func BenchmarkListShimParsable(b *testing.B) {
	benchList(b, true, "list", "-rHp", "-t", "all", "-o", goZFSProps)
}

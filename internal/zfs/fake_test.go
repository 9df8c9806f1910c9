package zfs_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/zfs"
	"github.com/jcage/jcage/internal/zfs/zfstest"
)

func TestFakeConformance(t *testing.T) {
	zfstest.Run(t, func(t *testing.T) (zfs.Manager, string) {
		f := zfs.NewFake(t.TempDir(), "tank")
		if err := f.Create(context.Background(), "tank/t", zfs.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		return f, "tank/t"
	})
}

func TestFakeDirectoriesFollowDatasets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := zfs.NewFake(dir, "tank")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.Create(ctx, "tank/iocage/releases/R/root", zfs.CreateOptions{Parents: true}))
	root := f.MountPath("tank/iocage/releases/R/root")
	if root != filepath.Join(dir, "tank/iocage/releases/R/root") {
		t.Fatalf("mount path %q", root)
	}
	must(os.WriteFile(filepath.Join(root, "hosts"), []byte("v1"), 0o644))
	must(f.Snapshot(ctx, "tank/iocage/releases/R/root@j", false))
	must(os.WriteFile(filepath.Join(root, "hosts"), []byte("v2"), 0o644))
	must(f.Clone(ctx, "tank/iocage/releases/R/root@j", "tank/iocage/jails/j/root", zfs.CreateOptions{Parents: true}))
	b, err := os.ReadFile(filepath.Join(f.MountPath("tank/iocage/jails/j/root"), "hosts"))
	if err != nil || string(b) != "v1" {
		t.Fatalf("clone content %q %v", b, err)
	}
	must(f.Rollback(ctx, "tank/iocage/releases/R/root@j", false))
	if b, _ := os.ReadFile(filepath.Join(root, "hosts")); string(b) != "v1" {
		t.Fatalf("rollback content %q", b)
	}
	must(f.Rename(ctx, "tank/iocage/jails/j", "tank/iocage/templates/j", zfs.RenameOptions{Parents: true}))
	if _, err := os.Stat(filepath.Join(dir, "tank/iocage/templates/j/root/hosts")); err != nil {
		t.Fatal(err)
	}
	must(f.Destroy(ctx, "tank/iocage/templates/j", zfs.DestroyOptions{Recursive: true}))
	if _, err := os.Stat(filepath.Join(dir, "tank/iocage/templates/j")); !os.IsNotExist(err) {
		t.Fatalf("directory left after destroy: %v", err)
	}
}

func TestFakeFailOn(t *testing.T) {
	boom := errors.New("boom")
	f := zfs.NewFake("", "tank")
	f.FailOn("create", "tank/x", boom)
	if err := f.Create(context.Background(), "tank/x", zfs.CreateOptions{}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if err := f.Create(context.Background(), "tank/y", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.Calls("create") != 2 {
		t.Fatalf("calls = %d", f.Calls("create"))
	}
}

// The fake's snapshots and clones copy directories; a copy that fails
// fails the operation, and leaves no snapshot or dataset behind.
func TestFakeCopyFailures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := zfs.NewFake(dir, "tank")
	if err := f.Create(ctx, "tank/r", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.MountPath("tank/r"), "hosts"), []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	has := func(name string) bool {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
		return false
	}

	// Nowhere to keep the snapshot's copy.
	store := filepath.Join(dir, ".fake-snapshots")
	if err := os.WriteFile(store, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Snapshot(ctx, "tank/r@s", false); err == nil {
		t.Fatal("snapshot without its copy succeeded")
	}
	if has("tank/r@s") {
		t.Fatal("failed snapshot left behind")
	}
	if err := os.Remove(store); err != nil {
		t.Fatal(err)
	}
	if err := f.Snapshot(ctx, "tank/r@s", false); err != nil {
		t.Fatal(err)
	}

	// Nowhere to put the clone's files.
	blocker := filepath.Join(dir, "tank", "c")
	if err := os.WriteFile(blocker, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Clone(ctx, "tank/r@s", "tank/c", zfs.CreateOptions{}); err == nil {
		t.Fatal("clone without its files succeeded")
	}
	if has("tank/c") {
		t.Fatal("failed clone left behind")
	}
	if b, _ := os.ReadFile(blocker); string(b) != "not a directory" {
		t.Fatalf("the failed clone removed what was in its way: %q", b)
	}
}

// A send carries the snapshot's files (not its children's, not what
// changed after it), and a receive puts them in the new dataset and its
// snapshot.
func TestFakeStreamCarriesFiles(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake(t.TempDir(), "tank")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.Create(ctx, "tank/a/kid", zfs.CreateOptions{Parents: true}))
	a := f.MountPath("tank/a")
	must(os.MkdirAll(filepath.Join(a, "etc"), 0o755))
	must(os.WriteFile(filepath.Join(a, "etc", "secret"), []byte("s"), 0o600))
	must(os.Symlink("etc/secret", filepath.Join(a, "link")))
	must(os.WriteFile(filepath.Join(f.MountPath("tank/a/kid"), "kid.txt"), []byte("k"), 0o644))
	must(f.Snapshot(ctx, "tank/a@s", true))
	must(os.WriteFile(filepath.Join(a, "later"), []byte("l"), 0o644))

	var stream bytes.Buffer
	must(f.Send(ctx, "tank/a@s", &stream))
	if n, err := f.SendSize(ctx, "tank/a@s"); err != nil || n != int64(stream.Len()) {
		t.Fatalf("SendSize %d %v, stream %d", n, err, stream.Len())
	}
	must(f.Receive(ctx, "tank/b", bytes.NewReader(stream.Bytes()), zfs.ReceiveOptions{}))
	b := f.MountPath("tank/b")
	if got, err := os.ReadFile(filepath.Join(b, "etc", "secret")); err != nil || string(got) != "s" {
		t.Fatalf("file %q %v", got, err)
	}
	if fi, _ := os.Stat(filepath.Join(b, "etc", "secret")); fi == nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi)
	}
	if l, err := os.Readlink(filepath.Join(b, "link")); err != nil || l != "etc/secret" {
		t.Fatalf("symlink %q %v", l, err)
	}
	for _, gone := range []string{"kid/kid.txt", "later"} {
		if _, err := os.Lstat(filepath.Join(b, gone)); !os.IsNotExist(err) {
			t.Errorf("%s came along: %v", gone, err)
		}
	}
	must(f.Clone(ctx, "tank/b@s", "tank/c", zfs.CreateOptions{}))
	if got, _ := os.ReadFile(filepath.Join(f.MountPath("tank/c"), "etc", "secret")); string(got) != "s" {
		t.Fatalf("the received snapshot lacks the files: %q", got)
	}
}

// A stream whose files leave the dataset is refused, and leaves nothing.
func TestFakeReceiveRefusesEscapes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := zfs.NewFake(filepath.Join(dir, "zfs"), "tank")
	for name, entries := range map[string][]tar.Header{
		"dotdot":  {{Name: "../../outside", Typeflag: tar.TypeReg, Mode: 0o644}},
		"symlink": {{Name: "l", Typeflag: tar.TypeSymlink, Linkname: dir}, {Name: "l/outside", Typeflag: tar.TypeReg, Mode: 0o644}},
	} {
		var b bytes.Buffer
		b.WriteString(`{"magic":"jcage-fake-zfs-stream-v1","snap":"s","props":{}}` + "\n")
		tw := tar.NewWriter(&b)
		for _, h := range entries {
			if err := tw.WriteHeader(&h); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Receive(ctx, "tank/"+name, &b, zfs.ReceiveOptions{}); err == nil {
			t.Errorf("%s: received", name)
		}
		if _, err := os.Lstat(filepath.Join(dir, "outside")); !os.IsNotExist(err) {
			t.Fatalf("%s: wrote outside the dataset: %v", name, err)
		}
		for _, n := range f.Names() {
			if strings.HasPrefix(n, "tank/"+name) {
				t.Errorf("%s: %s left", name, n)
			}
		}
	}
}

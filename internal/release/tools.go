package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/plan"
)

// Tools finds the freebsd-update that maintains a root. A jail's own
// /usr/sbin/freebsd-update is never it: root inside the jail can replace
// that file, and jcage would then run the jail's program as root on the
// host. The tool comes, in this order, from
//
//  1. the host itself, when the host's release is at least the one being
//     installed (a newer freebsd-update manages an older release; UNAME_r
//     tells it which);
//  2. the fetched release's own root, IOCROOT/releases/REL/root, which no
//     jail can write (jails are clones of its snapshot, or mount it
//     read-only);
//  3. REL's base.txz in IOCROOT/download/REL, the one member extracted to
//     a private directory of the host's.
type Tools struct {
	Run     host.Runner
	IOCRoot string // the mountpoint of POOL/iocage
	TempDir string // where an extracted tool goes; "" is os.TempDir()
	// HostRelease is the host's release when the caller knows it already;
	// "" asks uname -r.
	HostRelease string

	once    sync.Once
	hostRel string
}

// ToolMember is freebsd-update's path inside a release tree and a set.
const ToolMember = "usr/sbin/freebsd-update"

func (t *Tools) hostRelease(ctx context.Context) string {
	t.once.Do(func() {
		if t.HostRelease != "" {
			t.hostRel = t.HostRelease
			return
		}
		out, err := t.Run.Run(ctx, argv.UnameRelease())
		if err == nil {
			t.hostRel = strings.TrimSpace(string(out))
		}
	})
	return t.hostRel
}

// FreebsdUpdate returns the host-owned freebsd-update for release rel and
// a cleanup to call when done with it.
func (t *Tools) FreebsdUpdate(ctx context.Context, rel string) (string, func(), error) {
	none := func() {}
	base := patchRE.ReplaceAllString(rel, "")
	hv, hok := plan.ParseVersion(t.hostRelease(ctx))
	if rv, rok := plan.ParseVersion(base); hok && rok && hv >= rv {
		return "freebsd-update", none, nil
	}
	if t.IOCRoot == "" {
		return "", none, fmt.Errorf("no freebsd-update of the host's manages %s", rel)
	}
	relTool := filepath.Join(layout.Dirs(t.IOCRoot).ReleaseRoot(base), ToolMember) // confine: host-owned, a release's root no jail can write
	if fi, err := os.Lstat(relTool); err == nil && fi.Mode().IsRegular() {
		return relTool, none, nil
	}
	archive := filepath.Join(layout.Dirs(t.IOCRoot).Download(base), "base.txz") // confine: host-owned
	if fi, err := os.Lstat(archive); err != nil || !fi.Mode().IsRegular() {
		return "", none, fmt.Errorf("no host-owned freebsd-update for %s: fetch %s first", rel, base)
	}
	dir, err := os.MkdirTemp(t.TempDir, "jcage-tool-")
	if err != nil {
		return "", none, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	// freebsd-update alone, from the base set into dir.
	if _, err := t.Run.Run(ctx, argv.TarExtractMember(archive, dir, ToolMember)); err != nil {
		cleanup()
		return "", none, fmt.Errorf("extract freebsd-update from %s: %w", archive, err)
	}
	p := filepath.Join(dir, ToolMember)
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		cleanup()
		return "", none, fmt.Errorf("%s holds no %s", archive, ToolMember)
	}
	return p, cleanup, nil
}

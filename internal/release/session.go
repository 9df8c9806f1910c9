package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
)

// Session is one host-side run of freebsd-update on a root the host does
// not trust: the tool is a host-owned copy (Tools), the configuration a
// host-side copy of the root's file that SanitizeConf accepted, and the
// work directory a host-owned one beside the root (in the jail's or the
// release's dataset, which no jail can reach). freebsd-update still
// writes under -b ROOT as root and resolves what it finds there: before
// it runs, the root is checked for symlinks that lead out of it to a
// directory (install -d, install -S and ln -f follow those in every
// parent component).
type Session struct {
	Root    string
	Tool    string // the program to run
	Conf    string // the sanitized freebsd-update.conf
	WorkDir string // -d

	private string
	cleanup func()
}

// WorkDirName is the work directory's name beside the root.
const WorkDirName = ".freebsd-update"

// OpenSession prepares a freebsd-update run on root for release rel.
func OpenSession(ctx context.Context, tools *Tools, root, rel string) (*Session, error) {
	data, err := confine.ReadFile(root, "etc/freebsd-update.conf")
	if err != nil {
		return nil, err
	}
	conf, err := SanitizeConf(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", confine.Path(root, "etc"), err)
	}
	if err := confine.CheckEscapes(root); err != nil {
		return nil, err
	}
	if tools == nil {
		return nil, fmt.Errorf("no host-owned freebsd-update configured")
	}
	tool, cleanup, err := tools.FreebsdUpdate(ctx, rel)
	if err != nil {
		return nil, err
	}
	s := &Session{Root: root, Tool: tool, cleanup: cleanup}
	if s.private, err = os.MkdirTemp(tools.TempDir, "jcage-freebsd-update-"); err != nil {
		s.Close()
		return nil, err
	}
	s.Conf = filepath.Join(s.private, "freebsd-update.conf")
	if err := os.WriteFile(s.Conf, conf, 0o600); err != nil {
		s.Close()
		return nil, err
	}
	s.WorkDir = filepath.Join(filepath.Dir(filepath.Clean(root)), WorkDirName) // confine: host-owned, beside the root
	if err := os.RemoveAll(s.WorkDir); err != nil {
		s.Close()
		return nil, err
	}
	if err := os.Mkdir(s.WorkDir, 0o700); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close removes what the session made on the host.
func (s *Session) Close() {
	if s.WorkDir != "" {
		os.RemoveAll(s.WorkDir)
	}
	if s.private != "" {
		os.RemoveAll(s.private)
	}
	s.cleanup()
}

// PendingInstall is the link freebsd-update keeps in its work directory
// while an install is pending: <sha256 of BASEDIR and a newline>-install
// (freebsd-update.sh, fetchupgrade_check_params: BDHASH).
func PendingInstall(workdir, root string) string {
	sum := sha256.Sum256([]byte(root + "\n"))
	return filepath.Join(workdir, hex.EncodeToString(sum[:])+"-install")
}

func (s *Session) pending() bool {
	_, err := os.Lstat(PendingInstall(s.WorkDir, s.Root))
	return err == nil
}

// mountDevfs mounts devfs on ROOT/dev for the run, after checking at that
// moment that no component of ROOT/dev is a symlink: mount(8) follows one
// to wherever it points on the host.
func (s *Session) mountDevfs(ctx context.Context, run host.Runner) (func() error, error) {
	dev, err := confine.CheckPath(s.Root, "dev", true)
	if err != nil {
		return nil, err
	}
	if _, err := run.Run(ctx, argv.MountDevfs(dev)); err != nil {
		return nil, err
	}
	return func() error {
		// Unmounted even after an interrupt, hence a context of its own.
		_, err := run.Run(context.WithoutCancel(ctx), argv.UmountPlain(dev))
		return err
	}, nil
}

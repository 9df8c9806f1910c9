package release

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/host"
)

// MaxInstalls bounds the install passes of an upgrade, as iocage bounds
// them: a minor upgrade of a jail root needs one, a major one two.
const MaxInstalls = 50

// UpgradeArgs is freebsd-update's command line for one step of the
// upgrade of root to newrel, reading the configuration conf. The upgrade
// step names the release the root runs, cur, with --currently-running and
// cur as two argv elements: iocage passes them as one word, which
// freebsd-update takes for an unknown one and answers with its usage.
func UpgradeArgs(root, conf, cur, newrel, command string) []string {
	args := []string{
		"-b", root,
		"-d", filepath.Join(root, "var/db/freebsd-update") + "/",
		"-f", conf,
	}
	if command == "upgrade" {
		args = append(args, "--not-running-from-cron", "--currently-running", cur)
	}
	return append(args, "-r", newrel, command)
}

// UpgradeConf is freebsd-update.conf as an upgrade of a jail root reads
// it: kernel left out of Components, since a jail has no kernel of its
// own and a kernel stage would stop the install half way. A file left
// with no component at all upgrades world.
func UpgradeConf(data []byte) []byte {
	var b bytes.Buffer
	have := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		code, _, _ := strings.Cut(line, "#")
		f := strings.Fields(code)
		if len(f) > 0 && f[0] == "Components" {
			var keep []string
			for _, c := range f[1:] {
				if c != "kernel" && !strings.HasPrefix(c, "kernel/") {
					keep = append(keep, c)
				}
			}
			if len(keep) == 0 {
				continue
			}
			have = true
			line = "Components " + strings.Join(keep, " ")
		}
		b.WriteString(line)
		// freebsd-update's `while read` loop never sees a last line
		// without its newline.
		b.WriteByte('\n')
	}
	if !have {
		b.WriteString("Components world\n")
	}
	return b.Bytes()
}

// PendingInstall is the link freebsd-update keeps in its work directory
// while an install is pending: <sha256 of BASEDIR and a newline>-install.
func PendingInstall(root string) string {
	sum := sha256.Sum256([]byte(root + "\n"))
	return filepath.Join(root, "var/db/freebsd-update", hex.EncodeToString(sum[:])+"-install")
}

// Upgrader upgrades a root to a new release with the root's own
// freebsd-update.
type Upgrader struct {
	Run host.Runner
	Out io.Writer // freebsd-update's output
	Err io.Writer
	// TempDir holds the adjusted freebsd-update.conf during the upgrade;
	// empty means os.TempDir(). It is never written inside the root,
	// where a symlink planted by the jail could redirect the write.
	TempDir string
}

// ErrNothingToInstall and ErrInstallUnfinished are iocage's two ways an
// upgrade's install loop goes wrong.
var (
	ErrNothingToInstall  = errors.New("Upgrade failed, nothing to install after fetch!")
	ErrInstallUnfinished = errors.New("Upgrade failed, freebsd-update won't finish!")
)

// Upgrade fetches the upgrade of root from cur to newrel, then installs
// it pass after pass until freebsd-update has nothing pending, and
// returns the USERLAND_VERSION the root ends at.
func (u *Upgrader) Upgrade(ctx context.Context, root, cur, newrel string) (string, error) {
	confPath := filepath.Join(root, "etc/freebsd-update.conf")
	data, err := os.ReadFile(confPath)
	if err != nil {
		return "", fmt.Errorf("Failed to upgrade: %w", err)
	}
	if !hasServerName(data) {
		return "", fmt.Errorf("Failed to upgrade: ServerName not configured in %s", confPath)
	}
	dir, err := os.MkdirTemp(u.TempDir, "jcage-upgrade-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "freebsd-update.conf")
	if err := os.WriteFile(conf, UpgradeConf(data), 0o644); err != nil {
		return "", err
	}
	out := u.Out
	if out == nil {
		out = io.Discard
	}
	fu := UpdateBinary(root)
	run := func(command string, stdin io.Reader) error {
		_, err := u.Run.Run(ctx, host.Cmd{Name: fu, Args: UpgradeArgs(root, conf, cur, newrel, command),
			Env: UpdateEnv(cur), Stdin: stdin, Stdout: out, Stderr: u.Err})
		return err
	}
	// The upgrade asks whether its list of components looks reasonable;
	// iocage answers yes, and so does the end of input.
	if err := run("upgrade", strings.NewReader("y\n")); err != nil {
		return "", stepFailed("upgrade", err)
	}
	pending := func() bool {
		_, err := os.Lstat(PendingInstall(root))
		return err == nil
	}
	if !pending() {
		return "", ErrNothingToInstall
	}
	for i := 0; i < MaxInstalls && pending(); i++ {
		if err := run("install", nil); err != nil {
			if ctx.Err() == nil && host.ExitCodeOf(err) == exitNothingToInstall {
				break
			}
			return "", stepFailed("install", err)
		}
	}
	if pending() {
		return "", ErrInstallUnfinished
	}
	return UserlandVersion(root), nil
}

// stepFailed names the freebsd-update step that failed; its own output,
// already shown, says why.
func stepFailed(step string, err error) error {
	if code := host.ExitCodeOf(err); code >= 0 {
		return fmt.Errorf("freebsd-update %s failed (exit status %d)", step, code)
	}
	return err
}

package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
)

// MaxInstalls bounds the install passes of an upgrade, as iocage bounds
// them: a minor upgrade of a jail root needs one, a major one two.
const MaxInstalls = 50

// UpgradeArgs is freebsd-update's command line for one step of the
// upgrade of root to newrel, with a host-owned work directory and
// configuration (see Session). The upgrade step names the release the
// root runs, cur, with --currently-running and cur as two argv elements:
// iocage passes them as one word, which freebsd-update takes for an
// unknown one and answers with its usage.
func UpgradeArgs(root, workdir, conf, cur, newrel, command string) []string {
	args := []string{"-b", root, "-d", workdir + "/", "-f", conf}
	if command == "upgrade" {
		args = append(args, "--not-running-from-cron", "--currently-running", cur)
	}
	return append(args, "-r", newrel, command)
}

// Upgrader upgrades a root to a new release with a host-owned
// freebsd-update (see Session).
type Upgrader struct {
	Run   host.Runner
	Tools *Tools    // where freebsd-update comes from
	Out   io.Writer // freebsd-update's output
	Err   io.Writer
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
	// The target release's tool: an older one does not know the new
	// release's layout.
	ss, err := OpenSession(ctx, u.Tools, root, newrel)
	if err != nil {
		return "", fmt.Errorf("Failed to upgrade: %w", err)
	}
	defer ss.Close()
	out := u.Out
	if out == nil {
		out = io.Discard
	}
	run := func(command string, stdin io.Reader) error {
		_, err := u.Run.Run(ctx, host.Cmd{Name: ss.Tool, Args: UpgradeArgs(root, ss.WorkDir, ss.Conf, cur, newrel, command),
			Env: UpdateEnv(cur), Stdin: stdin, Stdout: out, Stderr: u.Err})
		return err
	}
	// The upgrade asks whether its list of components looks reasonable;
	// iocage answers yes, and so does the end of input.
	if err := run("upgrade", strings.NewReader("y\n")); err != nil {
		return "", stepFailed("upgrade", err)
	}
	pending := ss.pending
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
	return inventory.UserlandVersion(root), nil
}

// stepFailed names the freebsd-update step that failed; its own output,
// already shown, says why.
func stepFailed(step string, err error) error {
	if code := host.ExitCodeOf(err); code >= 0 {
		return fmt.Errorf("freebsd-update %s failed (exit status %d)", step, code)
	}
	return err
}

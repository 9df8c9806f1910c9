package release

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/jail"
)

// UpdateArgs is iocage's freebsd-update command line for a root: every
// path inside the root, each argument its own argv element (iocage#1297
// came from passing some of them as one string).
func UpdateArgs(root, command string) []string {
	args := []string{
		"-b", root,
		"-d", filepath.Join(root, "var/db/freebsd-update") + "/",
		"-f", filepath.Join(root, "etc/freebsd-update.conf"),
	}
	if command == "fetch" {
		// fetch refuses to run without a terminal otherwise.
		args = append(args, "--not-running-from-cron")
	}
	return append(args, command)
}

// UpdateEnv is the environment iocage gives freebsd-update: FreeBSD's
// uname(1) honours UNAME_r, so the tool believes it runs on the release it
// updates, whatever the host kernel is; PAGER=/bin/cat keeps the file
// lists from waiting for a key.
func UpdateEnv(rel string) []string {
	return []string{"UNAME_r=" + rel, "PAGER=/bin/cat"}
}

// UpdateBinary is the root's own freebsd-update. jcage never downloads
// the script from GitHub as iocage does: a guessed branch of the source
// tree is not the tool the release shipped with.
func UpdateBinary(root string) string { return filepath.Join(root, "usr/sbin/freebsd-update") }

// DevfsMountArgs mounts devfs on ROOT/dev for freebsd-update's run.
func DevfsMountArgs(root string) []string {
	return []string{"-t", "devfs", "devfs", filepath.Join(root, "dev")}
}

// DevfsUnmountArgs undoes DevfsMountArgs.
func DevfsUnmountArgs(root string) []string { return []string{filepath.Join(root, "dev")} }

// eolRE is freebsd-update's end-of-life warning; with it fetch exits 1
// although it did its work.
var eolRE = regexp.MustCompile(`WARNING: FreeBSD [0-9]+\.[0-9]+-[A-Z0-9]+ HAS PASSED ITS END-OF-LIFE DATE`)

// exitNothingToInstall is freebsd-update install's status when there is
// nothing to install (13.0 and later).
const exitNothingToInstall = 2

// Patcher runs the patch step on a root.
type Patcher struct {
	Run host.Runner
	Out io.Writer // freebsd-update's output, as iocage shows it
	Err io.Writer // warnings
}

// Patch brings root up to the release's latest patch level with the
// root's own freebsd-update, devfs mounted on ROOT/dev around it, and
// returns the USERLAND_VERSION it ends at.
func (p *Patcher) Patch(ctx context.Context, root, rel string) (userland string, err error) {
	conf := filepath.Join(root, "etc/freebsd-update.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		return "", fmt.Errorf("Failed to update %s: %w", rel, err)
	}
	if !hasServerName(data) {
		return "", fmt.Errorf("Failed to update %s: %s has no ServerName", rel, conf)
	}
	fu := UpdateBinary(root)
	if err := os.MkdirAll(filepath.Join(root, "dev"), 0o555); err != nil {
		return "", err
	}
	if _, err := p.Run.Run(ctx, host.Cmd{Name: "mount", Args: DevfsMountArgs(root)}); err != nil {
		return "", err
	}
	defer func() {
		// Unmounted even after an interrupt, hence a context of its own.
		if _, uerr := p.Run.Run(context.WithoutCancel(ctx), host.Cmd{Name: "umount", Args: DevfsUnmountArgs(root)}); uerr != nil && err == nil {
			err = uerr
		}
	}()
	out := p.Out
	if out == nil {
		out = io.Discard
	}
	eol := &lineMatcher{re: eolRE}
	_, err = p.Run.Run(ctx, host.Cmd{Name: fu, Args: UpdateArgs(root, "fetch"), Env: UpdateEnv(rel), Stdout: io.MultiWriter(out, eol), Stderr: p.Err})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("Failed to update %s: %s is missing", rel, fu)
		}
		if ctx.Err() != nil || !eol.matched() {
			return "", err
		}
		p.warn("%s is past its end of life: freebsd-update fetched what it could", rel)
	}
	_, err = p.Run.Run(ctx, host.Cmd{Name: fu, Args: UpdateArgs(root, "install"), Env: UpdateEnv(rel), Stdout: out, Stderr: p.Err})
	if err != nil && (ctx.Err() != nil || host.ExitCodeOf(err) != exitNothingToInstall) {
		return "", err
	}
	return UserlandVersion(root), nil
}

func (p *Patcher) warn(format string, a ...any) {
	if p.Err != nil {
		fmt.Fprintf(p.Err, "WARNING: "+format+"\n", a...)
	}
}

func hasServerName(conf []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(conf))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "ServerName" {
			return true
		}
	}
	return false
}

// UserlandVersion reads USERLAND_VERSION from ROOT/bin/freebsd-version
// without running anything; "" when there is none.
func UserlandVersion(root string) string { return jail.UserlandVersion(root) }

// lineMatcher watches a stream line by line for one pattern.
type lineMatcher struct {
	mu   sync.Mutex
	re   *regexp.Regexp
	line []byte
	hit  bool
}

func (m *lineMatcher) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range p {
		if c == '\n' {
			m.check()
			continue
		}
		if len(m.line) < 4096 {
			m.line = append(m.line, c)
		}
	}
	return len(p), nil
}

func (m *lineMatcher) check() {
	if m.re.Match(m.line) {
		m.hit = true
	}
	m.line = m.line[:0]
}

func (m *lineMatcher) matched() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.check()
	return m.hit
}

package release

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lazyregexp"
)

// UpdateArgs is freebsd-update's command line for a root: each argument
// its own argv element (iocage#1297 came from passing some of them as one
// string). The work directory and the configuration are host-owned (see
// Session), never the root's own var/db/freebsd-update and
// etc/freebsd-update.conf, which the jail could have made symlinks.
func UpdateArgs(root, workdir, conf, command string) []string {
	args := []string{"-b", root, "-d", workdir + "/", "-f", conf}
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

// eolRE is freebsd-update's end-of-life warning; with it fetch exits 1
// although it did its work.
var eolRE = lazyregexp.New(`WARNING: FreeBSD [0-9]+\.[0-9]+-[A-Z0-9]+ HAS PASSED ITS END-OF-LIFE DATE`)

// exitNothingToInstall is freebsd-update install's status when there is
// nothing to install (13.0 and later).
const exitNothingToInstall = 2

// Patcher runs the patch step on a root.
type Patcher struct {
	Run   host.Runner
	Tools *Tools    // where freebsd-update comes from
	Out   io.Writer // freebsd-update's output, as iocage shows it
	Err   io.Writer // warnings
}

// Patch brings root up to the release's latest patch level with a
// host-owned freebsd-update, devfs mounted on ROOT/dev around it, and
// returns the USERLAND_VERSION it ends at.
func (p *Patcher) Patch(ctx context.Context, root, rel string) (userland string, err error) {
	ss, err := OpenSession(ctx, p.Tools, root, rel)
	if err != nil {
		return "", fmt.Errorf("Failed to update %s: %w", rel, err)
	}
	defer ss.Close()
	unmount, err := ss.mountDevfs(ctx, p.Run)
	if err != nil {
		return "", err
	}
	defer func() {
		if uerr := unmount(); uerr != nil && err == nil {
			err = uerr
		}
	}()
	out := p.Out
	if out == nil {
		out = io.Discard
	}
	eol := &lineMatcher{re: eolRE}
	_, err = p.Run.Run(ctx, host.Cmd{Name: ss.Tool, Args: UpdateArgs(root, ss.WorkDir, ss.Conf, "fetch"), Env: UpdateEnv(rel), Stdout: io.MultiWriter(out, eol), Stderr: p.Err})
	if err != nil {
		if ctx.Err() != nil || !eol.matched() {
			return "", err
		}
		p.warn("%s is past its end of life: freebsd-update fetched what it could", rel)
	}
	_, err = p.Run.Run(ctx, host.Cmd{Name: ss.Tool, Args: UpdateArgs(root, ss.WorkDir, ss.Conf, "install"), Env: UpdateEnv(rel), Stdout: out, Stderr: p.Err})
	if err != nil && (ctx.Err() != nil || host.ExitCodeOf(err) != exitNothingToInstall) {
		return "", err
	}
	return inventory.UserlandVersion(root), nil
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

// lineMatcher watches a stream line by line for one pattern.
type lineMatcher struct {
	mu   sync.Mutex
	re   *lazyregexp.Regexp
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

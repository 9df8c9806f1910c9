package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
)

// ErrNoGit is a host without git(1). iocage's plugins need it too
// (GitPython drives it); FreeBSD's base has none.
var ErrNoGit = errors.New(`plugins need git(1), which is not installed: install it with "pkg install git"`)

// NeedGit fails with ErrNoGit when the host has no git(1): a plugin
// command asks before it changes anything.
func NeedGit(ctx context.Context, run host.Runner) error {
	if _, err := run.Run(ctx, argv.GitVersion()); err != nil {
		return gitErr(err)
	}
	return nil
}

// CheckRepoURL refuses a repository URL that git could take for
// something other than a repository: one starting with '-' (an option),
// one with a control character, and a remote helper's
// "<transport>::<address>" (ext:: runs any command it is given). The
// plugin index, which names the artifacts' URLs, is whatever its server
// sends; git's own command line restricts the transports once more
// (argv.GitClone).
func CheckRepoURL(url string) error {
	switch {
	case url == "":
		return errors.New("no plugin repository URL")
	case strings.HasPrefix(url, "-"):
		return fmt.Errorf("refusing repository URL %q: it starts with '-'", url)
	case strings.ContainsFunc(url, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("refusing repository URL %q: it holds a control character", url)
	}
	if helper, _, ok := strings.Cut(url, "::"); ok && isURLScheme(helper) {
		return fmt.Errorf("refusing repository URL %q: git remote helpers (%s::) are not allowed", url, helper)
	}
	return nil
}

// isURLScheme is git's is_urlschemechar over s (transport.c): a letter,
// then letters, digits, '+', '-' and '.'; what git reads before "::" as
// the name of a remote helper.
func isURLScheme(s string) bool {
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

// Checkout is a git repository checked out at a branch: the plugin index
// and each plugin's artifact, kept with the host's git(1) as iocage keeps
// them.
type Checkout struct {
	Run    host.Runner // runs git
	URL    string
	Dir    string
	Branch string    // wanted branch
	Out    io.Writer // iocage's messages (branch fallback)
}

// Sync brings Dir to the newest commit of Branch at URL, as
// IOCPlugin._clone_repo does: a directory that is not a clone of URL is
// cloned afresh; a branch the remote lacks falls back to master, with
// iocage's message. It returns the branch checked out. A URL or branch
// git could misread, and a host without git, are refused before Dir is
// touched.
func (c Checkout) Sync(ctx context.Context) (string, error) {
	if err := CheckRepoURL(c.URL); err != nil {
		return "", err
	}
	if c.Branch == "" || strings.HasPrefix(c.Branch, "-") {
		return "", fmt.Errorf("invalid branch %q for %s", c.Branch, c.URL)
	}
	clone, err := c.isClone(ctx)
	if err != nil {
		return "", err
	}
	if !clone {
		if err := os.RemoveAll(c.Dir); err != nil {
			return "", err
		}
		if _, err := c.Run.Run(ctx, argv.GitClone(c.URL, c.Dir)); err != nil {
			os.RemoveAll(c.Dir)
			return "", fmt.Errorf("clone %s: %w", c.URL, gitErr(err))
		}
	} else if _, err := c.Run.Run(ctx, argv.GitFetch(c.Dir)); err != nil {
		return "", fmt.Errorf("update %s: %w", c.URL, gitErr(err))
	}
	branch := c.Branch
	commit, err := c.remoteCommit(ctx, branch)
	if err != nil {
		return "", err
	}
	if commit == "" {
		if c.Out != nil {
			fmt.Fprintf(c.Out, "\nBranch %s does not exist at %s!\n", branch, c.URL)
			fmt.Fprintln(c.Out, `Using "master" branch for plugin, this may not work with your RELEASE`)
		}
		branch = "master"
		if commit, err = c.remoteCommit(ctx, branch); err != nil {
			return "", err
		}
		if commit == "" {
			return "", fmt.Errorf("%s has neither branch %s nor master", c.URL, c.Branch)
		}
	}
	if _, err := c.Run.Run(ctx, argv.GitCheckout(c.Dir, branch, commit)); err != nil {
		return "", fmt.Errorf("checkout %s of %s: %w", branch, c.URL, gitErr(err))
	}
	return branch, nil
}

// isClone reports whether Dir is a clone of URL: a git repository whose
// origin has URL among its URLs (iocage's _verify_git_repo). Only a
// missing git is an error; anything else that is not such a clone is
// cloned afresh.
func (c Checkout) isClone(ctx context.Context) (bool, error) {
	if _, err := os.Lstat(c.Dir); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	out, err := c.Run.Run(ctx, argv.GitOriginURLs(c.Dir))
	if errors.Is(err, host.ErrNotFound) {
		return false, ErrNoGit
	}
	if err != nil {
		return false, nil
	}
	for _, u := range strings.Split(string(out), "\n") {
		if u == c.URL {
			return true, nil
		}
	}
	return false, nil
}

// remoteCommit is the commit origin's branch is at, or "" when origin
// has no such branch.
func (c Checkout) remoteCommit(ctx context.Context, branch string) (string, error) {
	out, err := c.Run.Run(ctx, argv.GitRemoteCommit(c.Dir, branch))
	var re *host.RunError
	if errors.As(err, &re) && re.ExitCode == 1 && strings.TrimSpace(re.Stderr) == "" {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("branch %s of %s: %w", branch, c.URL, gitErr(err))
	}
	commit := strings.TrimSpace(string(out))
	if len(commit) != 40 && len(commit) != 64 || strings.Trim(commit, "0123456789abcdef") != "" {
		return "", fmt.Errorf("branch %s of %s: git answered %q, not a commit id", branch, c.URL, commit)
	}
	return commit, nil
}

// gitError is a failed git command told by what git said last on
// stderr ("fatal: repository '...' not found"), not by its long command
// line; the run error, argv and all, stays underneath.
type gitError struct{ run *host.RunError }

func (e gitError) Error() string {
	msg := strings.TrimSpace(e.run.Stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	if msg == "" {
		return "git: " + e.run.Err.Error()
	}
	return msg
}

func (e gitError) Unwrap() error { return e.run }

func gitErr(err error) error {
	if errors.Is(err, host.ErrNotFound) {
		return ErrNoGit
	}
	var re *host.RunError
	if errors.As(err, &re) {
		return gitError{re}
	}
	return err
}

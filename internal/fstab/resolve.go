package fstab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// ErrOutsideRoot is matched (errors.Is) by every refusal of Resolve.
var ErrOutsideRoot = errors.New("destination outside the jail's root")

// ConfineError is a destination Resolve refuses, with the reason in words.
type ConfineError struct {
	Dest   string // as given, inside the jail
	Root   string // the jail root on the host
	Reason string
}

func (e *ConfineError) Error() string { return "Destination: " + e.Dest + " " + e.Reason }

// Is makes errors.Is(err, ErrOutsideRoot) true.
func (e *ConfineError) Is(target error) bool { return target == ErrOutsideRoot }

// maxSymlinks is FreeBSD's MAXSYMLINKS: the kernel gives up (ELOOP) after
// this many links in one lookup.
const maxSymlinks = 32

// Resolve turns dest, a path as seen inside the jail ("/mnt/data"), into
// the host path under jailRoot that mount(8) will use, and refuses any
// destination that would land outside the jail's root:
//
//   - a ".." that climbs above the jail's "/";
//   - a symlink on the way whose target the host resolves elsewhere than
//     the jail would (an absolute link such as root/mnt -> /etc names the
//     host's /etc when mount(8) follows it; a relative one may climb out);
//   - a symlink that leads to the jail's root itself.
//
// Symlinks that stay inside the jail (usr/home from home, say) are
// followed, and the result is the symlink-free path, so the stored entry
// does not depend on them. The check holds for the tree as it is now:
// whoever can change the jail's files later can change its symlinks too.
func Resolve(jailRoot, dest string) (string, error) {
	root := filepath.Clean(jailRoot)
	if !filepath.IsAbs(root) {
		return "", fmt.Errorf("jail root %s is not an absolute path", jailRoot)
	}
	refuse := func(format string, a ...any) error {
		return &ConfineError{Dest: dest, Root: root, Reason: fmt.Sprintf(format, a...)}
	}
	if !strings.HasPrefix(dest, "/") {
		return "", refuse("must use an absolute path!")
	}
	if climbs(dest) {
		return "", refuse("climbs out of the jail's root (%s) through \"..\"", root)
	}
	clean := filepath.Clean(dest)
	inside, err := securejoin.SecureJoin(root, clean)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return "", refuse("has too many levels of symbolic links")
		}
		return "", fmt.Errorf("resolve %s in %s: %w", dest, root, err)
	}
	host, links, err := hostResolve(root, clean)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return "", refuse("has too many levels of symbolic links")
		}
		return "", fmt.Errorf("resolve %s in %s: %w", dest, root, err)
	}
	if host != inside || !Within(root, host) {
		return "", refuse("resolves through the symlink %s to %s, outside the jail's root (%s)", describe(links), host, root)
	}
	if len(links) > 0 && inside == root && clean != "/" {
		return "", refuse("resolves through the symlink %s to the jail's root itself (%s)", describe(links), root)
	}
	return inside, nil
}

// InJail joins dest, a path inside the jail, to the jail root lexically,
// with ".." stopping at the jail's "/". It does not look at the disk: it
// names an entry to match, never a place to mount.
func InJail(jailRoot, dest string) string {
	return filepath.Join(filepath.Clean(jailRoot), filepath.Clean("/"+dest)) // confine: a name to match, never opened
}

// Within reports whether p is root or below it.
func Within(root, p string) bool {
	root, p = filepath.Clean(root), filepath.Clean(p)
	return p == root || root == "/" || strings.HasPrefix(p, root+"/")
}

// climbs reports whether a ".." in p goes above its first component.
func climbs(p string) bool {
	depth := 0
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "", ".":
		case "..":
			if depth--; depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}

// symlink is one link met on the way: where it is and what it says.
type symlink struct{ at, target string }

func describe(links []symlink) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = l.at + " -> " + l.target
	}
	return strings.Join(parts, ", ")
}

// hostResolve follows rel from root the way the host kernel will when
// mount(8) gets the path: absolute link targets start again at the host's
// "/", and ".." may leave root. Components that do not exist are taken as
// they are.
func hostResolve(root, rel string) (string, []symlink, error) {
	cur := root
	rest := strings.Split(rel, "/")
	var links []symlink
	for len(rest) > 0 {
		part := rest[0]
		rest = rest[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				cur = next
				continue
			}
			return "", links, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if len(links) == maxSymlinks {
			return "", links, syscall.ELOOP
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", links, err
		}
		at := next
		if Within(root, next) {
			at = "/" + strings.TrimPrefix(strings.TrimPrefix(next, root), "/")
		}
		links = append(links, symlink{at, target})
		if filepath.IsAbs(target) {
			cur = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return cur, links, nil
}

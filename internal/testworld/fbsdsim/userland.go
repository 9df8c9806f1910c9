package fbsdsim

// Pieces shared by the userland tools (freebsd-update, freebsd-version,
// pkg, sysrc, sysctl, uname, etcupdate, kldload, service).
//
// Paths. The simulator runs on Linux, so "the FreeBSD host" needs a home:
//   - A path given explicitly on a command line (freebsd-update -b/-d/-f,
//     sysrc -f/-R, pkg -c/-r, etcupdate -D/-d/-s/-t, ROOT=...) is a real
//     path and is used as it is.
//   - A path the real tool would find on its own (/etc/rc.conf,
//     /etc/defaults/rc.conf, /var/db/freebsd-update, /etc/rc.d, the host's
//     /bin/freebsd-version, freebsd-update's BASEDIR "/") lives under the
//     directory named by JCAGE_SIM_ROOT. Without that setting such paths
//     are read from the real "/" (harmless: they do not exist on Linux) and
//     any write to them is refused, so a test can never edit the Linux
//     host's /etc.
//   - Inside a jail (-j JAIL) paths are resolved under the jail's path as
//     recorded in the simulator's jail state.
//
// Settings shared by these tools:
//   JCAGE_SIM_ROOT          directory standing in for the FreeBSD host's "/"
//   JCAGE_SIM_HOST_RELEASE  the host kernel's release (else JCAGE_SIM_OSRELEASE,
//                           else 14.3-RELEASE); uname -r, sysctl kern.osrelease
//   JCAGE_SIM_MACHINE       hw.machine (default amd64); JCAGE_SIM_MACHINE_ARCH
//                           overrides the derived hw.machine_arch
//   JCAGE_SIM_UID           the uid "must be root" checks see (default: real euid)
//   JCAGE_SIM_TTY=1|0       whether stdin counts as a terminal
//
// Identifiers in these files carry a per-tool prefix (fu, fv, pkg, sysrc,
// sysctl, uname, etcupd, kld, svc) or "ul" for the shared ones, so they
// cannot clash with the kernel-facing tools (jail, jls, mount, ...) that
// live in the same package.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Settings read by more than one tool.
const (
	ulDefaultHostRelease = "14.3-RELEASE"
	ulDefaultMachine     = "amd64"
)

// ulOpt is one parsed option.
type ulOpt struct {
	c   byte
	arg string
}

// ulOptErr describes a getopt failure: an unknown option letter or a
// missing option argument.
type ulOptErr struct {
	missing bool
	c       byte
}

// libc is the message getopt(3) prints (FreeBSD libc wording).
func (o *ulOptErr) libc(prog string) string {
	if o.missing {
		return fmt.Sprintf("%s: option requires an argument -- %c", prog, o.c)
	}
	return fmt.Sprintf("%s: illegal option -- %c", prog, o.c)
}

// sh is the message sh(1)'s getopts builtin prints (FreeBSD sh wording).
func (o *ulOptErr) sh() string {
	if o.missing {
		return fmt.Sprintf("No arg for -%c option", o.c)
	}
	return fmt.Sprintf("Illegal option -%c", o.c)
}

// ulGetopt parses args the way BSD getopt(3) does: options may be
// clustered ("-nq"), an option argument may be attached ("-fFILE") or the
// next word, "--" ends the options, and the first non-option word (or a
// lone "-") stops parsing. spec uses getopt's syntax ("f:nq").
func ulGetopt(args []string, spec string) ([]ulOpt, []string, *ulOptErr) {
	var opts []ulOpt
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(spec, c)
			if c == ':' || k < 0 {
				return opts, args[i+1:], &ulOptErr{c: c}
			}
			if k+1 < len(spec) && spec[k+1] == ':' {
				if j+1 < len(a) {
					opts = append(opts, ulOpt{c, a[j+1:]})
				} else if i+1 < len(args) {
					i++
					opts = append(opts, ulOpt{c, args[i]})
				} else {
					return opts, nil, &ulOptErr{missing: true, c: c}
				}
				break
			}
			opts = append(opts, ulOpt{c: c})
		}
		i++
	}
	return opts, args[i:], nil
}

// ulSimRoot returns the directory standing in for the FreeBSD host's "/"
// (JCAGE_SIM_ROOT) and whether it is set.
func ulSimRoot(e *Env) (string, bool) {
	r := e.Setting("ROOT")
	if r == "" {
		return "/", false
	}
	return r, true
}

// ulHostPath maps a path the real tool would find by itself on the host
// (for example /etc/rc.conf) to where the simulator keeps it.
func ulHostPath(e *Env, p string) string {
	root, _ := ulSimRoot(e)
	return ulJoin(root, p)
}

// ulHostWritable reports whether host-default paths may be modified; it
// is false when no JCAGE_SIM_ROOT is set, to protect the Linux host.
func ulHostWritable(e *Env) bool {
	_, ok := ulSimRoot(e)
	return ok
}

// ulRefuseHostWrite prints the refusal used when a tool would modify the
// real Linux "/" and returns the exit status for it.
func ulRefuseHostWrite(e *Env, what string) int {
	return e.Errorf(70, "fbsdsim: refusing to modify %s on the Linux host; set JCAGE_SIM_ROOT to a directory standing in for the FreeBSD host", what)
}

// ulJoin joins p under root, keeping the result inside root even when p
// climbs with "..", as a chroot would.
func ulJoin(root, p string) string {
	clean := filepath.Clean("/" + p)
	if root == "" || root == "/" {
		return clean
	}
	return filepath.Join(root, clean)
}

// ulHostRelease is the host's kernel release (kern.osrelease):
// JCAGE_SIM_HOST_RELEASE, else JCAGE_SIM_OSRELEASE (the name the jail
// side of the simulator reads), else 14.3-RELEASE.
func ulHostRelease(e *Env) string {
	if r := e.Setting("HOST_RELEASE"); r != "" {
		return r
	}
	if r := e.Setting("OSRELEASE"); r != "" {
		return r
	}
	return ulDefaultHostRelease
}

// ulMachine is hw.machine (uname -m).
func ulMachine(e *Env) string {
	if m := e.Setting("MACHINE"); m != "" {
		return m
	}
	return ulDefaultMachine
}

// ulMachineArch is hw.machine_arch (uname -p), derived from the machine
// the way FreeBSD's release tooling pairs them.
func ulMachineArch(e *Env) string {
	if a := e.Setting("MACHINE_ARCH"); a != "" {
		return a
	}
	switch m := ulMachine(e); m {
	case "arm64":
		return "aarch64"
	case "powerpc":
		return "powerpc64"
	case "riscv":
		return "riscv64"
	default:
		return m
	}
}

// ulHostUserland is the host's userland version: USERLAND_VERSION of
// JCAGE_SIM_ROOT/bin/freebsd-version when that file exists, else the host
// kernel release (a freshly installed host runs matching kernel and world).
func ulHostUserland(e *Env) string {
	if root, ok := ulSimRoot(e); ok {
		if v, err := ulUserland(root); err == nil {
			return v
		}
	}
	return ulHostRelease(e)
}

var ulUserlandLine = regexp.MustCompile(`^USERLAND_VERSION=["']?([^"'\s]*)["']?\s*$`)

// ulUserland reads USERLAND_VERSION from root/bin/freebsd-version without
// executing it, the way iocage reads a jail's release.
func ulUserland(root string) (string, error) {
	p := ulJoin(root, "/bin/freebsd-version")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if m := ulUserlandLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("%s: no USERLAND_VERSION line", p)
}

// ulSetUserland rewrites the USERLAND_VERSION line of
// root/bin/freebsd-version, creating a minimal script when the file is
// missing, and keeps the rest of the file byte for byte.
func ulSetUserland(root, version string) error {
	p := ulJoin(root, "/bin/freebsd-version")
	line := fmt.Sprintf("USERLAND_VERSION=%q", version)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		script := "#!/bin/sh\nset -ef\n\n" + line + "\n\necho $USERLAND_VERSION\n"
		return os.WriteFile(p, []byte(script), 0o555)
	}
	if err != nil {
		return err
	}
	lines := strings.Split(string(b), "\n")
	done := false
	for i, l := range lines {
		if ulUserlandLine.MatchString(strings.TrimSpace(l)) {
			lines[i] = line
			done = true
			break
		}
	}
	if !done {
		return fmt.Errorf("%s: no USERLAND_VERSION line", p)
	}
	return ulWriteKeepMode(p, []byte(strings.Join(lines, "\n")))
}

// ulWriteKeepMode replaces a file's contents atomically, keeping its mode.
func ulWriteKeepMode(p string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(p); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".fbsdsim-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Chmod(name, mode); err != nil {
		os.Remove(name)
		return err
	}
	return os.Rename(name, p)
}

// ulRelease splits "13.4-RELEASE-p3" into base "13.4-RELEASE" and patch 3.
func ulRelease(v string) (base string, patch int) {
	if i := strings.LastIndex(v, "-p"); i > 0 {
		if n, err := strconv.Atoi(v[i+2:]); err == nil {
			return v[:i], n
		}
	}
	return v, 0
}

// ulMajorMinor extracts 14 and 3 from "14.3-RELEASE...".
func ulMajorMinor(v string) (int, int, bool) {
	num := v
	if i := strings.IndexByte(v, '-'); i >= 0 {
		num = v[:i]
	}
	parts := strings.SplitN(num, ".", 2)
	maj, err := strconv.Atoi(parts[0])
	if err != nil {
		return 0, 0, false
	}
	minor := 0
	if len(parts) == 2 {
		if minor, err = strconv.Atoi(parts[1]); err != nil {
			return 0, 0, false
		}
	}
	return maj, minor, true
}

// ulOSRelDate is __FreeBSD_version for a release: 14.3 -> 1403000.
func ulOSRelDate(release string) int {
	maj, minor, ok := ulMajorMinor(release)
	if !ok {
		return 0
	}
	return maj*100000 + minor*1000
}

// ulEUID is the effective uid the real tool would see; JCAGE_SIM_UID
// overrides it so tests can exercise the "must be root" paths.
func ulEUID(e *Env) int {
	if s := e.Setting("UID"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return os.Geteuid()
}

// ulStdinIsTTY reports whether stdin is a terminal, as `[ -t 0 ]` would.
// JCAGE_SIM_TTY=1/0 forces the answer. Without it a character device
// other than /dev/null counts as a terminal (portable, no ioctl needed).
func ulStdinIsTTY(e *Env) bool {
	switch e.Setting("TTY") {
	case "1", "yes", "true":
		return true
	case "0", "no", "false":
		return false
	}
	f, ok := e.Stdin.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}

// ulList splits a comma- or space-separated setting.
func ulList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// ulSHA256 is the lowercase hex SHA-256 of s.
func ulSHA256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// ulReadLine reads one line from r without buffering past it, so that
// several prompts in one invocation each get their own line of stdin.
// ok is false at end of input with nothing read.
func ulReadLine(r io.Reader) (string, bool) {
	if r == nil {
		return "", false
	}
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return string(b), true
			}
			b = append(b, one[0])
			continue
		}
		if err != nil {
			return string(b), len(b) > 0
		}
	}
}

// ulJail is what the userland tools need to know about a running jail.
type ulJail struct {
	Name     string
	JID      int
	Path     string
	Hostname string
}

// ulFindJail looks a running jail up by jid or name in the simulator's
// jail state. That state belongs to the simulated jail(8); its exact
// shape is not fixed here, so every state file whose name contains
// "jail" is searched for a JSON object carrying a "path" and a matching
// "name" or "jid" (an object keyed by jail name also works). Dying jails
// are skipped. A missing or unreadable state means "no such jail".
func ulFindJail(e *Env, key string) (ulJail, bool) {
	if key == "" {
		return ulJail{}, false
	}
	files, _ := filepath.Glob(filepath.Join(e.State, "*jail*.json"))
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var v any
		if json.Unmarshal(b, &v) != nil {
			continue
		}
		if j, ok := ulWalkJails(v, "", key); ok {
			return j, true
		}
	}
	return ulJail{}, false
}

func ulWalkJails(v any, parentKey, key string) (ulJail, bool) {
	switch t := v.(type) {
	case map[string]any:
		if j, ok := ulJailFromObject(t, parentKey); ok && ulJailMatches(j, key) {
			return j, true
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if j, ok := ulWalkJails(t[k], k, key); ok {
				return j, true
			}
		}
	case []any:
		for _, x := range t {
			if j, ok := ulWalkJails(x, "", key); ok {
				return j, true
			}
		}
	}
	return ulJail{}, false
}

func ulJailFromObject(m map[string]any, parentKey string) (ulJail, bool) {
	// Fields may sit on the object itself or one level down (a jail
	// record holding its parameters in a nested map); the object's own
	// fields win.
	get := func(names ...string) (any, bool) {
		for _, n := range names {
			for k, v := range m {
				if strings.EqualFold(k, n) {
					return v, true
				}
			}
		}
		for _, n := range names {
			for _, sub := range m {
				sm, ok := sub.(map[string]any)
				if !ok {
					continue
				}
				for k, v := range sm {
					if strings.EqualFold(k, n) {
						return v, true
					}
				}
			}
		}
		return nil, false
	}
	pv, ok := get("path")
	if !ok {
		return ulJail{}, false
	}
	path, ok := pv.(string)
	if !ok {
		return ulJail{}, false
	}
	if d, ok := get("dying"); ok {
		switch x := d.(type) {
		case bool:
			if x {
				return ulJail{}, false
			}
		case string:
			if x == "true" || x == "1" {
				return ulJail{}, false
			}
		}
	}
	if s, ok := get("state"); ok {
		if str, ok := s.(string); ok && strings.EqualFold(str, "DYING") {
			return ulJail{}, false
		}
	}
	j := ulJail{Path: path, Name: parentKey}
	if n, ok := get("name"); ok {
		if s, ok := n.(string); ok && s != "" {
			j.Name = s
		}
	}
	if id, ok := get("jid"); ok {
		switch x := id.(type) {
		case float64:
			j.JID = int(x)
		case string:
			j.JID, _ = strconv.Atoi(x)
		}
	}
	if h, ok := get("host.hostname", "hostname"); ok {
		if s, ok := h.(string); ok {
			j.Hostname = s
		}
	}
	return j, j.Name != "" || j.JID != 0
}

func ulJailMatches(j ulJail, key string) bool {
	if n, err := strconv.Atoi(key); err == nil && n > 0 {
		return j.JID == n
	}
	return j.Name == key
}

// ulJailNotFound prints libjail's error for an unknown jail, prefixed by
// prog (jexec, pkg, ...), and returns 1.
func ulJailNotFound(e *Env, prog, key string) int {
	if n, err := strconv.Atoi(key); err == nil && n > 0 {
		fmt.Fprintf(e.Stderr, "%s: jail %d not found\n", prog, n)
		return 1
	}
	fmt.Fprintf(e.Stderr, "%s: jail \"%s\" not found\n", prog, key)
	return 1
}

// ulErrno renders an error the way strerror(3) would name it.
func ulErrno(err error) string {
	switch {
	case os.IsNotExist(err):
		return "No such file or directory"
	case os.IsPermission(err):
		return "Permission denied"
	case os.IsExist(err):
		return "File exists"
	}
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

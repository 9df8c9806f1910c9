package fbsdsim

// Rules of the FreeBSD kernel and of the libraries jail(8) is built on
// that the simulated tools share. Each rule names the ledger line
// (FIDELITY.md) that traces it to FreeBSD's source.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// strunvis decodes s as lib/libc strunvis(3) does (contrib/libc-vis/unvis.c:
// unvis() with flag 0, driven by strnunvisx()). ok is false where strunvis
// returns -1: an escape the state machine does not know (S_START, S_META
// or S_HEX on a wrong character). A string that ends inside an escape is
// not an error: strnunvisx ignores UNVIS_SYNBAD from the final UNVIS_END
// call and only flushes a pending octal or hex value. The result ends at
// the first NUL, as the C string does. Ledger: [unvis].
func strunvis(s string) (string, bool) {
	const (
		sGround = iota
		sStart
		sMeta
		sMeta1
		sCtrl
		sOctal2
		sOctal3
		sHex
		sHex1
		sHex2
	)
	var out []byte
	state := sGround
	var cp byte
	isOctal := func(c byte) bool { return c >= '0' && c <= '7' }
	xtod := func(c byte) byte {
		switch {
		case c >= '0' && c <= '9':
			return c - '0'
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10
		}
		return c - 'A' + 10
	}
	isX := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			break
		}
	again:
		switch state {
		case sGround:
			cp = 0
			if c == '\\' {
				state = sStart
				continue
			}
			out = append(out, c)
		case sStart:
			state = sGround
			switch c {
			case '\\':
				out = append(out, c)
			case '0', '1', '2', '3', '4', '5', '6', '7':
				cp, state = c-'0', sOctal2
			case 'M':
				cp, state = 0o200, sMeta
			case '^':
				state = sCtrl
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 'b':
				out = append(out, '\b')
			case 'a':
				out = append(out, 7)
			case 'v':
				out = append(out, '\v')
			case 't':
				out = append(out, '\t')
			case 'f':
				out = append(out, '\f')
			case 's':
				out = append(out, ' ')
			case 'E':
				out = append(out, 0o33)
			case 'x':
				state = sHex
			case '\n', '$':
				// hidden newline, hidden marker
			default:
				return string(out), false
			}
		case sMeta:
			switch c {
			case '-':
				state = sMeta1
			case '^':
				state = sCtrl
			default:
				return string(out), false
			}
		case sMeta1:
			state = sGround
			out = append(out, cp|c)
		case sCtrl:
			state = sGround
			if c == '?' {
				out = append(out, cp|0o177)
			} else {
				out = append(out, cp|c&0o37)
			}
		case sOctal2:
			if isOctal(c) {
				cp, state = cp<<3+(c-'0'), sOctal3
				continue
			}
			state = sGround
			out = append(out, cp)
			goto again // UNVIS_VALIDPUSH
		case sOctal3:
			state = sGround
			if isOctal(c) {
				out = append(out, cp<<3+(c-'0'))
				continue
			}
			out = append(out, cp)
			goto again
		case sHex:
			if !isX(c) {
				return string(out), false
			}
			fallthrough
		case sHex1:
			if isX(c) {
				cp, state = xtod(c), sHex2
				continue
			}
			state = sGround
			out = append(out, cp)
			goto again
		case sHex2:
			state = sGround
			if isX(c) {
				out = append(out, xtod(c)|cp<<4)
				continue
			}
			out = append(out, cp)
			goto again
		}
	}
	switch state { // unvis(..., UNVIS_END)
	case sOctal2, sOctal3, sHex2:
		out = append(out, cp)
	}
	if i := strings.IndexByte(string(out), 0); i >= 0 {
		out = out[:i]
	}
	return string(out), true
}

// Kernel string limits of kern_jail.c kern_jail_set(): a string parameter
// arrives with its NUL, and len > LIMIT is ENAMETOOLONG, so the longest
// value is LIMIT-1 bytes. Ledger: [kern-limits].
var kernelStringLimits = map[string]int{
	"host.hostname":   256,  // MAXHOSTNAMELEN
	"host.domainname": 256,  // MAXHOSTNAMELEN
	"host.hostuuid":   64,   // HOSTUUIDLEN
	"path":            1024, // MAXPATHLEN
	"name":            256,  // MAXHOSTNAMELEN (pr_name is char[MAXHOSTNAMELEN])
}

// kernelLimitError is what jail(8) prints after "NAME: " when jail_set(2)
// refuses a value as too long: libjail's jailparam_set() fills jail_errmsg
// with "jail_set: " and strerror(ENAMETOOLONG). Empty when every value fits.
func kernelLimitError(kernel map[string]string) string {
	for name, limit := range kernelStringLimits {
		if v, ok := kernel[name]; ok && len(v)+1 > limit {
			return "jail_set: File name too long"
		}
	}
	return ""
}

// Parameters that exist only once a kernel module is in: the module's
// SYSCTL_JAIL_PARAM and prison_add_vfs() (kern_jail.c, called by
// vfs_register() for each file system that registers) add them. Ledger:
// [module-params].
func paramModule(name string) string {
	switch {
	case name == "allow.vmm":
		return "vmm"
	case strings.HasPrefix(name, "allow.mount.") && name != "allow.mount":
		return strings.TrimPrefix(name, "allow.mount.")
	}
	return ""
}

// builtinFS are the file systems a stock GENERIC kernel registers without
// a module; any other allow.mount.<fs> needs that module loaded.
var builtinFS = map[string]bool{"devfs": true, "procfs": true, "tmpfs": true}

// moduleParamMissing reports whether parameter name is absent from the
// simulated kernel: its module is neither built in nor loaded. When
// libjail's kldload_param() would load it (allow.mount.<fs> loads the
// module named <fs>; linux* and sysv* are the other cases, not
// module-dependent here), it is loaded as kldload(2) would and the
// parameter appears. The message is libjail's jailparam_type() "unknown
// parameter: NAME". Ledger: [module-params].
func (e *Env) moduleParamMissing(name string) string {
	mod := paramModule(name)
	if mod == "" || builtinFS[mod] {
		return ""
	}
	missing := ""
	err := e.Locked(func() error {
		st, err := kldLoad(e)
		if err != nil {
			return err
		}
		if st.Loaded[mod] != 0 {
			return nil
		}
		if strings.HasPrefix(name, "allow.mount.") && kldExists(e, mod) {
			st.LastID++
			st.Loaded[mod] = st.LastID
			return e.Save(kldStateFile, st)
		}
		missing = "unknown parameter: " + name
		return nil
	})
	if err != nil {
		return fmt.Sprintf("simulator state: %v", err)
	}
	return missing
}

// moduleParamsMissing checks every parameter of a create or set in order,
// as import_params() initialises them.
func (e *Env) moduleParamsMissing(p *jparams) string {
	for _, n := range p.order {
		if m := e.moduleParamMissing(n); m != "" {
			return m
		}
	}
	return ""
}

// kldLoad reads the loaded-module set (the caller holds the state lock).
func kldLoad(e *Env) (kldState, error) {
	st := kldInitial(e)
	if _, err := os.Stat(filepath.Join(e.State, kldStateFile)); err == nil {
		st = kldState{}
		if err := e.Load(kldStateFile, &st); err != nil {
			return st, err
		}
		if st.Loaded == nil {
			st.Loaded = map[string]int{}
		}
	}
	return st, nil
}

// checkPath is jail(8)'s check_path() (usr.sbin/jail/command.c): an
// absolute path, and below the jail's path no component may be a symbolic
// link; with umountType, the path must be a mount point of that type.
// The message is what jail(8) prints after "NAME: ". Ledger:
// [check-path].
func checkPath(jailPath, pname, path string, isFile bool) string {
	if !strings.HasPrefix(path, "/") {
		return fmt.Sprintf("%s: %s: not an absolute pathname", pname, path)
	}
	jp := jailPath
	if !(strings.HasPrefix(path, jp) && len(path) > len(jp) && path[len(jp)] == '/') {
		return ""
	}
	rest := path[len(jp)+1:]
	cur := jp
	parts := strings.Split(rest, "/")
	for k, part := range parts {
		cur = cur + "/" + part
		fi, err := os.Lstat(cur)
		if err != nil {
			if os.IsNotExist(err) && isFile && k == len(parts)-1 {
				break
			}
			return fmt.Sprintf("%s: %s: %s", pname, cur, errnoText(err))
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Sprintf("%s: %s is a symbolic link", pname, cur)
		}
	}
	return ""
}

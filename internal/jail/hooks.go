package jail

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/host"
)

// noopHook is the default of every host-side hook.
const noopHook = "/usr/bin/true"

// ErrNotExecutable is iocage's refusal of a one-word hook that is not an
// executable file.
var ErrNotExecutable = errors.New("Script is not executable!")

// HookCmd is the host command iocage runs for an exec_prestart,
// exec_poststart, exec_prestop or exec_poststop value: the value is split
// as a shell would split it; several words run as `/bin/sh -c WORDS`, one
// word must be an executable file and runs alone. ok is false for an empty
// value and for iocage's default, /usr/bin/true: both run nothing, and a
// boot of a hundred jails saves four hundred processes.
func HookCmd(script string) (c host.Cmd, ok bool, err error) {
	if strings.TrimSpace(script) == noopHook {
		return host.Cmd{}, false, nil
	}
	words, err := shellSplit(script)
	if err != nil {
		return host.Cmd{}, false, fmt.Errorf("%q: %w", script, err)
	}
	switch len(words) {
	case 0:
		return host.Cmd{}, false, nil
	case 1:
		if fi, err := os.Stat(words[0]); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return host.Cmd{}, false, ErrNotExecutable
		}
		return host.Cmd{Name: words[0]}, true, nil
	}
	return host.Cmd{Name: "/bin/sh", Args: []string{"-c", strings.Join(words, " ")}}, true, nil
}

// shellSplit splits s into words as Python's shlex.split does in POSIX
// mode: blanks separate words, single quotes keep everything, double
// quotes keep everything but a backslash before " \ $ `, and a backslash
// outside quotes escapes the next character.
func shellSplit(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("No closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("No closing quotation")
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// JexecCmd is how iocage runs a command inside a jail from the host:
// `setfib FIB jexec JNAME CMD...`, so the command sees the jail's FIB.
func JexecCmd(fib, name string, argv ...string) host.Cmd {
	return host.Cmd{Name: "setfib", Args: append([]string{fib, "jexec", JailName(name)}, argv...)}
}

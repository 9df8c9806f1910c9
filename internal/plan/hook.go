package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// noopHook is the default of every host-side hook.
const noopHook = "/usr/bin/true"

// ErrNotExecutable is iocage's refusal of a one-word hook that is not an
// executable file.
var ErrNotExecutable = errors.New("Script is not executable!")

// HookCmd is the host command iocage runs for an exec_prestart,
// exec_poststart, exec_prestop or exec_poststop value: the value is split
// as a shell would split it; several words run as `/bin/sh -c WORDS`, one
// word must be an executable file and runs alone (program is that file,
// for the caller to check). ok is false for an empty value and for
// iocage's default, /usr/bin/true: both run nothing, and a boot of a
// hundred jails saves four hundred processes.
func HookCmd(script string) (c argv.Cmd, program string, ok bool, err error) {
	if strings.TrimSpace(script) == noopHook {
		return argv.Cmd{}, "", false, nil
	}
	words, err := ShellSplit(script)
	if err != nil {
		return argv.Cmd{}, "", false, fmt.Errorf("%q: %w", script, err)
	}
	switch len(words) {
	case 0:
		return argv.Cmd{}, "", false, nil
	case 1:
		return argv.Command(words[0]), words[0], true, nil
	}
	return argv.Shell(strings.Join(words, " ")), "", true, nil
}

// ShellSplit splits s into words as Python's shlex.split does in POSIX
// mode: blanks separate words, single quotes keep everything, double
// quotes keep everything but a backslash before " \ $ `, and a backslash
// outside quotes escapes the next character.
func ShellSplit(s string) ([]string, error) {
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
			n, err := doubleQuoted(s[i+1:], &cur)
			if err != nil {
				return nil, err
			}
			i += n + 1
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

// doubleQuoted copies the inside of a double-quoted string from s (just
// after the opening quote) to cur, and returns the closing quote's index.
func doubleQuoted(s string, cur *strings.Builder) (int, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			return i, nil
		}
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
			i++
		}
		cur.WriteByte(s[i])
	}
	return 0, errors.New("No closing quotation")
}

// JexecCmd is how iocage runs a command inside a jail from the host:
// `setfib FIB jexec JNAME CMD...`, so the command sees the jail's FIB.
func JexecCmd(fib, name string, words ...string) argv.Cmd {
	return argv.Setfib(fib, argv.Jexec(JailName(name), words...))
}

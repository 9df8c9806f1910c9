package jail

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/plan"
)

// PluginStart is what a pluginv2 jail's manifest asks of every start
// (plan.PluginStart).
type PluginStart = plan.PluginStart

func ErrorText(err error) string { return strings.TrimSpace(err.Error()) }

// MultiError reports the jails a multi-jail command failed on; each
// failure was printed as it happened.
type MultiError struct {
	Verb  string
	Names []string
	First error
}

// CommandFailed is the error of a command whose own output already told
// the user what went wrong.
func CommandFailed(argv []string, err error) error {
	code := host.ExitCodeOf(err)
	if code < 0 {
		return err
	}
	return fmt.Errorf("Command: %s failed! (exit status %d)", strings.Join(argv, " "), code)
}

// ExecCmd is `jcage exec`: `setfib FIB jexec -u USER JNAME CMD...` (-U
// for a jail user). A single argument is a shell command line and runs
// through /bin/sh -c.
func ExecCmd(j *inventory.Jail, words []string, hostUser, jailUser string) (host.Cmd, error) {
	if hostUser != "" && jailUser != "" {
		return host.Cmd{}, errors.New("Please only specify either host_user or jail_user, not both!")
	}
	if len(words) == 0 {
		return host.Cmd{}, errors.New("Please specify a command to run")
	}
	if len(words) == 1 {
		words = argv.Shell(words[0]).Argv()
	}
	user := hostUser
	if jailUser != "" {
		user = jailUser
	}
	fib, _ := j.Props.Get("exec_fib")
	return argv.Setfib(fib, argv.JexecAs(user, jailUser != "", inventory.JailName(j.Name), words...)), nil
}

// CheckRootPath refuses a jail whose root directory the kernel cannot take
// as its path parameter.
func CheckRootPath(dir string) error {
	root := filepath.Join(dir, "root") // confine: host-owned, the root directory itself
	if m := config.LimitMessage("jail path "+root, root, config.MaxPathLen, "MAXPATHLEN"); m != "" {
		return fmt.Errorf("%s", m)
	}
	return nil
}

// JailStderr is what jail(8) said when it failed.
func JailStderr(err error) string {
	var re *host.RunError
	if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
		return strings.Join(strings.Fields(strings.TrimSpace(re.Stderr)), " ")
	}
	return ErrorText(err)
}

func (e *MultiError) Error() string {
	return fmt.Sprintf("failed to %s %d jail(s): %s", e.Verb, len(e.Names), strings.Join(e.Names, ", "))
}

func (e *MultiError) Unwrap() error { return e.First }

// ShowFailure copies what a quiet command printed before it failed.
func ShowFailure(w io.Writer, out []byte, err error) {
	if w == nil {
		return
	}
	w.Write(out)
	var re *host.RunError
	if errors.As(err, &re) && re.Stderr != "" {
		io.WriteString(w, re.Stderr)
	}
}

// PkgUpgradeArgv upgrades every package, run inside the jail with
// ASSUME_ALWAYS_YES=yes.
var PkgUpgradeArgv = []string{"/usr/local/sbin/pkg-static", "upgrade", "-f", "-q", "-y"}

// PkgTries is how often iocage tries to install pkg before giving up.
const PkgTries = 3

// LastLine is the line of a failed command's output that explains it.
func LastLine(out []byte, err error) string {
	text := string(out)
	var re *host.RunError
	if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
		text = re.Stderr
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// PkgBootstrapCmd installs pkg itself in a running jail.
func PkgBootstrapCmd(jid int) host.Cmd {
	return argv.PkgStaticJail(jid, "install", "-q", "-y", "pkg")
}

func OrDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

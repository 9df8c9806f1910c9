package fbsdsim

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

func init() { register("jexec", jexecTool) }

const jexecUsage = "usage: jexec [-l] [-u username | -U username] jail [command ...]"

// jexecTool simulates jexec(8) (usr.sbin/jexec/jexec.c main): it checks
// the jail and user, then execvp()s the command inside the jail's view
// (see injail.go): a program the jail's root does not hold fails as
// execvp does, and ifconfig, route, service, sysrc, zfs and sh -c run
// against the jail's own network stack, root and datasets. Ledger:
// [jexec].
func jexecTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "lnu:U:")
	if msg != "" {
		return e.usageError(1, msg, jexecUsage)
	}
	var hostUser, jailUser string
	for _, o := range opts {
		switch o.Flag {
		case 'u':
			hostUser = o.Arg
		case 'U':
			jailUser = o.Arg
		}
	}
	if (hostUser != "" && jailUser != "") || len(rest) < 1 {
		return e.Usage(1, jexecUsage)
	}
	var j *simJail
	var notFound string
	if err := e.viewWorld(func(w *simWorld) {
		j, notFound = w.jails().lookup(rest[0])
		if j != nil {
			jailBinds = map[string]string{}
			for _, m := range w.mounts().Mounts {
				if m.FSType == "nullfs" && strings.HasPrefix(m.Node, j.Params["path"]+"/") {
					jailBinds[m.Node] = m.Special
				}
			}
		}
	}); err != nil {
		return e.stateError(err)
	}
	if j == nil {
		return e.Errorf(1, "%s", notFound)
	}
	if hostUser != "" {
		if _, err := user.Lookup(hostUser); err != nil {
			if _, nerr := strconv.Atoi(hostUser); nerr != nil {
				return e.Errorf(1, "%s: no such user", hostUser)
			}
		}
	}
	if jailUser != "" && !jailHasUser(j.Params["path"], jailUser) {
		return e.Errorf(1, "%s: no such user", jailUser)
	}
	argv := rest[1:]
	if len(argv) == 0 {
		// No command: $SHELL or /bin/sh, interactive (jexec.c main).
		argv = []string{"/bin/sh", "-i"}
	}
	return e.inJail(j, argv, false)
}

// jexecRecorded is what a program the simulator cannot run does inside a
// jail: tests script its output with JCAGE_SIM_JEXEC_STDOUT and its status
// with JCAGE_SIM_JEXEC_EXIT.
func (e *Env) jexecRecorded() int {
	if out := e.Setting("JEXEC_STDOUT"); out != "" {
		fmt.Fprint(e.Stdout, out)
		if !strings.HasSuffix(out, "\n") {
			fmt.Fprintln(e.Stdout)
		}
	}
	if s := e.Setting("JEXEC_EXIT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return e.Errorf(70, "simulator setting JCAGE_SIM_JEXEC_EXIT: not a number: %q", s)
		}
		return n
	}
	return 0
}

// jailHasUser looks a user up in the jail's own passwd file. A root
// without etc/passwd (a bare test tree) knows only root.
func jailHasUser(root, name string) bool {
	b, err := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	if err != nil {
		return name == "root" || name == "0"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && (f[0] == name || f[2] == name) {
			return true
		}
	}
	return false
}

package fbsdsim

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// jailPath is the PATH a program jexec starts searches: jexec keeps the
// caller's environment (jexec.c without -l), and jcage gives its children
// FreeBSD's root PATH (internal/host.DefaultPath). Ledger: [jexec].
var jailPath = []string{"/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"}

// jailFile resolves p (absolute, inside the jail) under root the way the
// jail sees it: a symbolic link is followed inside the root, never out
// of it. It returns the host path and whether p names an executable
// regular file.
func jailFile(root, p string) (string, bool) {
	cur := "/"
	parts := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	for hops := 0; len(parts) > 0 && hops < 32; {
		next := filepath.Join(cur, parts[0])
		parts = parts[1:]
		fi, err := os.Lstat(hostOf(root, next))
		if err != nil {
			return "", false
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			hops++
			target, err := os.Readlink(hostOf(root, next))
			if err != nil {
				return "", false
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(cur, target)
			}
			parts = append(strings.Split(strings.TrimPrefix(filepath.Clean(target), "/"), "/"), parts...)
			cur = "/"
			continue
		}
		cur = next
	}
	host := hostOf(root, cur)
	fi, err := os.Stat(host)
	if err != nil || !fi.Mode().IsRegular() {
		return host, false
	}
	return host, fi.Mode()&0o111 != 0
}

// jailBinds are the nullfs mounts under the running jail's path
// (mount point -> source), read by jexec: a base jail's /bin is its
// release's, mounted by jail(8) from mount.fstab. Ledger: [jexec].
var jailBinds map[string]string

// hostOf maps a path inside the jail to the host file it names, through
// the jail's nullfs mounts.
func hostOf(root, p string) string {
	full := filepath.Join(root, p)
	best := ""
	for node := range jailBinds {
		if (full == node || strings.HasPrefix(full, node+"/")) && len(node) > len(best) {
			best = node
		}
	}
	if best == "" {
		return full
	}
	return jailBinds[best] + strings.TrimPrefix(full, best)
}

// jailLookPath is execvp(3)'s search inside the jail.
func jailLookPath(root, name string) (string, bool) {
	if strings.Contains(name, "/") {
		if _, ok := jailFile(root, name); ok {
			return name, true
		}
		return "", false
	}
	for _, d := range jailPath {
		if _, ok := jailFile(root, d+"/"+name); ok {
			return d + "/" + name, true
		}
	}
	return "", false
}

// inJail runs argv inside jail j. fromShell is set when sh(1) inside the
// jail runs it, so that a missing program is reported as sh reports it
// rather than as jexec's execvp.
func (e *Env) inJail(j *simJail, argv []string, fromShell bool) int {
	root := j.Params["path"]
	prog, ok := jailLookPath(root, argv[0])
	if !ok {
		if fromShell {
			// bin/sh exec.c: "%s: not found", status 127. Ledger: [sh].
			fmt.Fprintf(e.Stderr, "sh: %s: not found\n", argv[0])
			return 127
		}
		return e.Errorf(1, "execvp: %s: No such file or directory", argv[0])
	}
	if e.Setting("JEXEC_STDOUT") != "" || e.Setting("JEXEC_EXIT") != "" {
		// A test scripting what runs in the jail (a DHCP lease the
		// simulation has no dhclient for) has the last word.
		return e.jexecRecorded()
	}
	scope := 0
	if j.Params["vnet"] == "new" {
		scope = j.JID
	}
	id := strconv.Itoa(j.JID)
	switch filepath.Base(prog) {
	case "ifconfig", "route":
		// A VNET jail has its own interfaces and routing table; any other
		// jail sees the host's (and may not change them, knowingly not
		// simulated). Ledger: [jexec-net].
		return e.nested(filepath.Base(prog), argv[1:], scope)
	case "service", "sysrc":
		// service(8) and sysrc(8) read the jail's own root: the host tools'
		// -j JAIL runs the same code there. Ledger: [jexec-rc].
		return e.nested(filepath.Base(prog), append([]string{"-j", id}, argv[1:]...), scope)
	case "zfs":
		return e.jailZFS(j, argv[1:])
	case "sh":
		return e.jailShell(j, argv[1:])
	}
	return e.jexecRecorded()
}

// nested runs a simulated tool inside the jail. It is not one of jcage's
// calls: it is not logged and failure injection does not apply.
func (e *Env) nested(tool string, args []string, scope int) int {
	return tools[tool](&Env{Tool: tool, Args: args, State: e.State, Stdin: e.Stdin, Stdout: e.Stdout,
		Stderr: e.Stderr, Getenv: e.Getenv, Scope: scope})
}

// shBuiltins are sh(1)'s built-in commands (bin/sh/builtins.def), which
// need no program in the jail.
var shBuiltins = map[string]bool{}

func init() {
	for _, b := range strings.Fields(". : [ alias bg bind break builtin cd chdir command continue echo eval exec exit export " +
		"false fc fg getopts hash jobid jobs kill local printf pwd read readonly return set setvar shift test times " +
		"trap true type ulimit umask unalias unset wait") {
		shBuiltins[b] = true
	}
}

// jailShell is /bin/sh inside a jail: `sh -c STRING` runs a simple
// command (words without shell syntax) as sh would, a missing program
// failing with sh's message and status 127; `sh FILE` needs FILE in the
// jail. Scripts are not interpreted (knowingly not simulated): their
// status is JCAGE_SIM_JEXEC_EXIT. Ledger: [sh].
func (e *Env) jailShell(j *simJail, args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-c" {
		args = args[1:] // -i, -e, -x ...
	}
	if len(args) == 0 {
		return e.jexecRecorded()
	}
	if args[0] == "-c" {
		if len(args) < 2 {
			fmt.Fprintln(e.Stderr, "sh: -c: option requires an argument")
			return 2
		}
		script := args[1]
		if strings.ContainsAny(script, "|&;<>()$`\\\"'*?[#~=%{}\n") {
			return e.jexecRecorded()
		}
		words := strings.Fields(script)
		if len(words) == 0 {
			return 0
		}
		if shBuiltins[words[0]] {
			return e.jexecRecorded()
		}
		return e.inJail(j, words, true)
	}
	if host, _ := jailFile(j.Params["path"], args[0]); host == "" || !fileExists(host) {
		fmt.Fprintf(e.Stderr, "sh: cannot open %s: No such file or directory\n", args[0])
		return 127
	}
	return e.jexecRecorded()
}

// jailZFS runs zfs(8) inside the jail: the zfs shim, told which jail it
// runs in, shows and mounts only what `zfs jail` gave the jail. Ledger:
// [zfs-jail].
func (e *Env) jailZFS(j *simJail, args []string) int {
	path, err := exec.LookPath("zfs")
	if err != nil {
		return e.Errorf(127, "zfs: %v", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = childEnv(e, map[string]string{"JCAGE_ZFS_JAIL": strconv.Itoa(j.JID)})
	return exitStatus(cmd.Run(), func(err error) int { return e.Errorf(126, "zfs: %v", err) })
}

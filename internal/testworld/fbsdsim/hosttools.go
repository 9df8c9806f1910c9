package fbsdsim

// The host tools of jcage's NAT, soft restart and update steps: pfctl,
// kenv, pkill, sh -c and pkg-static. Each rule names its ledger line.

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

const (
	pfFile   = "pf.json"
	kenvFile = "kenv.json"
)

func init() {
	register("pfctl", pfctlTool)
	register("kenv", kenvTool)
	register("pkill", pkillTool)
	register("sh", shTool)
	register("pkg-static", runPkg)
}

type pfState struct {
	Enabled bool   `json:"enabled"`
	Rules   string `json:"rules,omitempty"` // the file last loaded with -f
}

// pfctlTool is pfctl(8) for the argv jcage uses (sbin/pfctl/pfctl.c
// main): -e enables pf ("pf already enabled" when it is), -f FILE loads a
// rule file. Both need /dev/pf, which exists once pf.ko is loaded. Rule
// syntax is not parsed (knowingly not simulated). Ledger: [pfctl].
func pfctlTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "def:q")
	if msg != "" || len(rest) > 0 || len(opts) == 0 {
		return e.usageError(1, msg, "usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]",
			"\t[-f file] [-i interface] [-K host | network]")
	}
	var st kldState
	var pf pfState
	code := 0
	err := e.Locked(func() error {
		var err error
		if st, err = kldLoad(e); err != nil {
			return err
		}
		if st.Loaded["pf"] == 0 {
			code = e.Errorf(1, "/dev/pf: No such file or directory")
			return nil
		}
		if err := e.Load(pfFile, &pf); err != nil {
			return err
		}
		for _, o := range opts {
			switch o.Flag {
			case 'e':
				if pf.Enabled {
					code = e.Errorf(1, "pf already enabled")
					return nil
				}
				pf.Enabled = true
				fmt.Fprintln(e.Stderr, "pf enabled")
			case 'd':
				if !pf.Enabled {
					code = e.Errorf(1, "pf not enabled")
					return nil
				}
				pf.Enabled = false
				fmt.Fprintln(e.Stderr, "pf disabled")
			case 'f':
				b, err := os.ReadFile(o.Arg)
				if err != nil {
					code = e.Errorf(1, "cannot open the main config file!: %s", errnoText(err))
					return nil
				}
				pf.Rules = string(b)
			}
		}
		return e.Save(pfFile, pf)
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

// kenvTool is kenv(1) (bin/kenv/kenv.c main): `kenv NAME=VALUE` sets a
// kernel environment variable and prints it, `kenv NAME` prints it or
// fails with "unable to get NAME". Ledger: [kenv].
func kenvTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "hlNqsuv")
	if msg != "" || len(opts) > 0 && len(rest) == 0 || len(rest) > 1 {
		return e.usageError(1, msg, "usage: kenv [-l|-s] [-hNq]", "       kenv [-qv] variable[=value]", "       kenv [-q] -u variable")
	}
	env := map[string]string{}
	code := 0
	err := e.Locked(func() error {
		if err := e.Load(kenvFile, &env); err != nil {
			return err
		}
		if len(rest) == 0 {
			for k, v := range env {
				fmt.Fprintf(e.Stdout, "%s=%q\n", k, v)
			}
			return nil
		}
		name, value, set := strings.Cut(rest[0], "=")
		if !set {
			v, ok := env[name]
			if !ok {
				code = e.Errorf(1, "unable to get %s", name)
				return nil
			}
			fmt.Fprintln(e.Stdout, v)
			return nil
		}
		if ulEUID(e) != 0 {
			code = e.Errorf(1, "unable to set %s to %s", name, value)
			return nil
		}
		env[name] = value
		fmt.Fprintf(e.Stdout, "%s=\"%s\"\n", name, value)
		return e.Save(kenvFile, env)
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

// pkillTool is pkill(1) (bin/pkill/pkill.c main) for `pkill -j JID`: the
// simulated jails run no processes, so nothing matches and pkill exits
// 1; a jail ID that is not a number is a syntax error (2). Ledger: [pkill].
func pkillTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "ILadfilnoqvxF:G:M:N:P:SU:c:g:j:s:t:u:")
	if msg != "" {
		return e.usageError(2, msg, "usage: pkill [-signal] [-ILfilnovx] [-F pidfile] [-G gid]",
			"             [-M core] [-N system]", "             [-P ppid] [-U uid] [-c class] [-g pgrp] [-j jail]",
			"             [-s sid] [-t tty] [-u euid] pattern ...")
	}
	jailSel := false
	for _, o := range opts {
		if o.Flag == 'j' {
			for _, id := range strings.Split(o.Arg, ",") {
				if _, err := strconv.Atoi(id); err != nil && id != "any" && id != "none" {
					fmt.Fprintf(e.Stderr, "pkill: Invalid jail ID `%s'\n", id)
					return 2
				}
			}
			jailSel = true
		}
	}
	if !jailSel && len(rest) == 0 {
		return e.Usage(2, "usage: pkill [-signal] [-ILfilnovx] [-F pidfile] [-G gid]")
	}
	return 1
}

// shTool is the host's sh(1) for `sh -c STRING`, the form jcage uses to
// run the ipfw NAT script it wrote: a single word is a command found
// through PATH as sh finds it ("sh: X: not found", 127; "Permission
// denied", 126 for a file without execute permission); a script's
// commands are not interpreted (knowingly not simulated). Anything else
// runs the system's /bin/sh. Ledger: [sh].
func shTool(e *Env) int {
	if len(e.Args) == 2 && e.Args[0] == "-c" && !strings.ContainsAny(strings.TrimSpace(e.Args[1]), " \t\n|&;<>()$`\\\"'*?[#~=%{}") {
		word := strings.TrimSpace(e.Args[1])
		p := word
		if !strings.Contains(word, "/") {
			lp, err := exec.LookPath(word)
			if err != nil {
				fmt.Fprintf(e.Stderr, "sh: %s: not found\n", word)
				return 127
			}
			p = lp
		}
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			fmt.Fprintf(e.Stderr, "sh: %s: not found\n", word)
			return 127
		case fi.IsDir() || fi.Mode()&0o111 == 0:
			fmt.Fprintf(e.Stderr, "sh: %s: Permission denied\n", word)
			return 126
		}
		return 0
	}
	cmd := exec.Command("/bin/sh", e.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = childEnv(e, nil)
	return exitStatus(cmd.Run(), func(err error) int { return e.Errorf(126, "%v", err) })
}

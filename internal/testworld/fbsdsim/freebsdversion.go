package fbsdsim

// freebsd-version(1).
//
//   -u  the host userland: USERLAND_VERSION of JCAGE_SIM_ROOT/bin/freebsd-version
//       when that exists, else JCAGE_SIM_HOST_RELEASE.
//   -r  the running kernel: kern.osrelease (JCAGE_SIM_HOST_RELEASE).
//   -k  the installed kernel: the "@(#)FreeBSD <version>" marker of
//       $ROOT/boot/<kernel>/kernel when ROOT is set (or JCAGE_SIM_ROOT has
//       a kernel), else JCAGE_SIM_HOST_RELEASE.
//   -j  the userland of a running jail, read from <jail path>/bin/freebsd-version;
//       the jail's path comes from the simulated jail state.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

func init() { register("freebsd-version", runFreebsdVersion) }

func fvUsage(e *Env) int {
	return e.Usage(1, "usage: freebsd-version [-kru] [-j jail]")
}

func runFreebsdVersion(e *Env) int {
	opts, rest, oerr := ulGetopt(e.Args, "kruj:")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.sh())
		return fvUsage(e)
	}
	var k, r, u bool
	var jails []string
	for _, o := range opts {
		switch o.c {
		case 'k':
			k = true
		case 'r':
			r = true
		case 'u':
			u = true
		case 'j':
			if o.arg == "" {
				fmt.Fprintln(e.Stderr, "No arg for -j option")
				return fvUsage(e)
			}
			jails = append(jails, o.arg)
		}
	}
	if len(rest) > 0 {
		return fvUsage(e)
	}
	if !k && !r && !u && len(jails) == 0 {
		u = true
	}
	if k {
		v, ok := fvKernel(e)
		if !ok {
			return e.Errorf(1, "unable to locate kernel")
		}
		if v != "" {
			fmt.Fprintln(e.Stdout, v)
		}
	}
	if r {
		v, _ := sysctlGet(e, "kern.osrelease")
		fmt.Fprintln(e.Stdout, v)
	}
	if u {
		fmt.Fprintln(e.Stdout, ulHostUserland(e))
	}
	for _, j := range jails {
		// The real script runs `jexec -- JAIL freebsd-version` under set -e.
		jail, ok := ulFindJail(e, j)
		if !ok {
			return ulJailNotFound(e, "jexec", j)
		}
		v, err := ulUserland(jail.Path)
		if err != nil {
			fmt.Fprintln(e.Stderr, "jexec: execvp: freebsd-version: No such file or directory")
			return 1
		}
		fmt.Fprintln(e.Stdout, v)
	}
	return 0
}

var fvLoaderLine = regexp.MustCompile(`^([A-Za-z_][0-9A-Za-z_]*)="?([-./0-9A-Za-z_]+)"?`)

// fvKernel finds the installed kernel the way the script does (loader.conf
// kernel= and bootfile=, default /boot/kernel/kernel) and extracts its
// version. ok is false when the kernel file cannot be found.
func fvKernel(e *Env) (string, bool) {
	root := e.Getenv("ROOT")
	if root == "" {
		sim, set := ulSimRoot(e)
		if !set {
			return ulHostRelease(e), true
		}
		if _, err := os.Stat(ulJoin(sim, "/boot/kernel/kernel")); err != nil {
			return ulHostRelease(e), true
		}
		root = sim
	}
	loaderDir := ulJoin(root, "/boot")
	kernel, bootfile := "kernel", "kernel"
	for _, name := range []string{"defaults/loader.conf", "loader.conf", "loader.conf.local"} {
		b, err := os.ReadFile(loaderDir + "/" + name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			m := fvLoaderLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
			if m == nil {
				continue
			}
			switch m[1] {
			case "kernel":
				kernel = m[2]
			case "bootfile":
				bootfile = m[2]
			}
		}
	}
	p := loaderDir + "/" + kernel + "/" + bootfile
	b, err := os.ReadFile(p)
	if err != nil {
		return "", false
	}
	return fvKernelMarker(b), true
}

var fvWhatMarker = regexp.MustCompile(`@\(#\)FreeBSD ([-.0-9A-Za-z]+) `)

// fvKernelMarker mimics `what -qs kernel | sed ...`: the version following
// the first "@(#)FreeBSD " marker, or "" when there is none.
func fvKernelMarker(b []byte) string {
	if m := fvWhatMarker.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

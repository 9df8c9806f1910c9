package fbsdsim

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

func init() { register("cpuset", cpusetTool) }

var cpusetUsage = []string{
	"usage: cpuset [-l cpu-list] [-n policy:domain-list] [-s setid] cmd ...",
	"       cpuset [-l cpu-list] [-n policy:domain-list] [-s setid] -p pid",
	"       cpuset [-c] [-l cpu-list] [-n policy:domain-list] -C -p pid",
	"       cpuset [-c] [-l cpu-list] [-n policy:domain-list]",
	"              [-j jailid | -p pid | -t tid | -s setid | -x irq]",
	"       cpuset -g [-cir]",
	"              [-d domain | -j jailid | -p pid | -t tid | -s setid | -x irq]",
}

// cpusetMaxCPU is CPU_SETSIZE - 1 on 14.x.
const cpusetMaxCPU = 1023

// parseCPUList parses a cpu-list ("0-3", "0,2", "all"); messages are
// cpuset(1)'s.
func parseCPUList(s string, ncpu int) ([]int, string) {
	if strings.EqualFold(s, "all") {
		return allCPUs(ncpu), ""
	}
	set := map[int]bool{}
	for _, item := range strings.Split(s, ",") {
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || lo == "" || (isRange && hi == "") || a < 0 || b < a {
			return nil, fmt.Sprintf("Malformed list %s", s)
		}
		if b > cpusetMaxCPU {
			return nil, fmt.Sprintf("List entry %d exceeds maximum of %d", b, cpusetMaxCPU)
		}
		for c := a; c <= b; c++ {
			set[c] = true
		}
	}
	var out []int
	for c := 0; c <= cpusetMaxCPU; c++ {
		if set[c] {
			out = append(out, c)
		}
	}
	return out, ""
}

func allCPUs(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func cpuListString(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ", ")
}

func processExists(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// cpusetTool simulates cpuset(1) against the simulated host's CPUs
// (JCAGE_SIM_NCPU, default 4): jail affinity is kept in the jail state and
// shown by -g; numbered sets may be changed with -s.
func cpusetTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "Ccd:gij:l:n:p:rs:t:x:")
	if msg != "" {
		return e.usageError(1, msg, cpusetUsage...)
	}
	ncpu := e.hostNCPU()
	var Cflag, cflag, dflag, gflag, iflag, jflag, lflag, nflag, pflag, rflag, sflag, tflag, xflag bool
	var mask []int
	id := -1
	which, jailArg := "pid", ""
	for _, o := range opts {
		num := func() int { n, _ := strconv.Atoi(o.Arg); return n }
		switch o.Flag {
		case 'C':
			Cflag = true
		case 'c':
			cflag = true
		case 'd':
			dflag, which, id = true, "domain", num()
		case 'g':
			gflag = true
		case 'i':
			iflag = true
		case 'j':
			jflag, which, jailArg = true, "jail", o.Arg
		case 'l':
			lflag = true
			m, msg := parseCPUList(o.Arg, ncpu)
			if msg != "" {
				return e.Errorf(1, "%s", msg)
			}
			mask = m
		case 'n':
			nflag = true
			policy, _, _ := strings.Cut(o.Arg, ":")
			switch policy {
			case "", "all", "round-robin", "rr", "first-touch", "ft", "prefer", "interleave", "il":
			default:
				if _, err := strconv.Atoi(policy); err != nil {
					return e.Errorf(1, "Malformed domain list %s", o.Arg)
				}
			}
		case 'p':
			pflag, which, id = true, "pid", num()
		case 'r':
			rflag = true
		case 's':
			sflag, which, id = true, "cpuset", num()
		case 't':
			tflag, which, id = true, "tid", num()
		case 'x':
			xflag, which, id = true, "irq", num()
		}
	}
	level := ""
	switch {
	case rflag:
		level = " root"
	case cflag:
		level = " cpuset"
	}
	count := func(bs ...bool) int {
		n := 0
		for _, b := range bs {
			if b {
				n++
			}
		}
		return n
	}
	usage := func() int { return e.Usage(1, cpusetUsage...) }
	code := 0
	var out []string
	err := e.editWorld(func(w *simWorld) bool {
		var jail *simJail
		if jflag {
			j, msg := w.jails().lookup(jailArg)
			if j == nil {
				code = e.Errorf(1, "%s", msg)
				return false
			}
			jail, id = j, j.JID
		}
		// current returns the mask at the selected level and target; the
		// message is errno text.
		current := func() ([]int, string) {
			if rflag {
				return allCPUs(ncpu), ""
			}
			switch which {
			case "jail":
				if len(jail.CPUs) > 0 {
					return jail.CPUs, ""
				}
			case "pid":
				if id != -1 && !processExists(id) {
					return nil, "No such process"
				}
			case "cpuset":
				if id == 0 || id == 1 {
					if m := w.jails().Sets[id]; len(m) > 0 {
						return m, ""
					}
					break
				}
				for _, j := range w.jails().sorted() {
					if j.CpusetID == id {
						if len(j.CPUs) > 0 {
							return j.CPUs, ""
						}
						return allCPUs(ncpu), ""
					}
				}
				if m := w.jails().Sets[id]; len(m) > 0 {
					return m, ""
				}
				return nil, "No such process"
			case "domain":
				if id != 0 {
					return nil, "No such process"
				}
			}
			return allCPUs(ncpu), ""
		}
		if gflag {
			if len(rest) > 0 || Cflag || lflag || nflag || count(dflag, jflag, xflag, sflag, pflag, tflag) > 1 {
				code = usage()
				return false
			}
			if iflag {
				lvl := level
				if lvl == "" && !sflag {
					lvl = " cpuset"
				}
				setid := 1
				switch which {
				case "jail":
					setid = jail.CpusetID
				case "cpuset":
					setid = id
				case "pid":
					if id != -1 && !processExists(id) {
						code = e.Errorf(3, "getid: No such process")
						return false
					}
				}
				if rflag {
					setid = 0
				}
				out = append(out, fmt.Sprintf("%s %d%s id: %d", which, id, lvl, setid))
				return false
			}
			m, why := current()
			if why != "" {
				code = e.Errorf(1, "getaffinity: %s", why)
				return false
			}
			out = append(out, fmt.Sprintf("%s %d%s mask: %s", which, id, level, cpuListString(m)))
			if !dflag && !xflag {
				out = append(out, fmt.Sprintf("%s %d%s domain policy: first-touch mask: 0", which, id, level))
			}
			return false
		}
		if dflag || iflag || rflag {
			code = usage()
			return false
		}
		if len(rest) > 0 {
			if Cflag || pflag || tflag || xflag || jflag {
				code = usage()
				return false
			}
			return false
		}
		if Cflag && (jflag || !pflag || sflag || tflag || xflag) ||
			(!lflag && !nflag && cflag) || (!lflag && !nflag && !(Cflag || sflag)) ||
			(tflag && (sflag || pflag || xflag || jflag)) || (xflag && (jflag || pflag || sflag || tflag)) {
			code = usage()
			return false
		}
		if pflag && !processExists(id) {
			code = e.Errorf(1, "setaffinity: No such process")
			return false
		}
		if !lflag {
			return false
		}
		if len(mask) == 0 {
			code = e.Errorf(1, "setaffinity: Resource deadlock avoided")
			return false
		}
		for _, c := range mask {
			if c >= ncpu {
				code = e.Errorf(1, "setaffinity: Invalid argument")
				return false
			}
		}
		switch {
		case jflag:
			jail.CPUs = mask
			if len(mask) == ncpu {
				jail.CPUs = nil
			}
			return true
		case sflag && !pflag:
			if id == 0 {
				code = e.Errorf(1, "setaffinity: Operation not permitted")
				return false
			}
			for _, j := range w.jails().sorted() {
				if j.CpusetID == id {
					j.CPUs = mask
					return true
				}
			}
			if id != 1 && len(w.jails().Sets[id]) == 0 {
				code = e.Errorf(1, "setaffinity: No such process")
				return false
			}
			if w.jails().Sets == nil {
				w.jails().Sets = map[int][]int{}
			}
			w.jails().Sets[id] = mask
			return true
		}
		return false
	})
	if err != nil {
		return e.stateError(err)
	}
	for _, l := range out {
		fmt.Fprintln(e.Stdout, l)
	}
	if code != 0 || len(rest) == 0 {
		return code
	}
	return e.runUtility(rest, nil)
}

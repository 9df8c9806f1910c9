package fbsdsim

import (
	"bufio"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

func init() { register("devfs", devfsTool) }

// devfsState holds the kernel's devfs rulesets.
type devfsState struct {
	// Index lists every ruleset that has rules, with the rulesets its
	// include rules name; the rules themselves are one file per ruleset
	// (devfs.N.json), read only when asked for.
	Index map[int][]int `json:",omitempty"`
	// DevRuleset is the current ruleset of the host's own /dev.
	DevRuleset int `json:",omitempty"`

	w       *simWorld
	initial map[int][]devfsRule // a fresh host's rulesets, stored on first use
}

// seed stores a fresh host's default rulesets, if it has them.
func (d *devfsState) seed() {
	nums := make([]int, 0, len(d.initial))
	for n := range d.initial {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		d.put(n, d.initial[n])
	}
	d.initial = nil
}

// rules returns ruleset n's rules (none for an unknown ruleset).
func (d *devfsState) rules(n int) []devfsRule {
	if _, ok := d.Index[n]; !ok {
		return nil
	}
	rs, _ := d.w.devfsRecs.get(n)
	return rs
}

// put replaces ruleset n's rules; no rules removes the ruleset.
func (d *devfsState) put(n int, rs []devfsRule) {
	if len(rs) == 0 {
		d.del(n)
		return
	}
	if d.Index == nil {
		d.Index = map[int][]int{}
	}
	inc := []int{}
	for _, r := range rs {
		if r.Include != 0 {
			inc = append(inc, r.Include)
		}
	}
	d.Index[n] = inc
	d.w.devfsRecs.put(n, rs)
}

// del removes ruleset n.
func (d *devfsState) del(n int) {
	if _, ok := d.Index[n]; !ok {
		return
	}
	delete(d.Index, n)
	d.w.devfsRecs.del(n)
}

// devfsRule is one rule: conditions (type, path), then actions.
type devfsRule struct {
	Num     int
	Types   []string `json:",omitempty"` // disk, mem, tape, tty
	Path    string   `json:",omitempty"`
	Hide    bool     `json:",omitempty"`
	Unhide  bool     `json:",omitempty"`
	User    string   `json:",omitempty"`
	Group   string   `json:",omitempty"`
	Mode    int      `json:",omitempty"`
	HasMode bool     `json:",omitempty"`
	Include int      `json:",omitempty"` // 0: none
}

// defaultDevfs loads /etc/defaults/devfs.rules as rc.d/devfs does at
// boot: devfsrules_hide_all=1, devfsrules_unhide_basic=2,
// devfsrules_unhide_login=3, devfsrules_jail=4, devfsrules_jail_vnet=5.
func defaultDevfs() devfsState {
	unhide := func(paths ...string) []devfsRule {
		var rs []devfsRule
		for _, p := range paths {
			rs = append(rs, devfsRule{Path: p, Unhide: true})
		}
		return rs
	}
	login := unhide("ptyp*", "ptyq*", "ptyr*", "ptys*", "ptyP*", "ptyQ*", "ptyR*", "ptyS*",
		"ptyl*", "ptym*", "ptyn*", "ptyo*", "ptyL*", "ptyM*", "ptyN*", "ptyO*",
		"ttyp*", "ttyq*", "ttyr*", "ttys*", "ttyP*", "ttyQ*", "ttyR*", "ttyS*",
		"ttyl*", "ttym*", "ttyn*", "ttyo*", "ttyL*", "ttyM*", "ttyN*", "ttyO*",
		"ptmx", "pts", "pts/*", "fd", "fd/*", "stdin", "stdout", "stderr")
	includes := []devfsRule{{Include: 1}, {Include: 2}, {Include: 3}}
	jail := append(append([]devfsRule(nil), includes...), unhide("fuse", "zfs")...)
	vnet := append(append([]devfsRule(nil), includes...), unhide("fuse", "zfs", "pf")...)
	sets := map[int][]devfsRule{
		1: {{Hide: true}},
		2: unhide("null", "zero", "crypto", "random", "urandom"),
		3: login,
		4: jail,
		5: vnet,
	}
	for n, rs := range sets {
		for i := range rs {
			rs[i].Num = (i + 1) * 100
		}
		sets[n] = rs
	}
	return devfsState{initial: sets}
}

// exists reports whether ruleset n exists: it has rules or something
// (a devfs mount, an include, /dev) refers to it.
func (w *simWorld) devfsRulesetExists(n int) bool {
	return hasInt(w.devfsRulesetNumbers(), n)
}

func (w *simWorld) devfsRulesetNumbers() []int {
	seen := map[int]bool{}
	for n, inc := range w.devfs().Index {
		seen[n] = true
		for _, i := range inc {
			seen[i] = true
		}
	}
	for _, m := range w.mounts().Mounts {
		if m.FSType == "devfs" && m.Ruleset != 0 {
			seen[m.Ruleset] = true
		}
	}
	if w.devfs().DevRuleset != 0 {
		seen[w.devfs().DevRuleset] = true
	}
	delete(seen, 0)
	var out []int
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func hasInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func (r devfsRule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", r.Num)
	for _, t := range []string{"disk", "mem", "tape", "tty"} {
		if hasString(r.Types, t) {
			fmt.Fprintf(&b, " type %s", t)
		}
	}
	if r.Path != "" {
		fmt.Fprintf(&b, " path %s", r.Path)
	}
	if r.Hide {
		b.WriteString(" hide")
	}
	if r.Unhide {
		b.WriteString(" unhide")
	}
	if r.User != "" {
		fmt.Fprintf(&b, " user %s", r.User)
	}
	if r.Group != "" {
		fmt.Fprintf(&b, " group %s", r.Group)
	}
	if r.HasMode {
		fmt.Fprintf(&b, " mode %o", r.Mode)
	}
	if r.Include != 0 {
		fmt.Fprintf(&b, " include %d", r.Include)
	}
	return b.String()
}

// devfsNum parses a ruleset or rule number (16 bits), as devfs(8) does.
func devfsNum(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// parseDevfsRule parses a rulespec; the message is devfs(8)'s.
func parseDevfsRule(av []string) (devfsRule, string) {
	var r devfsRule
	if len(av) == 0 {
		return r, "unexpected end of rulespec"
	}
	if n, ok := devfsNum(av[0]); ok {
		r.Num = n
		av = av[1:]
	}
	for len(av) > 0 && (av[0] == "type" || av[0] == "path") {
		if len(av) < 2 {
			return r, "expecting argument for " + av[0]
		}
		if av[0] == "type" {
			switch av[1] {
			case "disk", "mem", "tape", "tty":
				if !hasString(r.Types, av[1]) {
					r.Types = append(r.Types, av[1])
				}
			default:
				return r, "unknown type: " + av[1]
			}
		} else {
			r.Path = av[1]
		}
		av = av[2:]
	}
	for len(av) > 0 {
		switch av[0] {
		case "hide":
			r.Hide = true
			av = av[1:]
			continue
		case "unhide":
			r.Unhide = true
			av = av[1:]
			continue
		case "user", "group", "mode", "include":
		default:
			return r, "unknown argument: " + av[0]
		}
		if len(av) < 2 {
			return r, "expecting argument for " + av[0]
		}
		switch av[0] {
		case "user":
			r.User = av[1]
		case "group":
			r.Group = av[1]
		case "mode":
			m, err := strconv.ParseUint(av[1], 8, 32)
			if err != nil || m > 07777 {
				return r, "invalid mode: " + av[1]
			}
			r.Mode, r.HasMode = int(m), true
		case "include":
			n, ok := devfsNum(av[1])
			if !ok {
				return r, "error converting to number: " + av[1]
			}
			r.Include = n
		}
		av = av[2:]
	}
	return r, ""
}

const devfsUsage = "usage: devfs rule|ruleset arguments"

// devfsTool simulates devfs(8): rulesets and rules live in the simulated
// kernel; applying a ruleset to a mount is checked and otherwise a no-op,
// since no device nodes exist.
func devfsTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "m:")
	if msg != "" {
		return e.usageError(1, msg, devfsUsage)
	}
	mp := "/dev"
	for _, o := range opts {
		mp = o.Arg
	}
	if len(rest) < 1 {
		return e.Usage(1, devfsUsage)
	}
	rmp, err := resolvePath(mp)
	if err != nil {
		return e.Errorf(1, "open: %s: %s", mp, errnoText(err))
	}
	switch rest[0] {
	case "rule":
		return e.devfsRule(rmp, rest)
	case "ruleset":
		return e.devfsRuleset(rmp, rest)
	}
	return e.Errorf(1, "unknown command: %s", rest[0])
}

// devfsMount finds the devfs the -m mount point names: the host's /dev or
// a simulated devfs mount. ok is false when the directory is not a devfs
// root, where devfs(8)'s ioctls fail with ENOTTY.
func (w *simWorld) devfsMount(mp string) (*simMount, bool) {
	if mp == "/dev" {
		return nil, true
	}
	if i := w.mounts().lastAt(mp); i >= 0 && w.mounts().Mounts[i].FSType == "devfs" {
		return &w.mounts().Mounts[i], true
	}
	return nil, false
}

func (e *Env) devfsRule(mp string, av []string) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.Stderr, "devfs rule: %s\n", fmt.Sprintf(format, a...))
		return 1
	}
	opts, rest, msg := bsdGetopt(av[1:], "s:")
	if msg != "" {
		fmt.Fprintf(e.Stderr, "devfs rule: %s\n", msg)
		return e.Usage(1, devfsUsage)
	}
	rs := 0
	for _, o := range opts {
		n, ok := devfsNum(o.Arg)
		if !ok {
			return fail("error converting to number: %s", o.Arg)
		}
		rs = n
	}
	if len(rest) < 1 {
		return e.Usage(1, devfsUsage)
	}
	cmd, args := rest[0], rest[1:]
	switch cmd {
	case "add", "apply", "applyset", "del", "delset", "show", "showsets":
	default:
		return fail("unknown command: %s", cmd)
	}
	if (cmd == "applyset" || cmd == "delset" || cmd == "showsets") && len(args) != 0 {
		return e.Usage(1, devfsUsage)
	}
	if (cmd == "add" || cmd == "apply" || cmd == "del") && len(args) == 0 {
		return e.Usage(1, devfsUsage)
	}
	var rules []devfsRule
	applyByNum := false
	if cmd == "apply" {
		_, applyByNum = devfsNum(args[0])
	}
	if cmd == "add" || (cmd == "apply" && !applyByNum) {
		if args[0] == "-" {
			sc := bufio.NewScanner(e.Stdin)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) == 0 {
					return fail("unexpected end of rulespec")
				}
				r, msg := parseDevfsRule(f)
				if msg != "" {
					return fail("%s", msg)
				}
				rules = append(rules, r)
			}
		} else {
			r, msg := parseDevfsRule(args)
			if msg != "" {
				return fail("%s", msg)
			}
			rules = append(rules, r)
		}
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		m, isDevfs := w.devfsMount(mp)
		ioctl := func(name, reason string) bool {
			code = fail("ioctl %s: %s", name, reason)
			return false
		}
		if !isDevfs {
			names := map[string]string{"add": "DEVFSIO_RADD", "apply": "DEVFSIO_RAPPLY", "applyset": "DEVFSIO_SAPPLY",
				"del": "DEVFSIO_RDEL", "delset": "DEVFSIO_RGETNEXT", "show": "DEVFSIO_RGETNEXT", "showsets": "DEVFSIO_SGETNEXT"}
			return ioctl(names[cmd], "Inappropriate ioctl for device")
		}
		if rs == 0 && cmd != "showsets" {
			// Without -s the ruleset is the mount's current one.
			if m != nil {
				rs = m.Ruleset
			} else {
				rs = w.devfs().DevRuleset
			}
		}
		set := w.devfs().rules(rs)
		switch cmd {
		case "showsets":
			for _, n := range w.devfsRulesetNumbers() {
				fmt.Fprintln(e.Stdout, n)
			}
			return false
		case "show":
			if rs == 0 {
				return ioctl("DEVFSIO_RGETNEXT", "Input/output error")
			}
			if len(args) == 0 {
				for _, r := range set {
					fmt.Fprintln(e.Stdout, r)
				}
				return false
			}
			n, err := strconv.Atoi(args[0])
			if err != nil {
				code = fail("error converting to integer: %s", args[0])
				return false
			}
			for _, r := range set {
				if r.Num >= n {
					if r.Num == n {
						fmt.Fprintln(e.Stdout, r)
					}
					return false
				}
			}
			return ioctl("DEVFSIO_RGETNEXT", "No such file or directory")
		case "add":
			if rs == 0 {
				return ioctl("DEVFSIO_RADD", "Input/output error")
			}
			for _, r := range rules {
				if r.Num == 0 {
					r.Num = 100
					if len(set) > 0 {
						r.Num = set[len(set)-1].Num + 100
					}
				}
				for _, x := range set {
					if x.Num == r.Num {
						w.devfs().put(rs, set)
						ioctl("DEVFSIO_RADD", "File exists")
						return true
					}
				}
				if r.Include == rs {
					w.devfs().put(rs, set)
					ioctl("DEVFSIO_RADD", "Invalid argument")
					return true
				}
				set = append(set, r)
				sort.Slice(set, func(a, b int) bool { return set[a].Num < set[b].Num })
			}
			w.devfs().put(rs, set)
			return true
		case "del":
			n, err := strconv.Atoi(args[0])
			if err != nil {
				code = fail("error converting to integer: %s", args[0])
				return false
			}
			if rs == 0 {
				return ioctl("DEVFSIO_RDEL", "Input/output error")
			}
			for i, r := range set {
				if r.Num == n {
					w.devfs().put(rs, append(set[:i], set[i+1:]...))
					return true
				}
			}
			return ioctl("DEVFSIO_RDEL", "No such file or directory")
		case "delset":
			if rs == 0 {
				return ioctl("DEVFSIO_RGETNEXT", "Input/output error")
			}
			w.devfs().del(rs)
			return true
		case "applyset":
			if rs == 0 || !w.devfsRulesetExists(rs) {
				return ioctl("DEVFSIO_SAPPLY", "No such process")
			}
			return false
		case "apply":
			if applyByNum {
				n, _ := devfsNum(args[0])
				for _, r := range set {
					if r.Num == n {
						return false
					}
				}
				return ioctl("DEVFSIO_RAPPLYID", "No such file or directory")
			}
			return false
		}
		return false
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

func (e *Env) devfsRuleset(mp string, av []string) int {
	if len(av) < 2 {
		return e.Usage(1, devfsUsage)
	}
	n, ok := devfsNum(av[1])
	if !ok {
		fmt.Fprintf(e.Stderr, "devfs ruleset: error converting to number: %s\n", av[1])
		return 1
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		m, isDevfs := w.devfsMount(mp)
		if !isDevfs {
			fmt.Fprintf(e.Stderr, "devfs ruleset: ioctl DEVFSIO_SUSE: Inappropriate ioctl for device\n")
			code = 1
			return false
		}
		if m != nil {
			m.Ruleset = n
		} else {
			w.devfs().DevRuleset = n
		}
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

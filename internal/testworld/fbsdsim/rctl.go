package fbsdsim

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
)

func init() { register("rctl", rctlTool) }

// rctlState holds the kernel's resource limit rules.
type rctlState struct {
	Rules []rctlRule `json:",omitempty"`
}

type rctlRule struct {
	Subject  string // jail, user, process, loginclass
	ID       string
	Resource string
	Action   string
	Amount   uint64
	Per      string `json:",omitempty"` // "" = the subject
}

// rctlResources in the kernel's order (rctl -u prints them this way).
var rctlResources = []string{"cputime", "datasize", "stacksize", "coredumpsize", "memoryuse",
	"memorylocked", "maxproc", "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr",
	"msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop", "nshm", "shmsize", "wallclock", "pcpu",
	"readbps", "writebps", "readiops", "writeiops"}

var rctlSubjects = []string{"process", "user", "loginclass", "jail"}

func rctlAction(a string) bool {
	switch a {
	case "deny", "log", "devctl", "throttle":
		return true
	}
	if sig, ok := strings.CutPrefix(a, "sig"); ok {
		switch sig {
		case "hup", "int", "quit", "ill", "trap", "abrt", "emt", "fpe", "kill", "bus", "segv", "sys",
			"pipe", "alrm", "term", "urg", "stop", "tstp", "cont", "chld", "ttin", "ttou", "io",
			"xcpu", "xfsz", "vtalrm", "prof", "winch", "info", "usr1", "usr2", "thr", "librt":
			return true
		}
	}
	return false
}

func (r rctlRule) String() string {
	s := fmt.Sprintf("%s:%s:%s:%s=%d", r.Subject, r.ID, r.Resource, r.Action, r.Amount)
	if r.Per != "" && r.Per != r.Subject {
		s += "/" + r.Per
	}
	return s
}

// rctlFilter is a rule with optional fields, as rctl(8) takes them.
type rctlFilter struct {
	Subject, ID, Resource, Action, Per string
	Amount                             *uint64
}

// expandNumber parses expand_number(3) input: digits with an optional
// k/m/g/t/p/e suffix (powers of 1024).
func expandNumber(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	mult := uint64(1)
	last := s[len(s)-1]
	if (last == 'b' || last == 'B') && len(s) > 1 && strings.ContainsRune("kKmMgGtTpPeE", rune(s[len(s)-2])) {
		s = s[:len(s)-1]
		last = s[len(s)-1]
	}
	if k := strings.IndexByte("kmgtpe", toLower(last)); k >= 0 {
		s = s[:len(s)-1]
		for ; k >= 0; k-- {
			mult *= 1024
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n * mult, true
}

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// humanizeNumber renders n as humanize_number(3) does for rctl -h: five
// columns, HN_AUTOSCALE, HN_DECIMAL, HN_NOSPACE, binary prefixes.
func humanizeNumber(n uint64) string {
	const prefixes = "KMGTPE"
	const max = 10000
	quotient, remainder, i := n, uint64(0), 0
	for (quotient >= max || (quotient == max-1 && remainder >= 973)) && i < len(prefixes) {
		remainder = quotient % 1024
		quotient /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(n, 10)
	}
	if ((quotient == 9 && remainder < 973) || quotient < 9) && i > 0 {
		s1 := quotient + (remainder*10+512)/1024/10
		s2 := ((remainder*10 + 512) / 1024) % 10
		return fmt.Sprintf("%d.%d%c", s1, s2, prefixes[i-1])
	}
	return fmt.Sprintf("%d%c", quotient+(remainder+512)/1024, prefixes[i-1])
}

// rctlExpand does rctl(8)'s userland part: subject aliases, user names to
// uids, amounts expanded. The message is rctl's.
func rctlExpand(rule string, resolveIDs bool) (rctlFilter, string) {
	var f rctlFilter
	fields := strings.SplitN(rule, ":", 3)
	if len(fields) < 2 {
		return f, fmt.Sprintf("malformed rule '%s': missing subject", rule)
	}
	f.Subject, f.ID = fields[0], fields[1]
	switch strings.ToLower(f.Subject) {
	case "u":
		f.Subject = "user"
	case "g":
		f.Subject = "group"
	case "p":
		f.Subject = "process"
	case "l", "c", "class":
		f.Subject = "loginclass"
	case "j":
		f.Subject = "jail"
	}
	if resolveIDs && strings.EqualFold(f.Subject, "user") && f.ID != "" {
		if u, err := user.Lookup(f.ID); err == nil {
			f.ID = u.Uid
		} else if f.ID[0] < '0' || f.ID[0] > '9' {
			return f, fmt.Sprintf("malformed rule '%s': uknown user '%s'", rule, f.ID)
		} else if _, err := strconv.Atoi(f.ID); err != nil {
			return f, fmt.Sprintf("malformed rule '%s': trailing characters after numerical id", rule)
		}
	}
	if len(fields) < 3 {
		return f, ""
	}
	rest := fields[2]
	res, rest, _ := strings.Cut(rest, ":")
	f.Resource = res
	actAmt := rest
	if i := strings.IndexByte(actAmt, '/'); i >= 0 {
		actAmt, f.Per = actAmt[:i], actAmt[i+1:]
	}
	act, amt, hasAmt := strings.Cut(actAmt, "=")
	f.Action = act
	if hasAmt && amt != "" {
		n, ok := expandNumber(amt)
		if !ok {
			return f, fmt.Sprintf("malformed rule '%s': invalid numeric value '%s'", rule, amt)
		}
		f.Amount = &n
	}
	return f, ""
}

// validFilter applies the kernel's checks on a filter.
func (f rctlFilter) valid() bool {
	if f.Subject != "" && !hasString(rctlSubjects, f.Subject) {
		return false
	}
	if f.Resource != "" && !hasString(rctlResources, f.Resource) {
		return false
	}
	if f.Action != "" && !rctlAction(f.Action) {
		return false
	}
	if f.Per != "" && !hasString(rctlSubjects, f.Per) {
		return false
	}
	return true
}

func (f rctlFilter) matches(r rctlRule) bool {
	per := r.Per
	if per == "" {
		per = r.Subject
	}
	return (f.Subject == "" || f.Subject == r.Subject) && (f.ID == "" || f.ID == r.ID) &&
		(f.Resource == "" || f.Resource == r.Resource) && (f.Action == "" || f.Action == r.Action) &&
		(f.Amount == nil || *f.Amount == r.Amount) && (f.Per == "" || f.Per == per)
}

// toRule checks a full rule for -a; the error is the errno text.
func (f rctlFilter) toRule() (rctlRule, string) {
	if f.Subject == "" || f.ID == "" || f.Resource == "" || f.Action == "" || f.Amount == nil || !f.valid() {
		return rctlRule{}, "Invalid argument"
	}
	if f.Subject == "process" {
		if _, err := strconv.Atoi(f.ID); err != nil {
			return rctlRule{}, "Invalid argument"
		}
	}
	switch f.Resource {
	case "cputime", "wallclock", "readbps", "writebps", "readiops", "writeiops":
		if f.Action == "deny" {
			return rctlRule{}, "Operation not supported"
		}
	}
	if f.Action == "throttle" && !strings.HasSuffix(f.Resource, "bps") && !strings.HasSuffix(f.Resource, "iops") {
		return rctlRule{}, "Operation not supported"
	}
	r := rctlRule{Subject: f.Subject, ID: f.ID, Resource: f.Resource, Action: f.Action, Amount: *f.Amount, Per: f.Per}
	if r.Per == r.Subject {
		r.Per = ""
	}
	return r, ""
}

const rctlUsage = "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]"

// rctlTool simulates rctl(8). RACCT is off unless JCAGE_SIM_RACCT=1, as
// on a stock FreeBSD kernel without kern.racct.enable=1 (and as the
// simulated sysctl reports).
func rctlTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "ahlnru")
	if msg != "" {
		return e.usageError(1, msg, rctlUsage)
	}
	var add, human, limits, numeric, remove, usage bool
	for _, o := range opts {
		switch o.Flag {
		case 'a':
			add = true
		case 'h':
			human = true
		case 'l':
			limits = true
		case 'n':
			numeric = true
		case 'r':
			remove = true
		case 'u':
			usage = true
		}
	}
	n := 0
	for _, b := range []bool{add, limits, remove, usage} {
		if b {
			n++
		}
	}
	if n > 1 {
		return e.Errorf(1, "at most one of -a, -l, -r, or -u may be specified")
	}
	racct := func() bool { return e.Setting("RACCT") == "1" }
	disabled := func() int {
		return e.Errorf(1, "RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable")
	}
	if len(rest) == 0 {
		if n > 0 {
			return e.Usage(1, rctlUsage)
		}
		if !racct() {
			return disabled()
		}
		return e.rctlShow([]string{"::"}, human, numeric)
	}
	if !add && !remove && !usage && !limits {
		if !racct() {
			return disabled()
		}
		return e.rctlShow(rest, human, numeric)
	}
	failed := 0
	err := e.editWorld(func(w *simWorld) bool {
		changed := false
		for _, arg := range rest {
			f, msg := rctlExpand(arg, !(add && numeric))
			if msg != "" {
				e.Errorf(1, "%s", msg)
				failed++
				continue
			}
			if !racct() {
				disabled()
				failed++
				return changed
			}
			switch {
			case add:
				r, why := f.toRule()
				if why != "" {
					e.Errorf(1, "failed to add rule '%s': %s", arg, why)
					failed++
					continue
				}
				replaced := false
				for i, x := range w.rctl().Rules {
					if x.Subject == r.Subject && x.ID == r.ID && x.Resource == r.Resource && x.Action == r.Action && x.Per == r.Per {
						w.rctl().Rules[i] = r
						replaced = true
					}
				}
				if !replaced {
					w.rctl().Rules = append(w.rctl().Rules, r)
				}
				changed = true
			case remove:
				if !f.valid() {
					e.Errorf(1, "failed to remove rule '%s': Invalid argument", arg)
					failed++
					continue
				}
				var keep []rctlRule
				for _, r := range w.rctl().Rules {
					if !f.matches(r) {
						keep = append(keep, r)
					}
				}
				if len(keep) == len(w.rctl().Rules) {
					e.Errorf(1, "failed to remove rule '%s': No such process", arg)
					failed++
					continue
				}
				w.rctl().Rules = keep
				changed = true
			case usage:
				if !f.valid() || f.Subject == "" || f.ID == "" {
					e.Errorf(1, "failed to show resource consumption for '%s': Invalid argument", arg)
					failed++
					continue
				}
				if f.Subject == "jail" {
					if w.jails().byName(f.ID) == nil {
						e.Errorf(1, "failed to show resource consumption for '%s': No such process", arg)
						failed++
						continue
					}
				}
				for _, res := range rctlResources {
					v := "0"
					if human {
						v = humanizeNumber(0)
					}
					fmt.Fprintf(e.Stdout, "%s=%s\n", res, v)
				}
			case limits:
				if f.Subject != "process" || f.ID == "" {
					e.Errorf(1, "failed to get limits for '%s': Invalid argument", arg)
					failed++
					continue
				}
				for _, r := range w.rctl().Rules {
					if r.Subject == "process" && r.ID == f.ID {
						fmt.Fprintln(e.Stdout, rctlFormat(r, human))
					}
				}
			}
		}
		return changed
	})
	if err != nil {
		return e.stateError(err)
	}
	return failed
}

func rctlFormat(r rctlRule, human bool) string {
	s := r.String()
	if human {
		s = strings.Replace(s, fmt.Sprintf("=%d", r.Amount), "="+humanizeNumber(r.Amount), 1)
	}
	return s
}

func (e *Env) rctlShow(filters []string, human, numeric bool) int {
	failed := 0
	err := e.viewWorld(func(w *simWorld) {
		for _, arg := range filters {
			f, msg := rctlExpand(arg, true)
			if msg != "" {
				e.Errorf(1, "%s", msg)
				failed++
				continue
			}
			if !f.valid() {
				e.Errorf(1, "failed to show rules for '%s': Invalid argument", arg)
				failed++
				continue
			}
			for _, r := range w.rctl().Rules {
				if !f.matches(r) {
					continue
				}
				if r.Subject == "user" && !numeric {
					if u, err := user.LookupId(r.ID); err == nil {
						r.ID = u.Username
					}
				}
				fmt.Fprintln(e.Stdout, rctlFormat(r, human))
			}
		}
	})
	if err != nil {
		return e.stateError(err)
	}
	return failed
}

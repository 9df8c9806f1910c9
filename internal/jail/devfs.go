package jail

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/config"

	"github.com/jcage/jcage/internal/host"
)

// IocageDevfsRuleset is the devfs_ruleset value that asks iocage for a
// generated ruleset: 4 is a marker here, not ruleset 4 of devfs.rules.
const IocageDevfsRuleset = "4"

// devfsUnhidden are the paths iocage's generated ruleset unhides, in its
// order: devfsrules_unhide_basic, devfsrules_unhide_login and zfs.
var devfsUnhidden = []string{
	"null", "zero", "crypto", "random", "urandom",
	"ptyp*", "ptyq*", "ptyr*", "ptys*", "ptyP*", "ptyQ*", "ptyR*", "ptyS*",
	"ptyl*", "ptym*", "ptyn*", "ptyo*", "ptyL*", "ptyM*", "ptyN*", "ptyO*",
	"ttyp*", "ttyq*", "ttyr*", "ttys*", "ttyP*", "ttyQ*", "ttyR*", "ttyS*",
	"ttyl*", "ttym*", "ttyn*", "ttyo*", "ttyL*", "ttyM*", "ttyN*", "ttyO*",
	"ptmx", "pts", "pts/*", "fd", "fd/*", "stdin", "stdout", "stderr", "zfs",
}

// DefaultDevfsRules are the rules of iocage's generated ruleset for a jail
// (the equivalent of devfsrules_jail plus what its properties need), one
// rulespec per line as `devfs rule add` takes them.
func DefaultDevfsRules(p *config.Config) []string {
	rules := []string{"hide"}
	paths := append([]string(nil), devfsUnhidden...)
	if p.Bool("allow_mount_fusefs") {
		paths = append(paths, "fuse")
	}
	if p.Bool("bpf") {
		paths = append(paths, "bpf*")
	}
	if p.Bool("allow_tun") {
		paths = append(paths, "tun*")
	}
	for _, path := range paths {
		rules = append(rules, "path "+path+" unhide")
	}
	return rules
}

// CloneDevfsRules turns `devfs rule -s N show` output into the rulespecs
// that recreate ruleset N: each line without its rule number.
func CloneDevfsRules(show string) []string {
	var rules []string
	for _, line := range strings.Split(show, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		rules = append(rules, strings.Join(f[1:], " "))
	}
	return rules
}

// DevfsAddCmd adds rules to ruleset n in one devfs call, the rules read
// from standard input. iocage runs one `devfs rule -s N add RULE` per rule
// (some fifty per start); the rules and their order are the same.
func DevfsAddCmd(n int, rules []string) host.Cmd {
	return host.Cmd{
		Name:  "devfs",
		Args:  []string{"rule", "-s", strconv.Itoa(n), "add", "-"},
		Stdin: strings.NewReader(strings.Join(rules, "\n") + "\n"),
	}
}

// DevfsDelsetCmd deletes ruleset n.
func DevfsDelsetCmd(n int) host.Cmd {
	return host.Cmd{Name: "devfs", Args: []string{"rule", "-s", strconv.Itoa(n), "delset"}}
}

// parseShowsets reads `devfs rule showsets`.
func parseShowsets(out []byte) map[int]bool {
	sets := map[int]bool{}
	for _, f := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(f); err == nil {
			sets[n] = true
		}
	}
	return sets
}

// devfsSets is the host's set of devfs rulesets, read once per command and
// kept current as jcage adds and deletes rulesets, so that parallel
// starts never pick the same number.
type devfsSets struct {
	mu   sync.Mutex
	sets map[int]bool
}

func (d *devfsSets) load(ctx context.Context, run host.Runner) error {
	if d.sets != nil {
		return nil
	}
	out, err := run.Run(ctx, host.Cmd{Name: "devfs", Args: []string{"rule", "showsets"}})
	if err != nil {
		return err
	}
	d.sets = parseShowsets(out)
	return nil
}

// exists reports whether ruleset n exists.
func (d *devfsSets) exists(ctx context.Context, run host.Runner, n int) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.load(ctx, run); err != nil {
		return false, err
	}
	return d.sets[n], nil
}

func (d *devfsSets) forget(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.sets, n)
}

// devfsPlan is the ruleset a start gives its jail.
type devfsPlan struct {
	Number     int
	Rules      []string
	ClonedFrom string // "" for iocage's generated default
}

// Message is what the start prints about the ruleset.
func (p devfsPlan) Message() string {
	if p.ClonedFrom == "" {
		return fmt.Sprintf("  + Using devfs_ruleset: %d (iocage generated default)", p.Number)
	}
	return fmt.Sprintf("  + Using devfs_ruleset: %d (cloned from devfs_ruleset %s)", p.Number, p.ClonedFrom)
}

// createRuleset picks the first free number from min_dyn_devfs_ruleset up
// and fills it: with iocage's default rules, or a copy of the configured
// ruleset. The number is reserved under the lock, the rules are added
// outside it, so parallel starts do not queue behind each other's devfs.
func (h *Host) createRuleset(ctx context.Context, d *devfsSets, name string, p *config.Config) (devfsPlan, error) {
	return h.createRulesetFor(ctx, d, name, p, nil)
}

// createRulesetFor is createRuleset for a jail whose plugin manifest adds
// devfs paths and includes to the generated default.
func (h *Host) createRulesetFor(ctx context.Context, d *devfsSets, name string, p *config.Config, plug *PluginStart) (devfsPlan, error) {
	configured, _ := p.Get("devfs_ruleset")
	min, _ := p.Get("min_dyn_devfs_ruleset")
	n, err := strconv.Atoi(min)
	if err != nil {
		n = 1000
	}
	d.mu.Lock()
	if err := d.load(ctx, h.Run); err != nil {
		d.mu.Unlock()
		return devfsPlan{}, err
	}
	for d.sets[n] {
		n++
	}
	cloneFrom := -1
	if configured != IocageDevfsRuleset {
		c, err := strconv.Atoi(configured)
		if err != nil || c != 0 && !d.sets[c] {
			d.mu.Unlock()
			return devfsPlan{}, fmt.Errorf("%s devfs_ruleset %s does not exist! - Not starting jail", underscored(name), configured)
		}
		cloneFrom = c
	}
	// An empty clone (of ruleset 0) makes no ruleset, but the number is
	// still the jail's.
	d.sets[n] = true
	d.mu.Unlock()

	plan := devfsPlan{Number: n}
	if cloneFrom < 0 {
		plan.Rules = DefaultDevfsRules(p)
		if plug != nil {
			plan.Rules = PluginDevfsRules(p, plug)
		}
	} else {
		out, err := h.Run.Run(ctx, host.Cmd{Name: "devfs", Args: []string{"rule", "-s", configured, "show"}})
		if err != nil {
			d.forget(n)
			return devfsPlan{}, err
		}
		plan.Rules, plan.ClonedFrom = CloneDevfsRules(string(out)), configured
	}
	if len(plan.Rules) > 0 {
		if _, err := h.Run.Run(ctx, DevfsAddCmd(n, plan.Rules)); err != nil {
			d.forget(n)
			return devfsPlan{}, fmt.Errorf("create devfs ruleset %d: %w", n, err)
		}
	}
	return plan, nil
}

package lifecycle

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/plan"
)

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
	out, err := run.Run(ctx, argv.DevfsShowsets())
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

// reserve picks the first free ruleset number from min
// (min_dyn_devfs_ruleset; 1000 when it is no number) up and keeps it for
// the caller. ok is false, and nothing is reserved, when configured names
// a ruleset to clone that does not exist (ruleset 0, empty, always does).
// The number is reserved under the lock; the caller adds the rules
// outside it, so parallel starts do not queue behind each other's devfs.
func (d *devfsSets) reserve(ctx context.Context, run host.Runner, configured, min string) (n int, ok bool, err error) {
	n, err = strconv.Atoi(min)
	if err != nil {
		n = 1000
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.load(ctx, run); err != nil {
		return 0, false, err
	}
	for d.sets[n] {
		n++
	}
	if configured != plan.IocageDevfsRuleset {
		c, err := strconv.Atoi(configured)
		if err != nil || c != 0 && !d.sets[c] {
			return 0, false, nil
		}
	}
	d.sets[n] = true
	return n, true, nil
}

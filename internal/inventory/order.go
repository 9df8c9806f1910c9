package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ResolveTargets turns names, ALL or --rc into jails, without templates.
func (inv *Inventory) ResolveTargets(names []string, rc bool) ([]*Jail, bool, error) {
	if rc {
		if len(names) > 0 {
			return nil, false, errors.New("--rc takes no jail names")
		}
		var out []*Jail
		for _, j := range inv.Jails {
			if !j.Template && j.Err == nil && j.Props.Bool("boot") {
				out = append(out, j)
			}
		}
		return out, true, nil
	}
	if len(names) == 0 {
		return nil, false, errors.New("Please specify jail(s) or ALL")
	}
	for _, n := range names {
		if n == "ALL" {
			var out []*Jail
			for _, j := range inv.Jails {
				if !j.Template {
					out = append(out, j)
				}
			}
			return out, true, nil
		}
	}
	var out []*Jail
	seen := map[*Jail]bool{}
	for _, n := range names {
		j, err := inv.Find(n)
		if err != nil {
			return nil, false, err
		}
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out, false, nil
}

// dependsOf resolves a jail's depends property: every name it can find,
// and an error naming each one it cannot.
func (inv *Inventory) dependsOf(j *Jail) ([]*Jail, error) {
	if j.Props == nil {
		return nil, nil
	}
	v, _ := j.Props.Get("depends")
	var out []*Jail
	var errs []error
	for _, d := range strings.Fields(v) {
		if d == "none" {
			continue
		}
		dj, err := inv.Find(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s depends on %s: %w", j.Name, d, err))
			continue
		}
		out = append(out, dj)
	}
	return out, errors.Join(errs...)
}

// StartPlan orders jails for a start: by priority ascending (stable, so
// ties keep name order), each preceded by what it depends on, recursively.
// A dependency cycle anywhere refuses the whole plan, naming the cycle.
func (inv *Inventory) StartPlan(targets []*Jail) ([]*PlanItem, error) {
	sorted := append([]*Jail(nil), targets...)
	sort.SliceStable(sorted, func(a, b int) bool { return priorityOf(sorted[a]) < priorityOf(sorted[b]) })

	index := map[*Jail]int{}
	var items []*PlanItem
	const (
		visiting = 1
		done     = 2
	)
	state := map[*Jail]int{}
	var stack []*Jail
	batch, lastPrio := -1, 0
	var visit func(j *Jail) error
	visit = func(j *Jail) error {
		switch state[j] {
		case done:
			return nil
		case visiting:
			var names []string
			start := 0
			for i, s := range stack {
				if s == j {
					start = i
				}
			}
			for _, s := range stack[start:] {
				names = append(names, s.Name)
			}
			names = append(names, j.Name)
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(names, " -> "))
		}
		state[j] = visiting
		stack = append(stack, j)
		deps, err := inv.dependsOf(j)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[j] = done
		it := &PlanItem{J: j, Batch: batch}
		for _, d := range deps {
			it.WaitFor = append(it.WaitFor, index[d])
		}
		index[j] = len(items)
		items = append(items, it)
		return nil
	}
	for _, j := range sorted {
		if p := priorityOf(j); batch < 0 || p != lastPrio {
			batch++
			lastPrio = p
		}
		if err := visit(j); err != nil {
			return nil, err
		}
		items[index[j]].Selected = true
	}
	return items, nil
}

// StopPlan orders jails for a stop: priority descending, and a jail after
// the selected jails that depend on it. Dependencies are not stopped unless
// named, as in iocage. A depends name that matches no jail costs only its
// own constraint; the error names it, and the plan stands.
func (inv *Inventory) StopPlan(targets []*Jail) ([]*PlanItem, error) {
	sorted := append([]*Jail(nil), targets...)
	sort.SliceStable(sorted, func(a, b int) bool { return priorityOf(sorted[a]) > priorityOf(sorted[b]) })
	var items []*PlanItem
	batch, lastPrio := -1, 0
	for _, j := range sorted {
		if p := priorityOf(j); batch < 0 || p != lastPrio {
			batch++
			lastPrio = p
		}
		items = append(items, &PlanItem{J: j, Selected: true, Batch: batch})
	}
	deps := make([][]*Jail, len(items))
	var errs []error
	for k, it := range items {
		var err error
		if deps[k], err = inv.dependsOf(it.J); err != nil {
			errs = append(errs, err)
		}
	}
	for i, it := range items {
		for k, other := range items {
			if k == i || other.Batch != it.Batch {
				continue
			}
			for _, d := range deps[k] {
				if d == it.J {
					it.WaitFor = append(it.WaitFor, k)
				}
			}
		}
	}
	// Within a batch, a jail waits for the jails that depend on it, so
	// they must come first in the queue.
	return orderWithin(items), errors.Join(errs...)
}

func (inv *Inventory) Named(names []string, j *Jail) bool {
	for _, n := range names {
		if f, err := inv.Find(n); err == nil && f == j {
			return true
		}
	}
	return false
}

// PlanItem is one jail of a plan.
type PlanItem struct {
	J        *Jail
	Selected bool  // named by the caller (or --rc/ALL), not only a dependency
	Batch    int   // items of one batch run in parallel; batches run in order
	WaitFor  []int // items that must finish first
}

func priorityOf(j *Jail) int {
	if j.Props == nil {
		return 99
	}
	v, _ := j.Props.Get("priority")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 99
	}
	return n
}

// orderWithin reorders each batch so that every item comes after those it
// waits for (the workers take items in order, so nothing waits on an item
// no worker has taken yet).
func orderWithin(items []*PlanItem) []*PlanItem {
	var out []*PlanItem
	placed := map[int]bool{}
	newIndex := map[int]int{}
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].Batch == items[start].Batch {
			end++
		}
		for len(out) < end {
			progressed := false
			for i := start; i < end; i++ {
				if placed[i] {
					continue
				}
				ready := true
				for _, w := range items[i].WaitFor {
					if !placed[w] {
						ready = false
					}
				}
				if ready {
					placed[i] = true
					newIndex[i] = len(out)
					out = append(out, items[i])
					progressed = true
				}
			}
			if !progressed {
				// A cycle among stopped jails: drop the waits, keep the order.
				for i := start; i < end; i++ {
					if !placed[i] {
						placed[i] = true
						newIndex[i] = len(out)
						items[i].WaitFor = nil
						out = append(out, items[i])
					}
				}
			}
		}
		start = end
	}
	for _, it := range out {
		for k, w := range it.WaitFor {
			it.WaitFor[k] = newIndex[w]
		}
	}
	return out
}

// ErrCycle is a depends list that loops.
var ErrCycle = errors.New("dependency cycle")

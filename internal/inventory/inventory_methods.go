package inventory

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// exists reports whether a jail or template already uses name, counting
// the ones that are not mounted (and so not listed) too.
func (inv *Inventory) Exists(name string) bool {
	for _, parent := range []string{inv.Tree.Jails(), inv.Tree.Templates()} {
		for _, d := range inv.Scan.Children(parent) {
			if NameKey(layout.Base(d.Name)) == NameKey(name) {
				return true
			}
		}
	}
	return false
}

func (s *Scan) Add(d zfs.Dataset) {
	s.byName[d.Name] = len(s.Datasets)
	s.Datasets = append(s.Datasets, d)
}

// Dependents lists the datasets cloned from any snapshot of ds or below
// it, from the inventory's scan of the tree (clones outside the tree
// are found by zfs itself, which refuses to destroy them without -R).
func (inv *Inventory) Dependents(ds string) []string {
	var out []string
	for _, d := range inv.Scan.Datasets {
		if d.Origin == "" {
			continue
		}
		odb, _, _ := layout.SplitSnap(d.Origin)
		if layout.Child(ds, odb) && !layout.Child(ds, d.Name) {
			out = append(out, d.Name)
		}
	}
	sort.Strings(out)
	return out
}

// State is the STATE cell: up, down or CORRUPT.
func (j *Jail) State() string {
	switch {
	case j.Err != nil:
		return "CORRUPT"
	case j.Running():
		return "up"
	}
	return "down"
}

// JIDText is the JID as get -j prints it: the number or "-".
func (j *Jail) JIDText() string {
	if !j.Running() {
		return "-"
	}
	return strconv.Itoa(j.JID)
}

// Value returns one property of a jail as get prints it, including the
// computed state and jid.
func (j *Jail) Value(key string) (string, error) {
	switch key {
	case "state":
		return j.State(), nil
	case "jid":
		return j.JIDText(), nil
	}
	if j.Err != nil {
		return "", fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	return config.GetDisplay(j.Props, key)
}

// All returns every property with state, sorted, as `get -a` lists them.
func (j *Jail) All() ([][2]string, error) {
	if j.Err != nil {
		return nil, fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	var out [][2]string
	for _, k := range j.Props.Keys() {
		v, _ := config.GetDisplay(j.Props, k)
		out = append(out, [2]string{k, v})
	}
	out = append(out, [2]string{"state", j.State()})
	sort.SliceStable(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	return out, nil
}

// RecursiveRows are `get -r KEY`'s rows, name and value, one per jail
// and template in inventory order; corrupt jails show N/A (and CORRUPT
// for state).
func (inv *Inventory) RecursiveRows(key string) ([][]string, error) {
	var rows [][]string
	for _, j := range inv.Jails {
		v, err := j.Value(key)
		if j.Err != nil && key != "state" && key != "jid" {
			v, err = "N/A", nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, []string{j.Name, v})
	}
	return rows, nil
}

// RecursiveAllRows are `get -r all`'s rows: name, property and value,
// one per jail and property.
func (inv *Inventory) RecursiveAllRows() [][]string {
	var rows [][]string
	for _, j := range inv.Jails {
		all, err := j.All()
		if err != nil {
			rows = append(rows, []string{j.Name, "state", "CORRUPT"})
			continue
		}
		for _, kv := range all {
			rows = append(rows, []string{j.Name, kv[0], kv[1]})
		}
	}
	return rows
}

// SnapDataset is the dataset a jail's snapshots are taken of:
// POOL/iocage/jails/NAME, or templates/NAME for a template.
func (inv *Inventory) SnapDataset(j *Jail) string {
	if j.Template {
		return inv.Tree.Template(j.Name)
	}
	return inv.Tree.Jail(j.Name)
}

func (inv *Inventory) SnapRoot(j *Jail) string {
	if j.Template {
		return inv.Tree.TemplateRoot(j.Name)
	}
	return inv.Tree.JailRoot(j.Name)
}

// SnapTargets resolves the JAIL argument of the snapshot commands: one jail
// by name or unique prefix, or every jail and template for ALL.
func (inv *Inventory) SnapTargets(arg string) ([]*Jail, error) {
	if arg == AllJails {
		return append([]*Jail(nil), inv.Jails...), nil
	}
	j, err := inv.Find(arg)
	if err != nil {
		return nil, err
	}
	return []*Jail{j}, nil
}

// listRoot is the one dataset whose recursive read covers every target.
func (inv *Inventory) ListRoot(jails []*Jail) string {
	if len(jails) == 1 {
		return inv.SnapDataset(jails[0])
	}
	return inv.Tree.Root()
}

// owner names the jail whose tree holds dataset, if any.
func (inv *Inventory) Owner(dataset string) *Jail {
	for _, j := range inv.Jails {
		if layout.Child(inv.SnapDataset(j), dataset) {
			return j
		}
	}
	return nil
}

func (inv *Inventory) DescribeClones(clones []string) []string {
	out := make([]string, len(clones))
	for i, c := range clones {
		out[i] = c
		if j := inv.Owner(c); j != nil {
			out[i] = fmt.Sprintf("%s (jail %s)", c, j.Name)
		}
	}
	return out
}

// runningDependents lists j and the jails cloned from it that run.
func (inv *Inventory) RunningDependents(j *Jail) []string {
	var out []string
	if j.Running() {
		out = append(out, j.Name)
	}
	for _, o := range inv.Jails {
		if o != j && o.Running() && o.Root.Origin != "" {
			ds, _, _ := layout.SplitSnap(o.Root.Origin)
			if layout.Child(j.Dataset.Name, ds) {
				out = append(out, o.Name)
			}
		}
	}
	return out
}

// NameKey folds '.' and '_' together: jail(8) names turn dots into
// underscores, so "a.b" and "a_b" would collide at start.
func NameKey(s string) string { return strings.ReplaceAll(s, ".", "_") }

// AllJails is the argument that makes snapshot, snaplist and snapremove
// act on every jail and template, as in the freebsd/iocage fork; for
// snapremove -n it also means every snapshot of the jail.
const AllJails = "ALL"

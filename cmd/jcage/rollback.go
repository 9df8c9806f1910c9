package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("rollback", rollbackCommand) }

func rollbackCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "Roll a stopped jail back to a snapshot.",
		ArgsUsage: "-n NAME [-f] JAIL",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the snapshot name, what comes after @"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "skip the question"},
		},
		Action: rootAction(e, parseRollback, runRollback),
	}
}

// rollbackOptions is rollback's command line.
type rollbackOptions struct {
	jail  string
	name  string // -n: the snapshot, what comes after @
	force bool   // -f: no question
}

func parseRollback(c *cli.Context) (rollbackOptions, error) {
	target, err := snapJailArg(c, "rollback -n NAME [-f] JAIL")
	if err != nil {
		return rollbackOptions{}, err
	}
	name, err := snapNameFlag(c)
	if err != nil {
		return rollbackOptions{}, err
	}
	return rollbackOptions{jail: target, name: name, force: c.Bool("force")}, nil
}

// runRollback rolls a stopped jail's datasets back to a snapshot, after
// a warning that names what goes and iocage's question unless opts.force.
func runRollback(ctx context.Context, opts rollbackOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	j, err := inv.Find(opts.jail)
	if err != nil {
		return err
	}
	plan, err := h.PlanRollback(ctx, inv, j, opts.name)
	if err != nil {
		return err
	}
	if !opts.force {
		fmt.Fprint(d.stderr, rollbackWarning(plan))
		ok, err := d.confirm(w, "\nAre you sure?")
		if err != nil || !ok {
			// A "no" ends quietly and successfully, as in iocage.
			return err
		}
	}
	if err := h.Rollback(ctx, inv, plan); err != nil {
		return err
	}
	fmt.Fprintf(w, "Rolled back to: %s\n", plan.Target)
	return nil
}

// rollbackWarning is iocage's warning, followed by what iocage leaves
// unsaid: the snapshots that will be destroyed.
func rollbackWarning(p *jail.RollbackPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nThis will destroy ALL data created including ALL snapshots taken after the snapshot %s\n", p.Name)
	if len(p.Newer) == 0 {
		b.WriteString("No snapshot is newer than " + p.Name + ": none will be destroyed.\n")
	} else {
		b.WriteString("These snapshots will be destroyed:\n")
		for _, s := range p.Newer {
			b.WriteString("  " + s + "\n")
		}
	}
	if len(p.Missing) > 0 {
		b.WriteString("These datasets have no snapshot " + p.Name + " and stay as they are:\n")
		for _, d := range p.Missing {
			b.WriteString("  " + d + "\n")
		}
	}
	return b.String()
}

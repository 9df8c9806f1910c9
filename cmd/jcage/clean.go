package main

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("clean", cleanCommand) }

func cleanCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "clean",
		Usage: "Destroy whole parts of the jcage tree: jails, releases, templates, images.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "everything, including POOL/iocage itself"},
			&cli.BoolFlag{Name: "jails", Aliases: []string{"j"}, Usage: "every jail, and the snapshots on releases"},
			&cli.BoolFlag{Name: "base", Aliases: []string{"r", "b"}, Usage: "every release and download"},
			&cli.BoolFlag{Name: "template", Aliases: []string{"t"}, Usage: "every template"},
			&cli.BoolFlag{Name: "images", Aliases: []string{"i"}, Usage: "every exported image"},
			&cli.BoolFlag{Name: "debug", Aliases: []string{"d"}, Usage: "the debug directory"},
		},
		Action: rootAction(e, parseClean, runClean),
	}
}

// cleanOptions is clean's command line.
type cleanOptions struct {
	scope jail.CleanScope
	force bool // -f: no question
}

func parseClean(c *cli.Context) (cleanOptions, error) {
	return cleanOptions{scope: jail.CleanScope{All: c.Bool("all"), Jails: c.Bool("jails"), Releases: c.Bool("base"),
		Templates: c.Bool("template"), Images: c.Bool("images"), Debug: c.Bool("debug")}, force: c.Bool("force")}, nil
}

// runClean destroys what the scope names under the tree lock, after
// iocage's warning and question unless opts.force.
func runClean(ctx context.Context, opts cleanOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{})
	if err != nil {
		return err
	}
	if warning := opts.scope.Warning(); warning != "" && !opts.force {
		ok, err := d.askYesNo(w, warning)
		if err != nil || !ok {
			return err
		}
	}
	return h.Clean(ctx, inv, opts.scope)
}

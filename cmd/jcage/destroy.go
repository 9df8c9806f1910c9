package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("destroy", destroyCommand) }

func destroyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "destroy",
		Usage:     "Destroy jails, or fetched releases with -r.",
		ArgsUsage: "JAIL... | -r RELEASE...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask; stop running jails first"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"R"}, Usage: "also destroy jails cloned from these"},
			&cli.BoolFlag{Name: "release", Aliases: []string{"r"}, Usage: "destroy fetched releases"},
			&cli.BoolFlag{Name: "download", Aliases: []string{"d"}, Usage: "with -r, also destroy the downloaded sets"},
		},
		Action: rootAction(e, parseDestroy, runDestroy),
	}
}

// destroyOptions is destroy's command line.
type destroyOptions struct {
	names     []string // JAIL..., or RELEASE... with -r
	force     bool     // -f (and, for releases, jcage -f)
	recursive bool     // -R
	releases  bool     // -r
	download  bool     // -d
}

func parseDestroy(c *cli.Context) (destroyOptions, error) {
	if c.NArg() == 0 {
		return destroyOptions{}, errors.New("Usage: jcage destroy [-f] [-R] JAIL... | destroy -r [-d] RELEASE...")
	}
	opts := destroyOptions{names: c.Args().Slice(), force: c.Bool("force"), recursive: c.Bool("recursive"),
		releases: c.Bool("release"), download: c.Bool("download")}
	if opts.releases {
		opts.force = opts.force || global(c, "force")
	}
	return opts, nil
}

// runDestroy destroys jails under the tree lock, each after iocage's
// question unless opts.force, or with opts.releases fetched releases
// (destroyReleases).
func runDestroy(ctx context.Context, opts destroyOptions, d deps, w io.Writer) error {
	if opts.releases {
		return destroyReleases(ctx, opts, d, w)
	}
	h := d.host
	inv, err := d.load(ctx, h, true, nil)
	if err != nil {
		return err
	}
	var targets []*inventory.Jail
	for _, a := range opts.names {
		j, err := inv.Find(a)
		if err != nil {
			return err
		}
		targets = append(targets, j)
	}
	for _, j := range targets {
		if !opts.force {
			ok, err := d.askYesNo(w, fmt.Sprintf("This will destroy jail %s", j.Name))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		if err := h.Destroy(ctx, inv, j, jail.DestroyOptions{Force: opts.force, Recursive: opts.recursive}); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("clone", cloneCommand) }

func cloneCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "clone",
		Usage:     "Clone a stopped jail.",
		ArgsUsage: "SOURCE [PROP=VALUE ...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the new jail's name (default: a UUID)"},
			&cli.StringFlag{Name: "uuid", Aliases: []string{"u"}, Usage: "the new jail's UUID"},
			&cli.StringFlag{Name: "count", Aliases: []string{"c"}, Value: "1", Usage: "clone this many times"},
			&cli.BoolFlag{Name: "thickjail", Aliases: []string{"T"}, Usage: "copy the root instead of cloning it"},
			&cli.BoolFlag{Name: "newmac", Aliases: []string{"N"}, Usage: "generate new MAC addresses"},
		},
		Action: rootAction(e, parseClone, runClone),
	}
}

// cloneOptions is clone's command line.
type cloneOptions struct {
	req jail.CloneRequest
}

func parseClone(c *cli.Context) (cloneOptions, error) {
	if c.NArg() < 1 {
		return cloneOptions{}, errors.New("Usage: jcage clone SOURCE [-n NAME] [PROP=VALUE ...]")
	}
	count, err := parseCount(c.String("count"))
	if err != nil {
		return cloneOptions{}, err
	}
	return cloneOptions{req: jail.CloneRequest{
		Source: c.Args().First(), Name: c.String("name"), UUID: c.String("uuid"), Count: count,
		Thick: c.Bool("thickjail"), NewMAC: c.Bool("newmac"), Props: c.Args().Tail(),
	}}, nil
}

// runClone clones a stopped jail under the tree lock.
func runClone(ctx context.Context, opts cloneOptions, d deps, _ io.Writer) error {
	h := d.host
	inv, err := d.load(ctx, h, true, nil)
	if err != nil {
		return err
	}
	_, err = h.Clone(ctx, inv, opts.req)
	return err
}

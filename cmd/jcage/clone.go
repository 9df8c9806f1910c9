package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

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
		Action: needRoot(e, "clone", func(c *cli.Context) error {
			if c.NArg() < 1 {
				return errors.New("Usage: jcage clone SOURCE [-n NAME] [PROP=VALUE ...]")
			}
			count, err := strconv.Atoi(strings.ReplaceAll(c.String("count"), ",", ""))
			if err != nil || count < 1 {
				return fmt.Errorf("invalid count %q", c.String("count"))
			}
			h, inv, unlock, err := e.lockedInventory(c.Context, true)
			if err != nil {
				return err
			}
			defer unlock()
			_, err = h.Clone(c.Context, inv, jail.CloneRequest{
				Source: c.Args().First(), Name: c.String("name"), UUID: c.String("uuid"), Count: count,
				Thick: c.Bool("thickjail"), NewMAC: c.Bool("newmac"), Props: c.Args().Tail(),
			})
			return err
		}),
	}
}

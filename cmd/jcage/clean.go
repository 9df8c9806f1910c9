package main

import (
	"github.com/urfave/cli/v2"

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
		Action: needRoot(e, "clean", func(c *cli.Context) error {
			s := jail.CleanScope{All: c.Bool("all"), Jails: c.Bool("jails"), Releases: c.Bool("base"),
				Templates: c.Bool("template"), Images: c.Bool("images"), Debug: c.Bool("debug")}
			h := e.host()
			lock, err := h.LockTree()
			if err != nil {
				return err
			}
			defer lock.Unlock()
			inv, err := h.Load(c.Context, jail.Options{})
			if err != nil {
				return err
			}
			if w := s.Warning(); w != "" && !c.Bool("force") {
				ok, err := askYesNo(e, w)
				if err != nil || !ok {
					return err
				}
			}
			return h.Clean(c.Context, inv, s)
		}),
	}
}

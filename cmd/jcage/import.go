package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("import", importCommand) }

func importCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "Import a jail exported by jcage or iocage.",
		ArgsUsage: "[-c zip|lzma] [-p PATH] [--no-verify] NAME",
		Description: "Finds IOCROOT/images/NAME*.zip or .tar.xz (or the archive -p names, or the one in the\n" +
			"directory -p names), checks it against NAME_DATE.sha256 and every member name before\n" +
			"anything is created, then streams each member into `zfs recv -F` under\n" +
			"POOL/iocage/jails/NAME. A failure or Ctrl-C destroys what was received. A template\n" +
			"comes back as a jail.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "compression", Aliases: []string{"c"}, Usage: "look only for zip or only for lzma (tar.xz) archives"},
			&cli.StringFlag{Name: "path", Aliases: []string{"p"}, Usage: "the directory holding the archive, or the archive itself"},
			&cli.BoolFlag{Name: "no-verify", Usage: "import without checking the archive against its .sha256"},
			&cli.BoolFlag{Name: "trust-hooks", Usage: "accept an archive whose config.json has the host run commands (exec_prestart and the like)"},
		},
		Action: needRoot(e, "import", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage import [-c zip|lzma] [-p PATH] [--no-verify] [--trust-hooks] NAME")
			}
			h := e.host()
			lock, err := h.LockTree()
			if err != nil {
				return err
			}
			defer lock.Unlock()
			inv, err := h.Load(c.Context, jail.Options{Create: true})
			if err != nil {
				return err
			}
			_, err = h.Import(c.Context, inv, c.Args().First(), jail.ImportOptions{
				Compression: c.String("compression"),
				Path:        c.String("path"),
				NoVerify:    c.Bool("no-verify"),
				TrustHooks:  c.Bool("trust-hooks"),
				Progress:    imageProgress(e),
			})
			return err
		}),
	}
}

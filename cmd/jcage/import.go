package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/image"
	"github.com/jcage/jcage/internal/inventory"
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
		Action: rootAction(e, parseImport, runImport),
	}
}

// importOptions is import's command line.
type importOptions struct {
	name string
	opts image.ImportOptions // all but Progress
}

func parseImport(c *cli.Context) (importOptions, error) {
	if c.NArg() != 1 {
		return importOptions{}, errors.New("Usage: jcage import [-c zip|lzma] [-p PATH] [--no-verify] NAME")
	}
	return importOptions{name: c.Args().First(), opts: image.ImportOptions{
		Compression: c.String("compression"),
		Path:        c.String("path"),
		NoVerify:    c.Bool("no-verify"),
		TrustHooks:  c.Bool("trust-hooks"),
	}}, nil
}

// runImport finds and checks the archive, then receives it as a jail,
// under the tree lock.
func runImport(ctx context.Context, opts importOptions, d deps, _ io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return err
	}
	iopts := opts.opts
	iopts.Progress = imageProgress(d.stderr)
	_, err = image.Of(h).Import(ctx, inv, opts.name, iopts)
	return err
}

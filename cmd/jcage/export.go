package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/image"
	"github.com/jcage/jcage/internal/inventory"
)

func init() { registerCommand("export", exportCommand) }

func exportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "Export a stopped jail to an archive in IOCROOT/images.",
		ArgsUsage: "[-c zip|lzma] [--allow-running] JAIL",
		Description: "Streams a full `zfs send` of each of the jail's datasets, taken from one recursive\n" +
			"ioc-export-DATE snapshot, straight into the archive, with iocage's member names; the\n" +
			"checksum file holds the archive's sha256. The snapshot is removed afterwards.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "compression", Aliases: []string{"c"}, Value: image.FormatZip, Usage: "zip (deflate, zip64) or lzma (tar.xz, through xz)"},
			&cli.BoolFlag{Name: "allow-running", Usage: "export a running jail: its snapshot is only crash-consistent"},
		},
		Action: rootAction(e, parseExport, runExport),
	}
}

// exportOptions is export's command line.
type exportOptions struct {
	jail         string
	compression  string // -c: zip (or empty) or lzma
	allowRunning bool   // --allow-running
}

func parseExport(c *cli.Context) (exportOptions, error) {
	if c.NArg() != 1 {
		return exportOptions{}, errors.New("Usage: jcage export [-c zip|lzma] [--allow-running] JAIL")
	}
	return exportOptions{jail: c.Args().First(), compression: c.String("compression"), allowRunning: c.Bool("allow-running")}, nil
}

// runExport streams the jail's datasets into an archive in
// IOCROOT/images, with a progress bar on a terminal.
func runExport(ctx context.Context, opts exportOptions, d deps, _ io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	_, err = image.Of(h).Export(ctx, inv, opts.jail, image.ExportOptions{
		Compression:  opts.compression,
		AllowRunning: opts.allowRunning,
		Progress:     imageProgress(d.stderr),
	})
	return err
}

// imageProgress draws a bar per stream on errw when it is a terminal:
// bytes so far, the total (zfs send -nvP's estimate on export, the
// member's size on import), the rate and the time left. Off a terminal
// only the command's one-line messages are printed.
func imageProgress(errw io.Writer) image.ProgressFunc {
	if !isTerminal(errw) {
		return nil
	}
	return func(desc string, total int64) io.WriteCloser {
		return progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(errw),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionUseIECUnits(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSpinnerType(14),
			// iocage's messages go to stdout on the same terminal: the bar
			// leaves no trace between them.
			progressbar.OptionClearOnFinish(),
		)
	}
}

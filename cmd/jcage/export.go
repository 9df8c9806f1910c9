package main

import (
	"errors"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
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
			&cli.StringFlag{Name: "compression", Aliases: []string{"c"}, Value: jail.FormatZip, Usage: "zip (deflate, zip64) or lzma (tar.xz, through xz)"},
			&cli.BoolFlag{Name: "allow-running", Usage: "export a running jail: its snapshot is only crash-consistent"},
		},
		Action: needRoot(e, "export", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage export [-c zip|lzma] [--allow-running] JAIL")
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			_, err = h.Export(c.Context, inv, c.Args().First(), jail.ExportOptions{
				Compression:  c.String("compression"),
				AllowRunning: c.Bool("allow-running"),
				Progress:     imageProgress(e),
			})
			return err
		}),
	}
}

// imageProgress draws a bar per stream on stderr when it is a terminal:
// bytes so far, the total (zfs send -nvP's estimate on export, the
// member's size on import), the rate and the time left. Off a terminal
// only the command's one-line messages are printed.
func imageProgress(e *env) jail.ProgressFunc {
	if !isTerminal(e.stderr) {
		return nil
	}
	return func(desc string, total int64) io.WriteCloser {
		return progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(e.stderr),
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

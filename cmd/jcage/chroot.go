package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand("chroot", chrootCommand) }

// chrootCommand is iocage's chroot, which the freebsd/iocage fork keeps
// only as a pointer to exec and console. iocage's old chroot ran the
// jail's own binaries on the host under chroot(8), as root; jcage never
// runs a program the jail can write outside the jail, so it points the
// same way and changes nothing.
func chrootCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:            "chroot",
		Usage:           "Chroot to a jail (replaced by exec and console).",
		Description:     "iocage's chroot runs the jail's own programs on the host as root.\njcage refuses it and points to exec and console, which run them inside the jail.",
		ArgsUsage:       "JAIL [COMMAND...]",
		SkipFlagParsing: true,
		Action:          action(e, parseChroot, runChroot),
	}
}

// chrootOptions is chroot's command line: the jail it names.
type chrootOptions struct {
	jail string
}

func parseChroot(c *cli.Context) (chrootOptions, error) {
	if c.NArg() == 0 || c.Args().First() == "" || c.Args().First()[0] == '-' {
		return chrootOptions{}, errors.New("Please specify a jail first!")
	}
	return chrootOptions{jail: c.Args().First()}, nil
}

// runChroot changes nothing: it says what to use instead.
func runChroot(_ context.Context, opts chrootOptions, _ deps, _ io.Writer) error {
	return errors.New("chroot is not supported: use 'jcage exec " + opts.jail + " COMMAND' or 'jcage console " + opts.jail + "'")
}

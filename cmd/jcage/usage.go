package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// helpCommand is `jcage help [COMMAND]`; a word that names no command is
// a usage error, as `jcage WORD` is.
func helpCommand(app *cli.App) *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "Show the list of commands or the help of one command.",
		ArgsUsage: "[COMMAND]",
		Description: "Lists the commands, or shows the options and arguments of COMMAND; jcage(8)\n" +
			"describes every command, option and property.",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			name := c.Args().First()
			if findCommand(app, name) == nil {
				return unknownCommand(app, name)
			}
			return cli.ShowCommandHelp(c.Lineage()[1], name)
		},
	}
}

// argChecks holds, per command, the check of its arguments that needs
// nothing but the command line. It runs before the root check and before
// the pool is opened, so that a mistyped command line is answered the
// same way by any user on any host. The messages are the commands' own.
var argChecks = map[string]func(c *cli.Context) error{
	"upgrade": func(c *cli.Context) error {
		if c.NArg() != 1 {
			return errors.New("Usage: jcage upgrade JAIL -r RELEASE")
		}
		// Without -r only a plugin jail, which goes to its manifest's
		// release, can be upgraded: that takes the pool to know.
		return nil
	},
}

// checkArgsFirst puts the command's argument check in front of its
// action, with the check every table command shares: -h (no header) and
// --json are two renderings, and asking for both is refused rather than
// one of them silently ignored.
func checkArgsFirst(cmd *cli.Command) {
	check, act := argChecks[cmd.Name], cmd.Action
	if act == nil {
		return
	}
	cmd.Action = func(c *cli.Context) error {
		if cmd.SkipFlagParsing && !cmd.Hidden && c.NArg() > 0 && (c.Args().First() == "--help" || c.Args().First() == "help") {
			// exec and pkg read their own options; --help before JAIL is
			// still jcage's.
			return cli.ShowCommandHelp(c.Lineage()[1], cmd.Name)
		}
		if hasFlag(c.Command, "json") && c.Bool("json") && hasFlag(c.Command, "header") && c.Bool("header") {
			return usageErrorf("-h (no header) and --json cannot be used together")
		}
		if check != nil {
			if err := check(c); err != nil {
				return err
			}
		}
		return act(c)
	}
}

func hasFlag(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

func nargs(n int, usage string) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		if c.NArg() != n {
			return errors.New(usage)
		}
		return nil
	}
}

// parseCount reads create's and clone's -c, which iocage reads as a
// number with optional thousands commas (validate_count).
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid count %q", s)
	}
	return n, nil
}

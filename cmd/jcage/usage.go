package main

import (
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

// sharedChecks puts in front of a command's action the checks every
// command shares: exec's and pkg's --help before JAIL is jcage's, and -h
// (no header) and --json, two renderings, are refused together rather
// than one of them silently ignored. What else a command line may lack
// is its parser's to say (action, rootAction).
func sharedChecks(cmd *cli.Command) {
	act := cmd.Action
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

// parseCount reads create's and clone's -c, which iocage reads as a
// number with optional thousands commas (validate_count).
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid count %q", s)
	}
	return n, nil
}

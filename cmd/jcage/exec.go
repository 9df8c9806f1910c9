package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
)

func init() { registerCommand("exec", execCommand) }

// leadingFlags parses the options in front of JAIL for exec and pkg,
// whose command line after JAIL belongs to the command run in the jail
// (iocage's UNPROCESSED arguments): `jcage exec web ls -la` must hand -la
// to ls. valued names the options that take a value; "--" ends options.
func leadingFlags(args []string, valued, boolean map[string]string) (map[string]string, []string, error) {
	got := map[string]string{}
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return got, args[1:], nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		short := !strings.HasPrefix(a, "--")
		if short && len(name) > 1 && !hasValue {
			// -uroot
			name, value, hasValue = name[:1], name[1:], true
		}
		if canon, ok := valued[name]; ok {
			if !hasValue {
				if len(args) < 2 {
					return nil, nil, fmt.Errorf("option %s requires an argument", a)
				}
				value, args = args[1], args[1:]
			}
			got[canon] = value
			args = args[1:]
			continue
		}
		if canon, ok := boolean[name]; ok && !hasValue {
			got[canon] = "1"
			args = args[1:]
			continue
		}
		return nil, nil, fmt.Errorf("no such option: %s", a)
	}
	return got, args, nil
}

func execCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "Run a command inside a specified jail.",
		ArgsUsage: "JAIL|ALL COMMAND...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "host_user", Aliases: []string{"u"}, Value: "root", Usage: "The host user to use."},
			&cli.StringFlag{Name: "jail_user", Aliases: []string{"U"}, Usage: "The jail user to use."},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "Start the jail if it is not running."},
			&cli.BoolFlag{Name: "keep_proxy", Aliases: []string{"p"}, Usage: "Pass the caller's proxy variables (http_proxy and the like) to the command."},
		},
		// Everything after JAIL is the jail's command, options included.
		SkipFlagParsing: true,
		Action:          rootFirstAction(e, parseExec, runExec),
	}
}

// execOptions is exec's command line.
type execOptions struct {
	jail      string
	command   []string // the command run in the jail, options included
	hostUser  string   // -u; empty when -U alone names the user
	jailUser  string   // -U
	force     bool     // -f, or jcage -f: start the jail first
	keepProxy bool     // -p
}

// parseExec reads the options in front of JAIL; everything after it is
// the jail's command.
func parseExec(c *cli.Context) (execOptions, error) {
	opts, rest, err := leadingFlags(c.Args().Slice(),
		map[string]string{"u": "host_user", "host_user": "host_user", "U": "jail_user", "jail_user": "jail_user"},
		map[string]string{"f": "force", "force": "force", "p": "keep_proxy", "keep_proxy": "keep_proxy"})
	if err != nil {
		return execOptions{}, err
	}
	if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
		return execOptions{}, errors.New("Please specify a jail first!")
	}
	if len(rest) > 1 && rest[1] == "--" {
		// `exec JAIL -- CMD`: the separator is not part of CMD.
		rest = append(rest[:1:1], rest[2:]...)
	}
	if len(rest) < 2 {
		return execOptions{}, errors.New("Usage: jcage exec [-u USER | -U USER] [-f] [-p] JAIL|ALL COMMAND...")
	}
	hostUser, jailUser := opts["host_user"], opts["jail_user"]
	if hostUser == "" {
		hostUser = "root"
	}
	// A jail user replaces the default host user.
	if jailUser != "" && hostUser == "root" && opts["host_user"] == "" {
		hostUser = ""
	}
	return execOptions{jail: rest[0], command: rest[1:], hostUser: hostUser, jailUser: jailUser,
		force: opts["force"] != "" || global(c, "force"), keepProxy: opts["keep_proxy"] != ""}, nil
}

// runExec runs the command inside the jail on the terminal, starting
// the jail first with opts.force.
func runExec(ctx context.Context, opts execOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	xopts := lifecycle.ExecOptions{
		HostUser: opts.hostUser, JailUser: opts.jailUser, Force: opts.force, KeepProxy: opts.keepProxy,
		Start: lifecycle.StartOptions{Debug: d.debug, Err: d.stderr, Paths: d.paths},
		Stdin: d.stdin, Stdout: w, Stderr: d.stderr,
	}
	return forEachJail(ctx, d, inv, opts.jail, "exec", func(j *inventory.Jail) error {
		return lifecycle.Of(h).Exec(ctx, inv, j.Name, opts.command, xopts)
	})
}

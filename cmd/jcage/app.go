package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	gozfs "github.com/mistifyio/go-zfs/v3"
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/zfs"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// env is the process's environment, as main reads it: the streams, the
// user, the runner and ZFS, and the settings of the command line and of
// the environment. Every verb's dependencies are built from it (deps);
// tests give it fakes and buffers.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	uid    int
	run    host.Runner
	zfs    zfs.Manager
	debug  bool
	force  bool
	// runDir holds the tree lock and the jail.conf files (JCAGE_RUN_DIR,
	// /var/run by default).
	runDir string
	pool   string // JCAGE_POOL: use this pool whatever the markers say
	// autoFetch lets create fetch a missing release from the default
	// mirror, as iocage does; in-process tests leave it off.
	autoFetch bool
	// mounts reads the mount table for commands that read only what they
	// name (jail.Host.Mounts): the system's, or the fake's in tests.
	mounts inventory.MountReader
}

func init() {
	// iocage's -h means "no header" on list, get, df, snaplist and fstab -l,
	// so help answers only to --help and the help command.
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Usage: "Show help."}
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "Print the version."}
	// iocage_cli/__init__.py print_version: "Version\t1.13".
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintf(c.App.Writer, "Version\t%s\n", c.App.Version) }
}

// newApp builds the application with every command.
func newApp(e *env) *cli.App { return buildApp(e, commandFactories) }

// newAppFor builds the application for one command line: with only the
// command it names when it names one, with none for a bare --version, and
// with every command otherwise (help, an unknown word, completion).
// Building a command costs its flags and closures; nothing is built
// before a command needs it.
func newAppFor(e *env, args []string) *cli.App { return buildApp(e, factoriesFor(args)) }

func buildApp(e *env, factories []commandFactory) *cli.App {
	app := &cli.App{
		Name:                   "jcage",
		Usage:                  "Manage FreeBSD jails on ZFS, the iocage way.",
		Version:                version,
		Reader:                 e.stdin,
		Writer:                 e.stdout,
		ErrWriter:              e.stderr,
		UseShortOptionHandling: true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "debug", Aliases: []string{"D"}, Usage: "Log every external command on stderr."},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "Allow operations iocage guards with --force."},
		},
		Before: func(c *cli.Context) error {
			e.debug = c.Bool("debug")
			e.force = c.Bool("force")
			if e.debug {
				// iocage logs its debug lines at DEBUG, and only with -D.
				trace := atLevel(e.stderr, "DEBUG")
				e.run = debugRunner{e.run, trace}
				if g, ok := e.zfs.(*zfs.GoZFS); ok {
					g.Run = e.run
				}
				gozfs.SetLogger(debugLogger{trace})
			}
			return nil
		},
		// Errors are printed once, by main, as one line.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, sub bool) error {
			return flagUsageError(c, err, sub)
		},
		Commands: commands(e, factories),
	}
	// A word that names no command is click's "No such command", exit 2,
	// not the help text and success.
	app.Action = func(c *cli.Context) error {
		if c.NArg() > 0 {
			return unknownCommand(app, c.Args().First())
		}
		return cli.ShowAppHelp(c)
	}
	// jcage's own help command replaces urfave/cli's, which then leaves
	// --help to be added here.
	app.Commands = append(app.Commands, helpCommand(app))
	sort.Slice(app.Commands, func(i, j int) bool { return app.Commands[i].Name < app.Commands[j].Name })
	app.Flags = append(app.Flags, cli.HelpFlag)
	return app
}

// commandFactory builds the command called name.
type commandFactory struct {
	name  string
	build func(*env) *cli.Command
}

// commandFactories holds every verb; each file registers its own in init,
// so that a verb is one file and nothing else.
var commandFactories []commandFactory

func registerCommand(name string, f func(*env) *cli.Command) {
	commandFactories = append(commandFactories, commandFactory{name, f})
}

// wholeAppCommands read the list of every command (the completion query).
var wholeAppCommands = map[string]bool{"__complete": true}

// factoriesFor picks the commands a command line needs: its verb's alone
// (the first word that is not a global flag: those take no value), none
// for a bare --version, every one for anything else.
func factoriesFor(args []string) []commandFactory {
	verb, version := scanGlobal(args)
	switch {
	case verb == "":
		if version {
			return nil
		}
	case !wholeAppCommands[verb]:
		for _, f := range commandFactories {
			if f.name == verb {
				return []commandFactory{f}
			}
		}
	}
	return commandFactories
}

// versionOnly reports whether a command line only asks for the version.
func versionOnly(args []string) bool {
	verb, version := scanGlobal(args)
	return verb == "" && version
}

// scanGlobal reads the global flags of a command line up to its verb:
// the verb ("" for none), and whether --version is asked for without
// --help, which urfave/cli answers first.
func scanGlobal(args []string) (verb string, version bool) {
	help := false
	for _, a := range args[min(1, len(args)):] {
		switch {
		case a == "--version" || a == "-v":
			version = true
		case a == "--help":
			help = true
		case !strings.HasPrefix(a, "-"):
			return a, version && !help
		}
	}
	return "", version && !help
}

// commands builds the verbs of factories, sorted by name for help.
func commands(e *env, factories []commandFactory) []*cli.Command {
	var cmds []*cli.Command
	for _, f := range factories {
		c := f.build(e)
		if c.Description == "" {
			c.Description = descriptions[c.Name]
		}
		// Help is --help and `jcage help COMMAND`; no command has
		// subcommands to list.
		c.HideHelpCommand = true
		c.OnUsageError = func(c *cli.Context, err error, _ bool) error { return flagUsageError(c, err, true) }
		sharedChecks(c)
		cmds = append(cmds, c)
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// A verb is three parts: an options struct, a small function that reads
// it from the command line alone (parseX), and runX(ctx, opts, deps, w),
// its logic, which tests call directly with fakes and a buffer. action,
// rootAction and rootFirstAction are the cli.Action that joins them, and
// all of it.
type (
	parseFunc[O any] func(c *cli.Context) (O, error)
	verbFunc[O any]  func(ctx context.Context, opts O, d deps, w io.Writer) error
)

// action parses the command line, so that a wrong one is answered the
// same way by any user on any host, and runs the verb with its
// dependencies (env.deps) and standard output.
func action[O any](e *env, parse parseFunc[O], run verbFunc[O]) cli.ActionFunc {
	return func(c *cli.Context) error {
		opts, err := parse(c)
		if err != nil {
			return err
		}
		return run(c.Context, opts, e.deps(), e.stdout)
	}
}

// rootAction is action for a verb that changes the host: between parsing
// and running, it refuses any user but root.
func rootAction[O any](e *env, parse parseFunc[O], run verbFunc[O]) cli.ActionFunc {
	return func(c *cli.Context) error {
		opts, err := parse(c)
		if err != nil {
			return err
		}
		if err := e.needRoot(c); err != nil {
			return err
		}
		return run(c.Context, opts, e.deps(), e.stdout)
	}
}

// rootFirstAction is rootAction for exec and pkg, which refuse any user
// but root before they read a command line whose tail belongs to the
// program run in the jail.
func rootFirstAction[O any](e *env, parse parseFunc[O], run verbFunc[O]) cli.ActionFunc {
	return func(c *cli.Context) error {
		if err := e.needRoot(c); err != nil {
			return err
		}
		opts, err := parse(c)
		if err != nil {
			return err
		}
		return run(c.Context, opts, e.deps(), e.stdout)
	}
}

// needRoot refuses any user but root the command c runs.
func (e *env) needRoot(c *cli.Context) error {
	if e.uid != 0 {
		return fmt.Errorf("You need to have root privileges to run %s", c.Command.Name)
	}
	return nil
}

// global reads one of jcage's own flags (-D, -f), given before the
// command name.
func global(c *cli.Context, name string) bool { return c.Lineage()[1].Bool(name) }

// load reads the inventory a change decides from: only what want names
// when it can, else everything. The change itself takes the tree lock,
// and reads the tree again if another command changed it meanwhile.
func (d deps) load(ctx context.Context, h *jail.Host, state bool, want *inventory.Wanted) (*inventory.Inventory, error) {
	opts := inventory.Options{Create: true, State: state}
	var inv *inventory.Inventory
	var err error
	ok := false
	if want != nil {
		inv, ok, err = h.LoadNarrow(ctx, *want, opts)
	}
	if err == nil && !ok {
		inv, err = h.Load(ctx, opts)
	}
	return inv, err
}

// errorLine renders err as the single line users see.
func errorLine(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return strings.TrimSpace(err.Error())
}

// debugLogger logs the zfs commands go-zfs runs itself.
type debugLogger struct{ w io.Writer }

func (d debugLogger) Log(fields []string) {
	// go-zfs logs "ID:x START argv" and "ID:x FINISH" for each command.
	if len(fields) == 3 && fields[1] == "START" {
		fmt.Fprintf(d.w, "+ %s\n", fields[2])
	}
}

// debugRunner logs each command line before running it.
type debugRunner struct {
	next host.Runner
	w    io.Writer
}

func (d debugRunner) Run(ctx context.Context, c host.Cmd) ([]byte, error) {
	fmt.Fprintf(d.w, "+ %s\n", c.String())
	return d.next.Run(ctx, c)
}

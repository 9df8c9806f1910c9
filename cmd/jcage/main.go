// Command jcage manages FreeBSD jails on ZFS, compatible with iocage's
// commands, on-disk layout and output.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/zfs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// go-zfs looks zfs(8) up in the process's PATH: the same fixed PATH
	// as every other program jcage runs, not the caller's.
	os.Setenv("PATH", host.SystemPath())
	run := host.Exec{}
	e := &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		uid:    os.Geteuid(),
		run:    run,
		zfs:    zfs.NewGoZFS(run),
		runDir: os.Getenv("JCAGE_RUN_DIR"),
		pool:   os.Getenv("JCAGE_POOL"),

		autoFetch: true,
		mounts:    mountTable{},
	}
	app := newAppFor(e, os.Args)
	args := permuteArgs(app, os.Args)
	var log *iocageLog
	var tees []*logTee
	// iocage answers --version from click's option callback, which exits
	// before the command opens the log (iocage_cli/__init__.py
	// print_version, IOCLogger): a bare --version logs nothing.
	if e.uid == 0 && !versionOnly(os.Args) {
		path := os.Getenv(logFileEnv)
		if path == "" {
			path = defaultLogFile
		}
		if log = openIocageLog(path); log != nil {
			log.line("INFO", strings.Join(os.Args, " "))
			if !interactiveCommands[commandName(app, args)] {
				out := &logTee{w: os.Stdout, log: log, level: "INFO"}
				errw := &logTee{w: os.Stderr, log: log, level: "ERROR"}
				tees = []*logTee{out, errw}
				e.stdout, e.stderr = out, errw
				app.Writer, app.ErrWriter = out, errw
			}
		}
	}
	err := app.RunContext(ctx, args)
	interrupted := ctx.Err() != nil
	stop()
	// The command's own error is an ERROR, whatever its words.
	e.stderr = atLevel(e.stderr, "ERROR")
	code := exitCode(e, err, interrupted)
	for _, t := range tees {
		t.flush()
	}
	if len(tees) == 0 && err != nil {
		log.line("ERROR", errorLine(err))
	}
	log.close()
	writeRusage()
	os.Exit(code)
}

// commandName is the verb of an argument list: its first word that is
// not a global flag.
func commandName(app *cli.App, args []string) string {
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// exitCode prints err as one line on stderr and maps it to a status:
// 130 after SIGINT/SIGTERM (the shell's convention), 2 for a command line
// that does not parse (click's usage errors), 1 otherwise.
func exitCode(e *env, err error, interrupted bool) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(e.stderr, errorLine(err))
	var u usageError
	switch {
	case interrupted:
		return 130
	case errors.As(err, &u):
		return 2
	}
	return 1
}

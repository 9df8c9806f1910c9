// Command jcage manages FreeBSD jails on ZFS, compatible with iocage's
// commands, on-disk layout and output.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/jail"
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
		mounts:    jail.ReadMountTable,
	}
	app := newApp(e)
	err := app.RunContext(ctx, permuteArgs(app, os.Args))
	interrupted := ctx.Err() != nil
	stop()
	os.Exit(exitCode(e, err, interrupted))
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

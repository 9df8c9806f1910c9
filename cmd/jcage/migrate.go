package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("migrate", migrateCommand) }

// migrateWarning is iocage's (iocage_cli/migrate.py).
const migrateWarning = "This will migrate ALL iocage-legacy develop basejails to clonejails, it can take a long time!\n" +
	"Please make sure you are not running this on iocage-legacy 1.7.6 basejails."

func migrateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "Migrate all iocage_legacy develop basejails to new clonejails.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "Bypass the interactive question."},
			&cli.BoolFlag{Name: "delete", Aliases: []string{"d"}, Usage: "Delete the old dataset after it has been migrated."},
		},
		Action: rootAction(e, parseMigrate, runMigrate),
	}
}

// migrateOptions is migrate's command line.
type migrateOptions struct {
	force  bool // -f, or jcage's own -f: no question
	delete bool // -d: the old datasets go once migrated
}

func parseMigrate(c *cli.Context) (migrateOptions, error) {
	if c.NArg() != 0 {
		return migrateOptions{}, errors.New("Usage: jcage migrate [-f] [-d]")
	}
	return migrateOptions{force: c.Bool("force") || global(c, "force"), delete: c.Bool("delete")}, nil
}

// runMigrate turns every legacy basejail into a clone jail, each one
// journaled change, after iocage's warning and question unless forced.
func runMigrate(ctx context.Context, opts migrateOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := d.load(ctx, h, true, nil)
	if err != nil {
		return err
	}
	mopts := jail.MigrateOptions{Delete: opts.delete, Err: d.stderr}
	plan, err := h.PlanMigration(ctx, inv, mopts)
	if err != nil {
		return err
	}
	if len(plan) == 0 {
		fmt.Fprintln(w, "No iocage_legacy basejails to migrate.")
		return nil
	}
	if !opts.force {
		ok, err := d.askYesNo(w, migrateWarning)
		if err != nil || !ok {
			return err
		}
	}
	return h.Migrate(ctx, inv, plan, mopts)
}

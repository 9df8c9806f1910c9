package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand(migrateCommand) }

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
		Action: needRoot(e, "migrate", func(c *cli.Context) error {
			if c.NArg() != 0 {
				return errors.New("Usage: jcage migrate [-f] [-d]")
			}
			h, inv, unlock, err := e.lockedInventory(c.Context, true)
			if err != nil {
				return err
			}
			defer unlock()
			opts := jail.MigrateOptions{Delete: c.Bool("delete"), Err: e.stderr}
			plan, err := h.PlanMigration(c.Context, inv, opts)
			if err != nil {
				return err
			}
			if len(plan) == 0 {
				fmt.Fprintln(e.stdout, "No iocage_legacy basejails to migrate.")
				return nil
			}
			if !c.Bool("force") && !e.force {
				ok, err := askYesNo(e, migrateWarning)
				if err != nil || !ok {
					return err
				}
			}
			return h.Migrate(c.Context, inv, plan, opts)
		}),
	}
}

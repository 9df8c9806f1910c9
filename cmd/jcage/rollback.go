package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("rollback", rollbackCommand) }

func rollbackCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "Roll a stopped jail back to a snapshot.",
		ArgsUsage: "-n NAME [-f] JAIL",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the snapshot name, what comes after @"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "skip the question"},
		},
		Action: needRoot(e, "rollback", func(c *cli.Context) error {
			target, err := snapJailArg(c, "rollback -n NAME [-f] JAIL")
			if err != nil {
				return err
			}
			name, err := snapNameFlag(c)
			if err != nil {
				return err
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			j, err := inv.Find(target)
			if err != nil {
				return err
			}
			plan, err := h.PlanRollback(c.Context, inv, j, name)
			if err != nil {
				return err
			}
			if !c.Bool("force") {
				fmt.Fprint(e.stderr, rollbackWarning(plan))
				ok, err := confirm(e, "\nAre you sure?")
				if err != nil || !ok {
					// A "no" ends quietly and successfully, as in iocage.
					return err
				}
			}
			if err := h.Rollback(c.Context, plan); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Rolled back to: %s\n", plan.Target)
			return nil
		}),
	}
}

// rollbackWarning is iocage's warning, followed by what iocage leaves
// unsaid: the snapshots that will be destroyed.
func rollbackWarning(p *jail.RollbackPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nThis will destroy ALL data created including ALL snapshots taken after the snapshot %s\n", p.Name)
	if len(p.Newer) == 0 {
		b.WriteString("No snapshot is newer than " + p.Name + ": none will be destroyed.\n")
	} else {
		b.WriteString("These snapshots will be destroyed:\n")
		for _, s := range p.Newer {
			b.WriteString("  " + s + "\n")
		}
	}
	if len(p.Missing) > 0 {
		b.WriteString("These datasets have no snapshot " + p.Name + " and stay as they are:\n")
		for _, d := range p.Missing {
			b.WriteString("  " + d + "\n")
		}
	}
	return b.String()
}

// errNoAnswer is a question that stdin never answered.
var errNoAnswer = errors.New("no answer on standard input: nothing done (pass -f to skip the question)")

// confirm asks question on stdout as click.confirm does ("QUESTION [y/N]: ")
// and reads the answer from stdin: y or yes (any case) is yes, n, no or an
// empty line is no, anything else asks again. Input that ends before an
// answer is errNoAnswer, so that a script without a terminal never
// confirms by accident.
func confirm(e *env, question string) (bool, error) {
	for {
		fmt.Fprintf(e.stdout, "%s [y/N]: ", question)
		line, err := readAnswer(e.stdin)
		if err != nil {
			fmt.Fprintln(e.stdout)
			if errors.Is(err, io.EOF) {
				return false, errNoAnswer
			}
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		case "", "n", "no":
			return false, nil
		}
		fmt.Fprintln(e.stderr, "Error: invalid input")
	}
}

// readAnswer reads one line a byte at a time, so that nothing after it is
// taken from stdin; a last line without a newline still counts.
func readAnswer(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return b.String(), nil
			}
			return "", err
		}
	}
}

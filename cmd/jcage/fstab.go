package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/render"
)

const fstabJSONSchema = "see JSON OUTPUT in jcage(8)"

// defaultEditor is iocage's fallback when $EDITOR is unset.
const defaultEditor = "/usr/bin/vi"

func init() { registerCommand("fstab", fstabCommand) }

func fstabCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "fstab",
		Usage:     "Manipulate the specified jail's fstab.",
		ArgsUsage: "-a|-r|-R INDEX|-e|-l JAIL [SRC DST FSTYPE OPTIONS DUMP PASS | \"SRC DST FSTYPE OPTIONS DUMP PASS\" | SRC [DST] | INDEX]",
		Description: "DST is a path inside the jail; it is resolved inside the jail's root and refused if \"..\" or a\n" +
			"symlink would take it outside. -a SRC adds \"SRC SRC nullfs ro 0 0\", -a SRC DST adds\n" +
			"\"SRC DST nullfs ro 0 0\". On a running jail, -a and -R mount the entry at once and -r and -R\n" +
			"unmount the old one.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "add", Aliases: []string{"a"}, Usage: "add an entry to the jail's fstab and mount it"},
			&cli.BoolFlag{Name: "remove", Aliases: []string{"r"}, Usage: "remove an entry (by index or in full) and unmount it"},
			&cli.StringFlag{Name: "replace", Aliases: []string{"R"}, Usage: "replace the entry at `INDEX`"},
			&cli.BoolFlag{Name: "edit", Aliases: []string{"e"}, Usage: "open the fstab in $EDITOR (default " + defaultEditor + ")"},
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "list the jail's fstab"},
			headerFlag(),
			jsonFlag(fstabJSONSchema),
		},
		Action: rootAction(e, parseFstab, runFstab),
	}
}

// fstabArgs reads fstab's one action, the jail and the rest of the
// command line, refusing what no jail's fstab could make valid.
func fstabArgs(c *cli.Context) (action, name string, rest []string, err error) {
	var actions []string
	for _, a := range []string{"add", "remove", "replace", "edit", "list"} {
		if c.IsSet(a) {
			actions = append(actions, a)
		}
	}
	args := c.Args().Slice()
	switch {
	case len(actions) == 0:
		return "", "", nil, errors.New("Type of operation not specified! Use one of -a, -r, -R INDEX, -e and -l")
	case len(actions) > 1:
		return "", "", nil, errors.New("Use only one of -a, -r, -R INDEX, -e and -l")
	case len(args) == 0:
		return "", "", nil, errors.New("Please supply an fstab entry or jail!")
	}
	action, name, rest = actions[0], args[0], args[1:]
	if (action == "edit" || action == "list") && len(rest) > 0 {
		return "", "", nil, fmt.Errorf("Usage: jcage fstab -%c JAIL", action[0])
	}
	if action != "edit" && action != "list" && len(rest) == 0 {
		return "", "", nil, errors.New("Please supply an fstab entry or jail!")
	}
	return action, name, rest, nil
}

// fstabOptions is fstab's command line.
type fstabOptions struct {
	action  string   // add, remove, replace, edit or list
	jail    string   // JAIL
	rest    []string // the entry (six fields, one line of six, SRC [DST]), or remove's INDEX
	replace string   // -R INDEX, as given
	format  render.Format
}

func parseFstab(c *cli.Context) (fstabOptions, error) {
	action, name, rest, err := fstabArgs(c)
	if err != nil {
		return fstabOptions{}, err
	}
	return fstabOptions{action: action, jail: name, rest: rest, replace: c.String("replace"), format: format(c)}, nil
}

// runFstab lists, adds, removes, replaces or edits the jail's fstab
// entries; on a running jail the change is mounted or unmounted too.
func runFstab(ctx context.Context, opts fstabOptions, d deps, w io.Writer) error {
	action, rest := opts.action, opts.rest
	h := d.host
	mutating := action != "list"
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: mutating && action != "edit"})
	if err != nil {
		return err
	}
	j, err := inv.Find(opts.jail)
	if err != nil {
		return err
	}
	var warn []string
	switch action {
	case "list":
		t, tableWarn, err := jail.FstabTable(j)
		warnAll(d.stderr, tableWarn)
		if err != nil {
			return err
		}
		return fstabListTable(t, opts.format).Write(w, opts.format)
	case "edit":
		editor := os.Getenv("EDITOR")
		if editor == "" {
			editor = defaultEditor
		}
		warn, err = h.FstabEdit(ctx, inv, j, host.Cmd{Name: editor, Stdin: d.stdin, Stdout: w, Stderr: d.stderr})
	case "remove":
		if i, ok := fstabIndexArg(rest); ok {
			warn, err = h.FstabRemove(ctx, inv, j, i)
			break
		}
		entry, perr := fstabEntryArgs(rest)
		if perr != nil {
			return perr
		}
		warn, err = h.FstabRemoveEntry(ctx, inv, j, entry)
	case "add":
		entry, perr := fstabEntryArgs(rest)
		if perr != nil {
			return perr
		}
		warn, err = h.FstabAdd(ctx, inv, j, entry)
	case "replace":
		i, aerr := strconv.Atoi(strings.TrimSpace(opts.replace))
		if aerr != nil {
			return fmt.Errorf("-R: INDEX must be a number, not %q", opts.replace)
		}
		entry, perr := fstabEntryArgs(rest)
		if perr != nil {
			return perr
		}
		warn, err = h.FstabReplace(ctx, inv, j, i, entry)
	}
	warnAll(d.stderr, warn)
	return err
}

// fstabIndexArg recognises `fstab -r JAIL INDEX`: one argument that is not
// a six-field entry but a number.
func fstabIndexArg(rest []string) (int, bool) {
	if len(rest) != 1 || len(strings.Fields(rest[0])) == 6 {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(rest[0]))
	return i, err == nil
}

// fstabEntryArgs reads an entry as iocage does: six arguments, one
// argument holding six blank-separated fields, or one argument that is
// only a source, mounted read-only at the same path inside the jail. jcage
// also takes SRC DST, read-only nullfs like the one-argument form.
func fstabEntryArgs(rest []string) (fstab.Entry, error) {
	switch len(rest) {
	case 6:
		return fstab.ParseFields(rest)
	case 2:
		return fstab.ParseFields([]string{rest[0], rest[1], "nullfs", "ro", "0", "0"})
	case 1:
		if f := strings.Fields(rest[0]); len(f) == 6 {
			return fstab.ParseFields(f)
		}
		return fstab.ParseFields([]string{rest[0], rest[0], "nullfs", "ro", "0", "0"})
	}
	return fstab.Entry{}, fstab.ErrFieldCount
}

// fstabListTable is `fstab -l`: iocage's INDEX | FSTAB ENTRY table (and
// -h rows INDEX, then the six fields), or one JSON object per entry.
func fstabListTable(t *fstab.Table, f render.Format) *render.Table {
	if f == render.FormatJSON {
		out := &render.Table{JSONKey: "entries", Columns: []render.Column{
			{Header: "INDEX", Key: "index", Kind: render.Int},
			{Header: "SOURCE", Key: "source"},
			{Header: "DESTINATION", Key: "destination"},
			{Header: "FSTYPE", Key: "fstype"},
			{Header: "OPTIONS", Key: "options"},
			{Header: "DUMP", Key: "dump", Kind: render.Int},
			{Header: "PASS", Key: "pass", Kind: render.Int},
		}}
		for i, en := range t.Entries {
			out.Add(append([]string{strconv.Itoa(i)}, en.Fields()...)...)
		}
		return out
	}
	out := &render.Table{Columns: render.FstabColumns()}
	for i, en := range t.Entries {
		out.Add(strconv.Itoa(i), en.Display())
	}
	return out
}

func warnAll(errw io.Writer, msgs []string) {
	for _, m := range msgs {
		fmt.Fprintln(errw, m)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("create", createCommand) }

func createCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "Create a jail.",
		ArgsUsage: "[PROP=VALUE ...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "release", Aliases: []string{"r"}, Usage: "release to create the jail from (or latest)"},
			&cli.StringFlag{Name: "template", Aliases: []string{"t"}, Usage: "template to create the jail from"},
			&cli.BoolFlag{Name: "empty", Aliases: []string{"e"}, Usage: "an empty jail, for a non-FreeBSD or custom root"},
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the jail's name (default: a UUID)"},
			&cli.StringFlag{Name: "uuid", Aliases: []string{"u"}, Usage: "the jail's UUID"},
			&cli.BoolFlag{Name: "short", Aliases: []string{"s"}, Usage: "use the first 8 characters of the UUID"},
			&cli.StringFlag{Name: "count", Aliases: []string{"c"}, Value: "1", Usage: "create this many jails (NAME_1, NAME_2, ...)"},
			&cli.BoolFlag{Name: "basejail", Aliases: []string{"b"}, Usage: "a base jail: a copy with the base directories mounted read-only from the release"},
			&cli.BoolFlag{Name: "clone_basejail", Aliases: []string{"B"}, Usage: "a base jail from a clone of the release"},
			&cli.BoolFlag{Name: "thickjail", Aliases: []string{"T"}, Usage: "a full copy of the release instead of a clone"},
			&cli.BoolFlag{Name: "thickconfig", Aliases: []string{"C"}, Usage: "store every property in config.json"},
			&cli.StringFlag{Name: "pkglist", Aliases: []string{"p"}, Usage: `JSON file {"pkgs": [...]} of packages to install`},
			&cli.StringFlag{Name: "proxy", Aliases: []string{"S"}, Usage: "proxy for fetching a missing release and packages"},
		},
		Action: rootAction(e, parseCreate, runCreate),
	}
}

// createOptions is create's command line.
type createOptions struct {
	req     jail.CreateRequest
	pkglist string // -p: the JSON file naming the packages
}

// parseCreate reads create's command line; a name no jail can have and a
// count that is not one are refused here.
func parseCreate(c *cli.Context) (createOptions, error) {
	if c.IsSet("name") {
		if err := config.CheckName(c.String("name")); err != nil {
			return createOptions{}, err
		}
	}
	count, err := parseCount(c.String("count"))
	if err != nil {
		return createOptions{}, err
	}
	return createOptions{
		req: jail.CreateRequest{
			Name: c.String("name"), UUID: c.String("uuid"), Short: c.Bool("short"), Count: count,
			Release: c.String("release"), Template: c.String("template"), Empty: c.Bool("empty"),
			Thick: c.Bool("thickjail"), Basejail: c.Bool("basejail"), CloneBasejail: c.Bool("clone_basejail"),
			ThickConfig: c.Bool("thickconfig"), Props: c.Args().Slice(), Proxy: c.String("proxy"),
		},
		pkglist: c.String("pkglist"),
	}, nil
}

// runCreate creates the jails under the tree lock, reading only what the
// request names when it can (jail.LoadNarrow), and first trying the
// common case without a read at all (jail.CreateSpeculative).
func runCreate(ctx context.Context, opts createOptions, d deps, _ io.Writer) error {
	req := opts.req
	if opts.pkglist != "" {
		var err error
		if req.Packages, err = readPkgList(opts.pkglist); err != nil {
			return err
		}
	}
	h := d.host
	if handled, err := h.CreateSpeculative(ctx, req); handled {
		return err
	}
	var want *inventory.Wanted
	if w, ok := req.Wanted(); ok {
		want = &w
	}
	inv, err := d.load(ctx, h, len(req.Packages) > 0 || boots(req.Props), want)
	if err != nil {
		return err
	}
	_, err = h.Create(ctx, inv, req)
	return err
}

// readPkgList reads create -p's {"pkgs": ["a", "b"]}.
func readPkgList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Pkgs []string `json:"pkgs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Pkgs) == 0 {
		return nil, fmt.Errorf(`%s: expected JSON like {"pkgs": ["nginx"]}`, path)
	}
	return doc.Pkgs, nil
}

// boots reports whether create's properties start the jail (boot=on),
// the one case where create needs to know which jails run.
func boots(props []string) bool {
	for _, a := range props {
		if k, v, ok := strings.Cut(a, "="); ok && k == "boot" && config.CheckTruthy(v) {
			return true
		}
	}
	return false
}

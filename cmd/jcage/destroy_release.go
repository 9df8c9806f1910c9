package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

func init() {
	destroyReleasesCmd = func(c *cli.Context, e *env) error { return destroyReleases(c, e, c.Args().Slice()) }
}

// destroyReleases is `destroy -r [-d] [-R] [-f] RELEASE...`: iocage's
// confirmation unless -f, then release.Destroy for each, with a fresh
// inventory each time since destroying one may remove jails another
// would list.
func destroyReleases(c *cli.Context, e *env, rels []string) error {
	force := c.Bool("force") || e.force
	h := e.host()
	for _, rel := range rels {
		inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
		if err != nil {
			return err
		}
		_, haveRel := inv.Scan.Get(inv.Tree.Release(rel))
		_, haveDL := inv.Scan.Get(inv.Tree.Download(rel))
		if !haveRel && !(c.Bool("download") && haveDL) {
			return fmt.Errorf("RELEASE: %s not found!", rel)
		}
		if !force {
			ok, err := askYesNo(e, "This will destroy RELEASE: "+rel)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		opts := release.DestroyOptions{Download: c.Bool("download"), Recursive: c.Bool("recursive"), Force: force}
		if err := release.Destroy(c.Context, h, inv, rel, opts); err != nil {
			return err
		}
	}
	return nil
}

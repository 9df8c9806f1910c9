package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

// destroyReleases is `destroy -r [-d] [-R] [-f] RELEASE...`: iocage's
// confirmation unless -f, then release.Destroy for each, with a fresh
// inventory each time since destroying one may remove jails another
// would list.
func destroyReleases(ctx context.Context, opts destroyOptions, d deps, w io.Writer) error {
	h := d.host
	for _, rel := range opts.names {
		inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
		if err != nil {
			return err
		}
		_, haveRel := inv.Scan.Get(inv.Tree.Release(rel))
		_, haveDL := inv.Scan.Get(inv.Tree.Download(rel))
		if !haveRel && !(opts.download && haveDL) {
			return fmt.Errorf("RELEASE: %s not found!", rel)
		}
		if !opts.force {
			ok, err := d.askYesNo(w, "This will destroy RELEASE: "+rel)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		ropts := release.DestroyOptions{Download: opts.download, Recursive: opts.recursive, Force: opts.force,
			DestroyJail: func(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, force bool) error {
				return h.Destroy(ctx, inv, j, jail.DestroyOptions{Force: force, Recursive: true})
			}}
		if err := release.Destroy(ctx, h.Host, inv, rel, ropts); err != nil {
			return err
		}
	}
	return nil
}

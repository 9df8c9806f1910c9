package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plugin"
)

// pluginManifest reads what a pluginv2 jail's manifest (JAILDIR/
// <plugin_name>.json, as iocage keeps it) asks of its start.
func pluginManifest(j *inventory.Jail) (*jail.PluginStart, error) {
	id := j.Prop("plugin_name")
	if id == "" || id == "none" {
		return nil, nil
	}
	b, err := readIn(j.Dir, filepath.Base(id)+".json")
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: plugin manifest: %w", j.Name, err)
	}
	devfs, kmods, err := plugin.StartNeeds(b)
	if err != nil {
		return nil, fmt.Errorf("%s: plugin manifest %s.json: %w", j.Name, id, err)
	}
	ps := &jail.PluginStart{Kmods: kmods}
	if devfs != nil {
		ps.Includes = devfs.Includes
		for _, p := range devfs.Paths {
			ps.Paths = append(ps.Paths, [2]string{p.Path, p.Mode})
		}
	}
	return ps, nil
}

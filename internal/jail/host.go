package jail

import "github.com/jcage/jcage/internal/inventory"

// Host is what every operation on the store needs: the tree as the
// inventory reads it, and what the store delegates (delegates.go).
// cmd/jcage supplies every delegate where it builds its Host, so none is
// nil there; a Host without them serves only the operations that use
// none of them.
type Host struct {
	*inventory.Host
	// Lifecycle starts and stops jails for the operations that do so on
	// the way: create's and clone's boot=on, create -p, destroy -f,
	// rename, update -P and the plugin commands.
	Lifecycle Lifecycle
	// Fetcher fetches a release that create needs and the host lacks.
	Fetcher Fetcher
	// Packages installs create -p's packages.
	Packages PackageInstaller
	// Manifests reads what a pluginv2 jail's manifest asks of its start.
	Manifests ManifestReader
}

// Copy is a Host of its own whose fields, its inventory's included (Out),
// can change without touching h's.
func (h *Host) Copy() *Host {
	c := *h
	if h.Host != nil {
		inv := *h.Host
		c.Host = &inv
	}
	return &c
}

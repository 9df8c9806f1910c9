package jail

import (
	"context"

	"github.com/jcage/jcage/internal/inventory"
)

// The interfaces below are what a Host delegates to its builder: starting
// and stopping jails on the way, fetching a release, installing create
// -p's packages, reading a plugin's manifest and the mount table. They
// are supplied when the Host is built, so no operation asks whether it
// can do what it was asked.

// Lifecycle starts and stops jails by name for the operations that do so
// on the way. Each call reads the tree afresh.
type Lifecycle interface {
	// Start starts the named jails, as jcage start does; it fails as
	// start fails, naming the jail.
	Start(ctx context.Context, names []string) error
	// Stop stops the named jails, as jcage stop does.
	Stop(ctx context.Context, names []string) error
}

// Fetcher fetches a release the host lacks. After a nil return the
// release's root dataset exists.
type Fetcher interface {
	Fetch(ctx context.Context, rel string) error
}

// PackageInstaller installs packages in a jail (create -p), starting it
// for the time it takes when it is down; proxy is create -S.
type PackageInstaller interface {
	InstallPackages(ctx context.Context, name string, pkgs []string, proxy string) error
}

// ManifestReader reads what a pluginv2 jail's manifest asks of its start
// (devfs paths and includes, kernel modules): nil and no error when the
// jail has no manifest.
type ManifestReader interface {
	PluginStart(j *inventory.Jail) (*PluginStart, error)
}

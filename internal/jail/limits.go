package jail

import (
	"fmt"
	"path/filepath"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
)

// checkRootPath refuses a jail whose root directory the kernel cannot take
// as its path parameter.
func checkRootPath(dir string) error {
	root := filepath.Join(dir, "root") // confine: host-owned, the root directory itself
	if m := config.LimitMessage("jail path "+root, root, config.MaxPathLen, "MAXPATHLEN"); m != "" {
		return fmt.Errorf("%s", m)
	}
	return nil
}

// KldloadCmd is `kldload -n MODULE`: load it unless it is already in.
func KldloadCmd(module string) host.Cmd { return argv.Kldload(module) }

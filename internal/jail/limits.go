package jail

import (
	"context"
	"fmt"
	"path/filepath"

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
func KldloadCmd(module string) host.Cmd {
	return host.Cmd{Name: "kldload", Args: []string{"-n", module}}
}

// loadParamModules loads, as an admin would with `kldload -n`, the kernel
// modules whose jail parameters the jail turns on and that libjail does
// not load itself: allow.vmm exists only once vmm.ko is in
// (lib/libjail/jail.c kldload_param loads only linux, sysv* and the file
// system of an allow.mount.<fs>). A module that cannot be loaded refuses
// the start before anything is made.
func (jr *jailRun) loadParamModules(ctx context.Context) error {
	if jr.props.Bool("allow_vmm") {
		if _, err := jr.runCmd(ctx, KldloadCmd("vmm")); err != nil {
			return fmt.Errorf("Refusing to start %s: allow_vmm=1 needs the vmm kernel module: %s", jr.uuid(), errorText(err))
		}
	}
	return nil
}

package plugin

import (
	"fmt"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
)

// KldloadCmd loads a manifest's kernel module on the host; -n makes an
// already loaded module a success (kldload(8)).
func KldloadCmd(mod string) host.Cmd {
	return host.Cmd{Name: "kldload", Args: []string{"-n", mod}}
}

// PkgInstallArgs installs packages quietly and without questions; run
// as `pkg -j JID` with the host's pkg(8), which attaches to the jail
// before it reads any configuration, so the jail's repository files
// decide where the packages come from.
func PkgInstallArgs(pkgs []string) []string {
	return append([]string{"install", "-q", "-y"}, pkgs...)
}

// PkgDeleteAllArgs removes every package, as a plugin update does
// (pkg -j JID delete -a -f -y).
var PkgDeleteAllArgs = []string{"delete", "-a", "-f", "-y"}

// JexecCmd runs argv inside the plugin jail NAME with IOCAGE_PLUGIN_IP
// set, as iocage runs post_install.sh: never on the host.
func JexecCmd(name string, argv []string, ip string) host.Cmd {
	c := host.Cmd{Name: "jexec", Args: append([]string{"ioc-" + strings.ReplaceAll(name, ".", "_")}, argv...)}
	if ip != "" {
		c.Env = []string{"IOCAGE_PLUGIN_IP=" + ip}
	}
	return c
}

// WriteRepoFiles writes the plan's pkg repository directories and files
// under the jail root, confined to it.
func WriteRepoFiles(jailRoot string, p *Plan) error {
	for _, d := range p.Dirs {
		if err := confine.MkdirAll(jailRoot, InJail(d), 0o755); err != nil {
			return err
		}
	}
	for _, f := range p.Files {
		if err := confine.WriteFile(jailRoot, InJail(f.Path), []byte(f.Body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// PlaceScript copies one of the artifact's scripts (a regular file,
// never a link) to dst inside the jail, confined, keeping its mode.
func PlaceScript(src, jailRoot, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return confine.WriteFile(jailRoot, InJail(dst), data, st.Mode().Perm())
}

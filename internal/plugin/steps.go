package plugin

import (
	"fmt"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
)

// JexecCmd runs command inside the plugin jail NAME with IOCAGE_PLUGIN_IP
// set, as iocage runs post_install.sh: never on the host.
func JexecCmd(name string, command []string, ip string) host.Cmd {
	c := argv.Jexec("ioc-"+strings.ReplaceAll(name, ".", "_"), command...)
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

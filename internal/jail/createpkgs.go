package jail

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/plan"
)

// CreatePackagesOptions tune InstallCreatePackages.
type CreatePackagesOptions struct {
	// Proxy is create -S: http_proxy and https_proxy of the package
	// commands run inside the jail.
	Proxy string
	Err   io.Writer // warnings and the output of a failed command
}

// jailHasAddress is iocage's test before installing packages: an address,
// DHCP, ip_hostname or NAT.
func jailHasAddress(p *config.Config) bool {
	ip4, _ := p.Get("ip4_addr")
	ip6, _ := p.Get("ip6_addr")
	return (ip4 != "none" && ip4 != "") || (ip6 != "none" && ip6 != "") || plan.WantsDHCP(p) || p.Bool("ip_hostname") || p.Bool("nat")
}

// InstallCreatePackages is create -p, as ioc_create.py
// create_install_packages does it: without an address it only warns;
// otherwise it starts the jail if needed, installs pkg with the host's
// pkg-static (3 tries), upgrades with the jail's pkg-static, installs
// each package with the jail's pkg inside the jail (3 tries each, with
// ASSUME_ALWAYS_YES=yes and the proxy), and stops the jail again if it
// started it. The DNS probes iocage runs first are left to pkg, which
// reports the same failure.
func (h *Host) InstallCreatePackages(ctx context.Context, inv *inventory.Inventory, name string, pkgs []string, opts CreatePackagesOptions) error {
	errw := opts.Err
	if errw == nil {
		errw = io.Discard
	}
	j, err := inv.Find(name)
	if err != nil {
		return err
	}
	if !jailHasAddress(j.Props) {
		fmt.Fprintln(errw, "You need an IP address for the jail to install packages!")
		return nil
	}
	started := false
	if !j.Running() {
		if err := h.Lifecycle.Start(ctx, []string{name}); err != nil {
			return err
		}
		started = true
	}
	err = h.installCreatePackages(ctx, j, pkgs, opts.Proxy, errw)
	if started {
		if serr := h.Lifecycle.Stop(context.WithoutCancel(ctx), []string{name}); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

func (h *Host) installCreatePackages(ctx context.Context, j *inventory.Jail, pkgs []string, proxy string, errw io.Writer) error {
	out, err := h.Run.Run(ctx, JIDCmd(j.Name))
	if err != nil {
		return err
	}
	var jid int
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &jid); err != nil {
		return fmt.Errorf("jls: unexpected jid %q", strings.TrimSpace(string(out)))
	}
	env := []string{"ASSUME_ALWAYS_YES=yes"}
	if proxy != "" {
		env = append(env, "http_proxy="+proxy, "https_proxy="+proxy)
	}
	tries := func(what string, run func() ([]byte, error)) error {
		for try := 1; ; try++ {
			out, err := run()
			if err == nil {
				return nil
			}
			if ctx.Err() != nil || try == PkgTries {
				ShowFailure(errw, out, err)
				return fmt.Errorf("pkg error: %s: %s", what, LastLine(out, err))
			}
		}
	}
	h.Say("\nInstalling pkg... ")
	bootstrap := PkgBootstrapCmd(jid)
	bootstrap.Env = env
	if err := tries("pkg", func() ([]byte, error) { return h.Run.Run(ctx, bootstrap) }); err != nil {
		return err
	}
	up, err := ExecCmd(j, PkgUpgradeArgv, "root", "")
	if err != nil {
		return err
	}
	up.Env = env
	if out, err := h.Run.Run(ctx, up); err != nil {
		ShowFailure(errw, out, err)
		return CommandFailed(PkgUpgradeArgv, err)
	}
	for _, p := range pkgs {
		h.Say("Installing: %s", p)
		c, err := ExecCmd(j, argv.JailPkgInstall(p), "root", "")
		if err != nil {
			return err
		}
		c.Env = env
		if err := tries(p, func() ([]byte, error) { return h.Run.Run(ctx, c) }); err != nil {
			return err
		}
	}
	return nil
}

// JIDCmd asks jls for a running jail's JID.
func JIDCmd(name string) host.Cmd {
	return argv.JlsJID(inventory.JailName(name))
}

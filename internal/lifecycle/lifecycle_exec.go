package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

// ExecOptions tune Exec, Console and Pkg.
type ExecOptions struct {
	// HostUser runs the command as this host user (jexec -u; root by
	// default), JailUser as this user of the jail (jexec -U). Not both.
	HostUser string
	JailUser string
	// Force starts the jail first when it is not running.
	Force bool
	// KeepProxy (exec -p) passes the caller's proxy variables on.
	KeepProxy bool
	Start     StartOptions // how Force starts it
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
}

// cleanPath is the PATH of iocage's clean environment.
const cleanPath = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin"

// proxyVars are the variables fetch(3) and pkg(8) read for a proxy.
var proxyVars = []string{"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "HTTP_PROXY_AUTH"}

// ExecEnv is the environment a command run in a jail starts with: iocage's
// clean one (iocage_lib/ioc_exec.py, IOCExec.exec_jail with exec_clean),
// and the caller's proxy variables when proxy is set. With exec_clean
// off, iocage hands over the caller's whole environment; jcage does so
// only then, as the admin asked. keep reports whether it does.
func ExecEnv(p *config.Config, getenv func(string) string, proxy bool) (env []string, clean bool) {
	if !p.Bool("exec_clean") {
		return nil, false
	}
	lang := getenv("LANG")
	if lang == "" {
		lang = "en_US.UTF-8"
	}
	env = []string{"PATH=" + cleanPath, "PWD=/", "HOME=/", "TERM=xterm-256color", "LANG=" + lang, "LC_ALL=" + lang}
	if proxy {
		for _, k := range proxyVars {
			if v := getenv(k); v != "" {
				env = append(env, k+"="+v)
			}
		}
	}
	return env, true
}

// ConsoleCmd is `jcage console`: login inside the jail as root with the
// jail's login_flags.
func ConsoleCmd(j *inventory.Jail) host.Cmd {
	fib, _ := j.Props.Get("exec_fib")
	flags, _ := j.Props.Get("login_flags")
	return argv.Setfib(fib, argv.JexecAs("root", false, inventory.JailName(j.Name), argv.Login(strings.Fields(flags)...).Argv()...))
}

// PkgCmd is `jcage pkg`: the host's pkg(8) working on the jail.
func PkgCmd(jid int, args []string) host.Cmd { return argv.PkgJail(jid, args...) }

// runningJail finds a jail and makes sure it runs, starting it when
// opts.Force allows.
func (h *Host) runningJail(ctx context.Context, inv *inventory.Inventory, name string, opts ExecOptions) (*inventory.Jail, error) {
	j, err := inv.Find(name)
	if err != nil {
		return nil, err
	}
	if j.Err != nil {
		return nil, fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if j.Running() {
		return j, nil
	}
	if !opts.Force {
		return nil, &stateError{fmt.Sprintf("%s is not running! Please supply --force (-f) or start the jail", name), ErrNotRunning}
	}
	if err := h.StartJails(ctx, inv, []string{j.Name}, opts.Start); err != nil {
		return nil, err
	}
	running, err := h.Running(ctx)
	if err != nil {
		return nil, err
	}
	if r, ok := running[inventory.JailName(j.Name)]; ok {
		j.JID, j.JLS = r.JID, r
	}
	return j, nil
}

// interactive connects a command to the caller's streams.
func interactive(c host.Cmd, opts ExecOptions) host.Cmd {
	c.Stdin, c.Stdout, c.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	if c.Stdout == nil {
		c.Stdout = io.Discard
	}
	return c
}

// Exec runs a command inside a jail, streaming its output.
func (h *Host) Exec(ctx context.Context, inv *inventory.Inventory, name string, argv []string, opts ExecOptions) error {
	hostUser, jailUser := opts.HostUser, opts.JailUser
	if hostUser == "" && jailUser == "" {
		hostUser = "root"
	}
	if hostUser != "" && jailUser != "" {
		return errors.New("Please only specify either host_user or jail_user, not both!")
	}
	j, err := h.runningJail(ctx, inv, name, opts)
	if err != nil {
		return err
	}
	c, err := jail.ExecCmd(j, argv, hostUser, jailUser)
	if err != nil {
		return err
	}
	c.Env, c.Clean = ExecEnv(j.Props, os.Getenv, opts.KeepProxy)
	if _, err := h.Run.Run(ctx, interactive(c, opts)); err != nil {
		return jail.CommandFailed(argv, err)
	}
	return nil
}

// Console logs in to a jail.
func (h *Host) Console(ctx context.Context, inv *inventory.Inventory, name string, opts ExecOptions) error {
	j, err := h.runningJail(ctx, inv, name, opts)
	if err != nil {
		return err
	}
	c := ConsoleCmd(j)
	c.Env, c.Clean = ExecEnv(j.Props, os.Getenv, false)
	if _, err := h.Run.Run(ctx, interactive(c, opts)); err != nil {
		return fmt.Errorf("Console failed!\nThe cause could be bad permissions for %s/usr/lib: %w", j.RootPath(), err)
	}
	return nil
}

// Pkg runs the host's pkg(8) on a running jail, which needs an address to
// reach its repositories.
func (h *Host) Pkg(ctx context.Context, inv *inventory.Inventory, name string, args []string, opts ExecOptions) error {
	j, err := h.runningJail(ctx, inv, name, opts)
	if err != nil {
		return err
	}
	ip4, _ := j.Props.Get("ip4_addr")
	ip6, _ := j.Props.Get("ip6_addr")
	if ip4 == "none" && ip6 == "none" && !j.Props.Bool("dhcp") && !j.Props.Bool("nat") {
		return errors.New("The jail requires an IP address before you can use pkg. Set one and restart the jail.")
	}
	c := PkgCmd(j.JID, args)
	// pkg fetches from the jail's repositories: the proxy goes with it.
	c.Env, c.Clean = ExecEnv(j.Props, os.Getenv, true)
	if _, err := h.Run.Run(ctx, interactive(c, opts)); err != nil {
		return jail.CommandFailed(append([]string{"pkg"}, args...), err)
	}
	return nil
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lifecycle"
	"github.com/jcage/jcage/internal/plugin"
)

// pluginFetchOptions is fetch's plugin mode: --plugins or -P NAME, and
// the flags that go with them.
type pluginFetchOptions struct {
	plugin   string // -P: a plugin of the index or a PATH.json; empty offers the menu
	count    int    // -c
	name     string // -n
	named    bool   // -n was given, even empty
	repo     string // -g: the index repository
	branch   string // --branch; empty follows the host's release
	accept   bool   // --accept, and not --noaccept
	keep     bool   // -k
	thick    bool   // -C
	official bool   // -O
	props    []string
}

// pluginFetch is one `fetch -P` invocation, or the index and artifact
// work of a plugin update or upgrade.
type pluginFetch struct {
	h        *jail.Host
	out      io.Writer // standard output
	errw     io.Writer // standard error
	in       io.Reader // the menu's and the license's answers
	iocroot  string
	repo     string // plugin_repository
	branch   string // the index branch asked for
	used     string // the index branch checked out
	accept   bool
	keep     bool
	thick    bool
	props    []string
	name     string
	official bool
}

// runPluginFetch installs opts.count jails of a plugin from the index,
// under the tree lock.
func runPluginFetch(ctx context.Context, opts pluginFetchOptions, d deps, w io.Writer) error {
	if opts.count < 1 {
		return fmt.Errorf("invalid count %d", opts.count)
	}
	if opts.named {
		if err := config.CheckName(opts.name); err != nil {
			return err
		}
	}
	h := d.host
	if err := plugin.NeedGit(ctx, h.Run); err != nil {
		return err
	}
	// A plugin install is one change: the index checkout, the jail and
	// what goes into it. Its create and fetch run inside it.
	ctx, tx, _, err := h.Begin(ctx, "plugin", opts.name, nil)
	if err != nil {
		return err
	}
	defer tx.End()
	pool, err := h.FindPool(ctx, true)
	if err != nil {
		return err
	}
	tree, err := h.OpenTree(ctx, pool, true)
	if err != nil {
		return err
	}
	f := &pluginFetch{h: h, out: w, errw: d.stderr, in: d.stdin, iocroot: tree.Mountpoint, repo: opts.repo, branch: opts.branch,
		accept: opts.accept, keep: opts.keep, thick: opts.thick, props: opts.props, name: opts.name, official: opts.official}
	if f.branch == "" {
		out, err := h.Run.Run(ctx, argv.FreebsdVersionUserland())
		if err != nil {
			return fmt.Errorf("freebsd-version: %w", err)
		}
		f.branch = plugin.DefaultBranch(strings.TrimSpace(string(out)))
	}
	ix, err := f.syncIndex(ctx)
	if err != nil {
		return err
	}
	arg := opts.plugin
	if arg == "" {
		if arg, err = f.choose(ix); err != nil || arg == "" {
			return err
		}
	}
	m, id, err := f.manifest(ix, arg)
	if err != nil {
		return err
	}
	f.inform(m)
	if lic := ix.LicenseFor(m); lic != "" && !f.accept {
		if err := f.license(ctx, lic); err != nil {
			return err
		}
	}
	for i := 0; i < opts.count; i++ {
		if err := f.install(ctx, m, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (f *pluginFetch) say(format string, a ...any) { fmt.Fprintf(f.out, format+"\n", a...) }

// syncIndex clones or updates the index repository and reads its INDEX.
func (f *pluginFetch) syncIndex(ctx context.Context) (plugin.Index, error) {
	dir := plugin.CloneDir(f.iocroot, f.repo)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	used, err := plugin.Checkout{Run: f.h.Run, URL: f.repo, Dir: dir, Branch: f.branch, Out: f.out}.Sync(ctx)
	if err != nil {
		return nil, err
	}
	f.used = used
	b, err := readIn(dir, "INDEX")
	if err != nil {
		return nil, fmt.Errorf("Unable to retrieve INDEX of %s at %s.", dir, filepath.Join(dir, "INDEX"))
	}
	return plugin.ParseIndex(b)
}

// readIn reads a file of a checked-out repository without following a
// symlink out of it.
func readIn(dir, name string) ([]byte, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(name)
}

// choose is iocage's numbered menu for --plugins without -P.
func (f *pluginFetch) choose(ix plugin.Index) (string, error) {
	var shown []plugin.IndexEntry
	for _, p := range ix {
		if f.official && !p.Official {
			continue
		}
		shown = append(shown, p)
		f.say("[%d] %s - %s (%s)", len(shown)-1, p.Name, p.Description, p.ID)
	}
	if !isTerminal(f.in) {
		return "", errors.New("No plugin given: pass one with -P NAME")
	}
	fmt.Fprint(f.out, "\nType the number of the desired plugin\nPress [Enter] or type EXIT to quit: ")
	line, _ := bufio.NewReader(f.in).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" || strings.EqualFold(line, "exit") {
		return "", nil
	}
	if n, err := strconv.Atoi(line); err == nil {
		if n < 0 || n >= len(shown) {
			return "", fmt.Errorf("Plugin: %s not in list!", line)
		}
		return shown[n].ID, nil
	}
	return line, nil
}

// manifest finds the plugin's manifest: a local PATH.json, or the
// index's <id>.json (IOCPlugin.retrieve_plugin_json), validated.
func (f *pluginFetch) manifest(ix plugin.Index, arg string) (*plugin.Manifest, string, error) {
	var b []byte
	var id string
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		id = strings.TrimSuffix(filepath.Base(arg), ".json")
		if b, err = os.ReadFile(arg); err != nil {
			return nil, "", err
		}
	} else {
		e, ok := ix.Lookup(strings.ToLower(arg))
		if !ok {
			return nil, "", fmt.Errorf("Plugin: %s not available.", arg)
		}
		id = e.ID
		if b, err = readIn(plugin.CloneDir(f.iocroot, f.repo), id+".json"); err != nil {
			return nil, "", fmt.Errorf("%s.json was not found!", filepath.Join(plugin.CloneDir(f.iocroot, f.repo), id)) // confine: host-owned, the index checkout
		}
	}
	m, err := plugin.ParseManifest(b)
	if err != nil {
		return nil, "", err
	}
	return m, id, nil
}

func (f *pluginFetch) inform(m *plugin.Manifest) {
	f.say("Plugin: %s", m.Name)
	f.say("  Official Plugin: %s", pyBool(m.Official))
	f.say("  Using RELEASE: %s", m.Release)
	f.say("  Using Branch: %s", f.branch)
	f.say("  Post-install Artifact: %s", m.Artifact)
	f.say("  These pkgs will be installed:")
	for _, p := range m.Pkgs {
		f.say("    - %s", p)
	}
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// license shows the plugin's license and asks for it to be accepted.
func (f *pluginFetch) license(ctx context.Context, u string) error {
	f.say("  This plugin requires accepting a license to proceed:")
	if pu, err := url.Parse(u); err == nil && (pu.Scheme == "http" || pu.Scheme == "https") {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		client := &http.Client{Timeout: time.Minute}
		if resp, err := client.Do(req); err == nil {
			text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			f.say("%s", strings.TrimRight(string(text), "\n"))
		}
	}
	fmt.Fprint(f.out, "Do you agree? (y/N) ")
	line, _ := bufio.NewReader(f.in).ReadString('\n')
	if strings.ToLower(strings.TrimSpace(line)) != "y" {
		return errors.New("You must accept the license to continue!")
	}
	return nil
}

// stepError names the install step that failed.
type stepError struct {
	step string
	err  error
}

func (s *stepError) Error() string { return s.step + ": " + s.err.Error() }
func (s *stepError) Unwrap() error { return s.err }

func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{name, err}
}

// install makes one plugin jail. Any failure after the jail exists
// destroys it again unless -k.
func (f *pluginFetch) install(ctx context.Context, m *plugin.Manifest, id string) error {
	h := f.h
	inv, err := h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return err
	}
	relRoot := layout.Dirs(f.iocroot).ReleaseRoot(m.Release) // confine: host-owned, a release's root
	if !slices.Contains(inv.Releases, m.Release) {
		f.say("Release %s missing, will attempt to fetch it.", m.Release)
		if err := h.Fetcher.Fetch(ctx, m.Release); err != nil {
			return err
		}
		if inv, err = h.Load(ctx, inventory.Options{Create: true}); err != nil {
			return err
		}
	}
	taken := map[string]bool{}
	for _, j := range inv.Jails {
		taken[strings.ReplaceAll(j.Name, ".", "_")] = true
	}
	plan, err := plugin.PlanInstall(m, plugin.InstallRequest{
		Plugin: id, Repository: f.repo, Name: f.name, Props: f.props, Userland: inventory.UserlandVersion(relRoot),
		Taken: func(n string) bool { return taken[strings.ReplaceAll(n, ".", "_")] },
	})
	if err != nil {
		return err
	}
	// The jail is made stopped: the manifest must be beside it before its
	// first start, which reads its devfs rules.
	quiet := h.Copy()
	quiet.Out = io.Discard
	quiet.Lifecycle = madeStopped{h.Lifecycle}
	// create writes release= itself, from the release's userland.
	var props []string
	for _, p := range plan.Props {
		if !strings.HasPrefix(p, "release=") {
			props = append(props, p)
		}
	}
	if _, err := quiet.Create(ctx, inv, jail.CreateRequest{Name: plan.Name, Release: m.Release, Basejail: true,
		ThickConfig: f.thick, Props: props}); err != nil {
		return err
	}
	err = f.setUp(ctx, m, plan)
	if err != nil {
		if f.keep {
			return fmt.Errorf("%s had a failure: %w (kept, as -k asked)", plan.Name, err)
		}
		if cerr := f.destroy(context.WithoutCancel(ctx), plan.Name); cerr != nil {
			return fmt.Errorf("%s had a failure: %w; removing the partial plugin failed: %v", plan.Name, err, cerr)
		}
		return fmt.Errorf("%s had a failure: %w; partial plugin destroyed", plan.Name, err)
	}
	return nil
}

// madeStopped is a life cycle that leaves a new jail stopped, whatever its
// boot property says.
type madeStopped struct{ jail.Lifecycle }

func (madeStopped) Start(context.Context, []string) error { return nil }

func (f *pluginFetch) destroy(ctx context.Context, name string) error {
	inv, err := f.h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	j, err := inv.Find(name)
	if err != nil {
		return err
	}
	return f.h.Destroy(ctx, inv, j, jail.DestroyOptions{Force: true})
}

// setUp carries out the plan on the new jail, each step named in its error.
func (f *pluginFetch) setUp(ctx context.Context, m *plugin.Manifest, plan *plugin.Plan) error {
	h := f.h
	inv, err := h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return step("read the new jail", err)
	}
	made, err := inv.Find(plan.Name)
	if err != nil {
		return step("read the new jail", err)
	}
	jailDir := made.Dir
	if st, err := os.Stat(jailDir); err != nil || !st.IsDir() {
		return step("read the new jail", fmt.Errorf("%s is not mounted at %s", made.Dataset.Name, jailDir))
	}
	copyJSON, err := m.JailCopy()
	if err != nil {
		return step("write the manifest", err)
	}
	if err := atomicfile.Write(filepath.Join(jailDir, plan.ManifestFile), copyJSON, 0o644); err != nil {
		return step("write the manifest", err)
	}
	// The start loads the manifest's kernel modules (kldload -n) and
	// gives the jail its devfs paths, as every later start does.
	j, err := f.start(ctx, plan.Name)
	if err != nil {
		return step("start the jail", err)
	}
	env := []string{"ASSUME_ALWAYS_YES=yes"}
	for _, k := range []string{"http_proxy", "https_proxy"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	if plan.Secure {
		f.say("Secure packagesite detected, installing ca_root_nss package.")
		if err := f.pkg(ctx, j, env, argv.PkgInstallArgs([]string{"ca_root_nss"})); err != nil {
			return step("install ca_root_nss", fmt.Errorf("pkg error, please try non-secure packagesite: %w", err))
		}
	}
	if err := plugin.WriteRepoFiles(j.RootPath(), plan); err != nil {
		return step("write the pkg repository files", err)
	}
	if err := f.pkg(ctx, j, env, argv.PkgInstallArgs([]string{"pkg"})); err != nil {
		return step("install pkg", fmt.Errorf("pkg error: %w; refusing to fetch artifact and run post_install.sh", err))
	}
	if err := f.pkg(ctx, j, env, argv.PkgInstallArgs(plan.Packages)); err != nil {
		return step("install packages", fmt.Errorf("pkg error: %w; refusing to fetch artifact and run post_install.sh", err))
	}
	if plan.Artifact == "" {
		return nil
	}
	f.say("\nFetching artifact... ")
	if err := f.pullArtifact(ctx, plan.Artifact, jailDir, j.RootPath()); err != nil {
		return step("fetch the artifact", err)
	}
	script := filepath.Join(jailDir, "plugin", "post_install.sh")
	if st, err := os.Lstat(script); err == nil && st.Mode().IsRegular() {
		if err := plugin.PlaceScript(script, j.RootPath(), "/root/post_install.sh"); err != nil {
			return step("copy post_install.sh", err)
		}
		f.say("\nRunning post_install.sh")
		ip := pluginIP(j)
		c := plugin.JexecCmd(j.Name, []string{"/root/post_install.sh"}, ip)
		c.Stdout = f.out
		if _, err := h.Run.Run(ctx, c); err != nil {
			return step("post_install.sh", err)
		}
	}
	f.showPortal(j, jailDir)
	return nil
}

// start starts the plugin jail and returns it running.
func (f *pluginFetch) start(ctx context.Context, name string) (*inventory.Jail, error) {
	if err := f.h.Lifecycle.Start(ctx, []string{name}); err != nil {
		return nil, err
	}
	inv, err := f.h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return nil, err
	}
	j, err := inv.Find(name)
	if err != nil {
		return nil, err
	}
	if !j.Running() {
		return nil, fmt.Errorf("%s is not running after its start", name)
	}
	return j, nil
}

func (f *pluginFetch) pkg(ctx context.Context, j *inventory.Jail, env, args []string) error {
	c := lifecycle.PkgCmd(j.JID, args)
	c.Env = env
	out, err := f.h.Run.Run(ctx, c)
	if err != nil {
		var re *host.RunError
		if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
			return errors.New(strings.TrimSpace(lastLines(re.Stderr, 2)))
		}
		return errors.New(strings.TrimSpace(lastLines(string(out), 2)) + " (" + err.Error() + ")")
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// pullArtifact fetches the artifact into JAILDIR/plugin (a git clone at
// the index's branch, or a copy of a file:// directory) and copies its
// overlay over the jail root, confined.
func (f *pluginFetch) pullArtifact(ctx context.Context, artifact, jailDir, root string) error {
	dest := filepath.Join(jailDir, "plugin")
	if err := os.RemoveAll(dest); err != nil {
		return err
	}
	if u, err := url.Parse(artifact); err == nil && u.Scheme == "file" {
		if _, err := os.Stat(u.Path); err != nil {
			return fmt.Errorf("%s does not exist!", u.Path)
		}
		if err := plugin.CopyTree(u.Path, dest); err != nil {
			return err
		}
	} else if _, err := (plugin.Checkout{Run: f.h.Run, URL: artifact, Dir: dest, Branch: f.used, Out: f.out}).Sync(ctx); err != nil {
		return err
	}
	overlay := filepath.Join(dest, "overlay")
	if st, err := os.Lstat(overlay); err == nil && st.IsDir() {
		if err := plugin.CopyOverlay(overlay, root); err != nil {
			return fmt.Errorf("Error during overlay copy: %w", err)
		}
	}
	return nil
}

// pluginIP is IOCAGE_PLUGIN_IP: the ip6 addresses, else the ip4 ones,
// without interface and prefix length.
func pluginIP(j *inventory.Jail) string {
	pick := func(v string, skip string) string {
		if v == "" || v == "none" {
			return ""
		}
		var out []string
		for _, e := range strings.Split(v, ",") {
			if strings.Contains(strings.ToLower(e), skip) {
				continue
			}
			if i := strings.LastIndex(e, "|"); i >= 0 {
				e = e[i+1:]
			}
			e, _, _ = strings.Cut(e, "/")
			out = append(out, e)
		}
		return strings.Join(out, ",")
	}
	if ip := pick(j.Prop("ip6_addr"), "accept_rtadv"); ip != "" {
		return ip
	}
	if ip := pick(j.Prop("ip4_addr"), "dhcp"); ip != "" {
		return ip
	}
	if j.JLS != nil {
		return strings.Join(j.JLS.IPv4, ",")
	}
	return ""
}

// showPortal prints ui.json's admin portal and documentation URL.
func (f *pluginFetch) showPortal(j *inventory.Jail, jailDir string) {
	b, err := readIn(filepath.Join(jailDir, "plugin"), "ui.json")
	if err != nil {
		return
	}
	ui, err := plugin.ParseUI(b)
	if err != nil {
		return
	}
	if ui.AdminPortal != "" {
		f.say("\nAdmin Portal:\n%s", portalFor(j, ui))
	}
	if ui.DocURL != nil {
		f.say("\nDoc URL:\n%s", *ui.DocURL)
	}
}

func portalFor(j *inventory.Jail, ui *plugin.UI) string {
	nat := config.CheckTruthy(j.Prop("nat"))
	var addrs []string
	if nat {
		addrs = hostAddrs()
	} else {
		ip4 := j.Prop("ip4_addr")
		if config.CheckTruthy(j.Prop("dhcp")) {
			ip4 = "DHCP"
		}
		addrs = plugin.PortalAddrs(ip4)
	}
	return plugin.AdminPortals(ui.AdminPortal, addrs, nat, j.Prop("nat_forwards"))
}

// hostAddrs is where a nat plugin's portal is reached: the host's first
// global IPv4 address (iocage takes the default route's interface).
func hostAddrs() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
			return []string{n.IP.String()}
		}
	}
	return nil
}

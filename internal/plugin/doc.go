// Package plugin reads iocage's plugin index and plugin manifests and
// plans plugin installs, as the freebsd/iocage fork's ioc_plugin.py does.
//
// A plugin index is a git repository (freenas/iocage-ix-plugins by
// default) with an INDEX (plugin id → MANIFEST, name, description,
// license, primary_pkg...) and one manifest per plugin. It is cloned with
// the host's git(1), as iocage's GitPython clones it, into
// IOCROOT/.plugins/<URL with '/' and '.' turned into '_'>, at branch
// "<host major.minor>-RELEASE" with iocage's fallback to master; an
// artifact is cloned the same way into the jail's plugin/ directory. A
// plugin command asks for git before it changes anything (NeedGit). The
// URLs come from the index, which its server controls: one that git
// could read as an option or a remote helper is refused (CheckRepoURL),
// and the command lines (internal/argv, git.go) allow only https, http,
// git, ssh and file. Manifests are validated against iocage's
// plugin_manifest.json (JSON Schema draft-07); a refusal names the JSON
// path of each problem.
//
// PlanInstall turns a manifest and a `fetch -P` request into a Plan:
// the jail's name (NAME, NAME_1, ...), its create properties in iocage's
// order, the pkg(8) repository and fingerprint files byte for byte as
// iocage writes them, the kernel modules and the packages. The plan is
// data; cmd/jcage carries it out under an undo stack.
//
// Nothing an artifact holds is trusted: its overlay is copied into the
// jail root through an os.Root (no symlink leads a write out of the
// root, the overlay's own symlinks stay symlinks), and its scripts run
// only inside the jail.
package plugin

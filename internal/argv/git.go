package argv

// git(1) keeps the plugin index and each plugin's artifact, as iocage's
// GitPython drives it (IOCPlugin._clone_repo). The URL comes from a
// plugin index, which whoever serves it controls, so every command line
// here is built to give that URL no say over git itself:
//
//   - transports are named, not defaulted: protocol.allow=never, then
//     https, http, git, ssh and file (a local index, the test world's
//     fixtures) allowed one by one; ext:: and every other remote helper
//     stay refused, ext twice over;
//   - the URL and the directory follow "--", so neither is an option;
//   - a repository command names its repository with --git-dir and
//     --work-tree: git never discovers one by walking up from the
//     working directory (clone makes its own and reads no other's);
//   - submodules are never recursed into (submodule.recurse=false and
//     --no-recurse-submodules, whatever the admin's gitconfig says);
//   - GIT_TERMINAL_PROMPT=0: a URL that asks for credentials fails
//     instead of waiting on a terminal.
//
// Hooks need no switch: a clone or fetch never transfers a remote's
// hooks, and .git/hooks holds only what the host's own template put
// there. Symlinks are checked out as the repository holds them (git's
// core.symlinks, true wherever the filesystem has symlinks), absolute
// targets included.

// gitRemoteRefs is where a fetch keeps the remote's branches: every
// branch, forced, as a clone's default refspec.
const gitRemoteRefs = "+refs/heads/*:refs/remotes/origin/*"

// gitEnv is every git command's environment, added to the caller's.
func gitEnv() []string { return []string{"GIT_TERMINAL_PROMPT=0"} }

// gitSafe is the configuration every git command line starts with.
func gitSafe() []string {
	return []string{
		"-c", "protocol.allow=never",
		"-c", "protocol.https.allow=always",
		"-c", "protocol.http.allow=always",
		"-c", "protocol.git.allow=always",
		"-c", "protocol.ssh.allow=always",
		"-c", "protocol.file.allow=always",
		"-c", "protocol.ext.allow=never",
		"-c", "submodule.recurse=false",
	}
}

// git is a command on the repository checked out at dir: its git
// directory is dir/.git, named, never discovered.
func git(dir string, args ...string) Cmd {
	a := append(gitSafe(), "--git-dir="+dir+"/.git", "--work-tree="+dir)
	return Cmd{Name: "git", Args: append(a, args...), Env: gitEnv()}
}

// GitVersion is `git --version`: whether the host has git(1) at all,
// asked before a plugin command changes anything.
func GitVersion() Cmd { return cmd("git", "--version") }

// GitClone clones url into dir (which must not exist) without checking
// anything out and without tags: the branch is chosen afterwards, as
// IOCPlugin._clone_repo chooses it.
func GitClone(url, dir string) Cmd {
	a := append(gitSafe(), "clone", "--quiet", "--no-checkout", "--no-tags", "--no-recurse-submodules", "--", url, dir)
	return Cmd{Name: "git", Args: a, Env: gitEnv()}
}

// GitOriginURLs prints the URLs of the clone's remote origin, one a
// line (IOCPlugin._verify_git_repo compares them with the URL asked for).
func GitOriginURLs(dir string) Cmd {
	return git(dir, "config", "--get-all", "remote.origin.url")
}

// GitFetch brings every branch of origin into refs/remotes/origin,
// forced, without tags.
func GitFetch(dir string) Cmd {
	return git(dir, "fetch", "--quiet", "--no-tags", "--force", "--no-recurse-submodules", "--", "origin", gitRemoteRefs)
}

// GitRemoteCommit prints the commit origin's branch is at, or exits 1
// without a word when origin has no such branch.
func GitRemoteCommit(dir, branch string) Cmd {
	return git(dir, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/"+branch+"^{commit}")
}

// GitCheckout points the local branch at commit and checks it out over
// whatever the work tree holds. The "--" after the commit says no path
// follows, so the commit is never taken for one.
func GitCheckout(dir, branch, commit string) Cmd {
	return git(dir, "checkout", "--quiet", "--force", "--no-track", "--no-recurse-submodules", "-B", branch, commit, "--")
}

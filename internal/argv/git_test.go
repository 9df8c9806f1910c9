package argv

import (
	"slices"
	"strings"
	"testing"
)

// safe is what every git command line but --version starts with.
const safe = "git -c protocol.allow=never -c protocol.https.allow=always -c protocol.http.allow=always" +
	" -c protocol.git.allow=always -c protocol.ssh.allow=always -c protocol.file.allow=always" +
	" -c protocol.ext.allow=never -c submodule.recurse=false"

// Every git command line, exactly; each names its repository, never
// prompts, and puts a URL or path that could look like an option after
// "--".
func TestGitBuilders(t *testing.T) {
	repo := safe + " --git-dir=/t/.plugins/idx/.git --work-tree=/t/.plugins/idx"
	for _, tc := range []struct {
		c    Cmd
		want string
	}{
		{GitClone("https://github.com/freenas/iocage-ix-plugins.git", "/t/.plugins/idx"),
			safe + " clone --quiet --no-checkout --no-tags --no-recurse-submodules -- https://github.com/freenas/iocage-ix-plugins.git /t/.plugins/idx"},
		{GitClone("-uhello", "-dir"), safe + " clone --quiet --no-checkout --no-tags --no-recurse-submodules -- -uhello -dir"},
		{GitOriginURLs("/t/.plugins/idx"), repo + " config --get-all remote.origin.url"},
		{GitFetch("/t/.plugins/idx"), repo + " fetch --quiet --no-tags --force --no-recurse-submodules -- origin +refs/heads/*:refs/remotes/origin/*"},
		{GitRemoteCommit("/t/.plugins/idx", "14.3-RELEASE"), repo + " rev-parse --verify --quiet refs/remotes/origin/14.3-RELEASE^{commit}"},
		{GitCheckout("/t/.plugins/idx", "14.3-RELEASE", "4027aa2a021bcd72cf0286c8109e17549338fa88"),
			repo + " checkout --quiet --force --no-track --no-recurse-submodules -B 14.3-RELEASE 4027aa2a021bcd72cf0286c8109e17549338fa88 --"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
		if !slices.Equal(tc.c.Env, []string{"GIT_TERMINAL_PROMPT=0"}) || tc.c.Clean || tc.c.Dir != "" || tc.c.Stdin != nil {
			t.Errorf("%s: %+v", tc.want, tc.c)
		}
	}
	if got := GitVersion().String(); got != "git --version" {
		t.Errorf("GitVersion = %q", got)
	}
	// A URL with spaces stays one argument, after "--".
	a := GitClone("file:///a dir/repo", "/d").Args
	if i := slices.Index(a, "--"); i < 0 || a[i+1] != "file:///a dir/repo" || len(a) != i+3 {
		t.Errorf("clone args %q", a)
	}
	// The transports: never by default, then the five allowed by name.
	allowed := map[string]string{}
	for i, s := range gitSafe() {
		if k, v, ok := strings.Cut(s, "="); ok && gitSafe()[i-1] == "-c" {
			allowed[k] = v
		}
	}
	for k, v := range map[string]string{"protocol.allow": "never", "protocol.ext.allow": "never", "protocol.https.allow": "always",
		"protocol.http.allow": "always", "protocol.git.allow": "always", "protocol.ssh.allow": "always", "protocol.file.allow": "always"} {
		if allowed[k] != v {
			t.Errorf("%s=%q, want %q", k, allowed[k], v)
		}
	}
	// Building one command line never changes the next.
	c := GitFetch("/d")
	c.Args[0] = "x"
	c.Env[0] = "y"
	if GitFetch("/d").Args[0] != "-c" || GitFetch("/d").Env[0] != "GIT_TERMINAL_PROMPT=0" {
		t.Error("GitFetch shares its slices")
	}
}

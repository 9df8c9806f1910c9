package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/testworld/testbin"
	"github.com/jcage/jcage/internal/testworld/world"
	"github.com/jcage/jcage/internal/zfs"
)

// complete runs the hidden query in-process, with jcage's own grammar.
func (h *harness) complete(words ...string) string {
	h.t.Helper()
	out := must(h, runComplete, completeOptions{app: newApp(h.env()), words: words})
	return strings.Join(strings.Fields(out), " ")
}

func TestCompletionCandidates(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("www1", nil)
	h.addJail("www2", nil)
	h.addJail("db", nil)
	h.addJail("tmpl", nil)
	must(h, runSet, setOptions{args: []string{"template=yes", "tmpl"}})
	if err := h.zfs.Create(t.Context(), layout.Layout{Pool: "tank"}.ReleaseRoot("14.3-RELEASE"), zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	must(h, runSnapshot, snapshotOptions{jail: "www1", name: "before"})
	h.uid = 1001 // completion needs no root
	changes := h.zfs.Calls("create") + h.zfs.Calls("set")
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"st"}, "start stop"},
		{[]string{"sn"}, "snaplist snapremove snapshot"},
		{[]string{"-D", "lis"}, "list"},
		{[]string{"--d"}, "--debug"},
		{[]string{"list", "--j"}, "--json"},
		{[]string{"list", "-s", ""}, "jid name state release ip4 boot type ip6 template"},
		{[]string{"start", "w"}, "www1 www2"},
		{[]string{"start", ""}, "db www1 www2 tmpl ALL"},
		{[]string{"stop", "-f", "d"}, "db"},
		{[]string{"get", "pri"}, "priority"},
		{[]string{"get", "boot", "ww"}, "www1 www2"},
		{[]string{"get", "boot", "de"}, "default"},
		{[]string{"get", "-r", "ip4_"}, "ip4_addr ip4_saddrsel"},
		{[]string{"set", "boo"}, "boot="},
		{[]string{"set", "boot=o"}, ""},
		{[]string{"set", "boot=on", "w"}, "wallclock= writebps= writeiops= www1 www2"},
		{[]string{"create", "-r", ""}, "14.3-RELEASE latest"},
		{[]string{"create", "-t", ""}, "tmpl"},
		{[]string{"create", "-n", "x", "vn"}, "vnet= vnet0_mac= vnet0_mtu= vnet1_mac= vnet1_mtu= vnet2_mac= vnet2_mtu= vnet3_mac= vnet3_mtu= vnet_default_interface= vnet_default_mtu= vnet_interfaces="},
		{[]string{"destroy", "-r", ""}, "14.3-RELEASE"},
		{[]string{"rollback", "www1", "-n", ""}, "before"},
		{[]string{"snapremove", "www1", "-n", "b"}, "before"},
		{[]string{"export", "-c", ""}, "zip lzma"},
		{[]string{"exec", "ww"}, "www1 www2"},
		{[]string{"pkg", "A"}, "ALL"},
		{[]string{"upgrade", "A"}, "ALL"},
		{[]string{"exec", "www1", "l"}, ""},
		{[]string{"help", "re"}, "rename restart"},
		{[]string{"completion", ""}, "bash fish zsh"},
		{[]string{"nosuch", ""}, ""},
	} {
		if got := h.complete(tc.words...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.words, got, tc.want)
		}
	}
	if h.zfs.Calls("create")+h.zfs.Calls("set") != changes {
		t.Error("completion changed ZFS")
	}
}

func TestCompletionScripts(t *testing.T) {
	h := newHarness(t)
	for shell, head := range map[string]string{"bash": "# bash completion for jcage", "zsh": "#compdef jcage", "fish": "# fish completion for jcage"} {
		if got, err := parseLine(t, parseCompletion, "completion", shell); err != nil || got.shell != shell {
			t.Errorf("parse completion %s: %+v %v", shell, got, err)
		}
		if out := must(h, runCompletion, completionOptions{shell: shell}); !strings.HasPrefix(out, head) {
			t.Errorf("completion %s: %q", shell, out)
		}
	}
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}} {
		if _, err := parseLine(t, parseCompletion, args...); !errors.As(err, new(usageError)) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

// shellCandidates runs script in the named real shell, with jcage (the
// binary at jcage) first in PATH, and returns what it printed.
func shellCandidates(t *testing.T, env []string, jcage, shell, script string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Fatalf("%s is not installed (apt-get install %s; internal/testworld/world-up.sh does)", shell, shell)
	}
	cmd := exec.Command(path, "-c", script)
	if shell == "zsh" {
		cmd = exec.Command(path, "-f", "-c", script)
	}
	cmd.Env = append(env, "PATH="+filepath.Dir(jcage)+string(os.PathListSeparator)+pathOf(env))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// pathOf is the PATH in env.
func pathOf(env []string) string {
	p := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			p = v
		}
	}
	return p
}

// bashComplete completes line in real bash, with bash-completion loaded
// and the script jcage prints sourced.
func bashComplete(t *testing.T, env []string, jcage, line string) string {
	return shellCandidates(t, env, jcage, "bash", `
. /usr/share/bash-completion/bash_completion || exit 1
source <(jcage completion bash)
complete -p jcage >/dev/null || exit 1
COMP_LINE='`+line+`'
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_jcage jcage
printf '%s\n' "${COMPREPLY[@]}"`)
}

// zshComplete completes line in real zsh after compinit, with compadd
// (which works only inside a completion widget) standing in to print
// the candidates the function adds.
func zshComplete(t *testing.T, env []string, jcage, line string) string {
	return shellCandidates(t, env, jcage, "zsh", `
autoload -U compinit && compinit -u -D
source <(jcage completion zsh)
[[ $_comps[jcage] == _jcage ]] || { print "not registered"; exit 1 }
compadd() {
	local arr
	while (( $# )); do
		case $1 in
		-a) shift; arr=$1 ;;
		-S) shift ;;
		esac
		shift
	done
	print -l -- "${(@P)arr}"
}
words=(${(z):-"`+line+`"})
[[ "`+line+`" == *" " ]] && words+=("")
CURRENT=${#words}
_jcage`)
}

// The scripts in real bash and zsh, with the real binary: what needs no
// pool (commands, options, properties, fixed values).
func TestCompletionInRealShells(t *testing.T) {
	bin, err := testbin.Get()
	if err != nil {
		t.Fatalf("test binaries: %v", err)
	}
	// No zfs in PATH: names come back empty, at once.
	env := append(os.Environ(), "JCAGE_POOL=jcagetest-no-such-pool", "PATH=/usr/bin:/bin")
	for _, tc := range []struct{ line, want string }{
		{"jcage st", "start stop"},
		{"jcage list --js", "--json"},
		{"jcage get pri", "priority"},
		{"jcage set boo", "boot="},
		{"jcage export -c ", "zip lzma"},
		{"jcage completion ", "bash fish zsh"},
		{"jcage start ww", ""},
	} {
		if got := bashComplete(t, env, bin.Jcage, tc.line); got != tc.want {
			t.Errorf("bash %q: got %q, want %q", tc.line, got, tc.want)
		}
		if got := zshComplete(t, env, bin.Jcage, tc.line); got != tc.want {
			t.Errorf("zsh %q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

// The same against a real pool: the host's jails, releases and
// snapshots.
func TestSystemCompletionInRealShells(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.LayRelease("14.3-RELEASE")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "www1")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "www2")
	w.Must("snapshot", "-n", "before", "www1")
	env := append(w.Env, "PATH="+w.Bin.PathEnv())
	for _, tc := range []struct{ line, want string }{
		{"jcage start ww", "www1 www2"},
		{"jcage get boot w", "www1 www2"},
		{"jcage create -r ", "14.3-RELEASE latest"},
		{"jcage rollback www1 -n ", "before"},
	} {
		if got := bashComplete(t, env, w.Bin.Jcage, tc.line); got != tc.want {
			t.Errorf("bash %q: got %q, want %q", tc.line, got, tc.want)
		}
		if got := zshComplete(t, env, w.Bin.Jcage, tc.line); got != tc.want {
			t.Errorf("zsh %q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

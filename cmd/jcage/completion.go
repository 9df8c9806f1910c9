package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
)

func init() {
	registerCommand("completion", completionCommand)
	registerCommand("__complete", completeQueryCommand)
}

// The shell scripts are thin: each asks `jcage __complete WORDS...` for
// the candidates of the last word, so that commands, options, property
// names and the names on the running system all come from one place.

const bashCompletion = `# bash completion for jcage
_jcage() {
	local line=${COMP_LINE:0:COMP_POINT}
	local -a words
	read -ra words <<<"$line"
	[[ $line == *[[:space:]] ]] && words+=("")
	local IFS=$'\n'
	COMPREPLY=($("${words[0]}" __complete "${words[@]:1}" 2>/dev/null))
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
	# bash splits words at "=" and ":"; offer only what follows the last.
	local cur=${words[${#words[@]}-1]} k
	local pre=${cur%"${cur##*[=:]}"}
	if [[ -n $pre ]]; then
		for k in "${!COMPREPLY[@]}"; do COMPREPLY[k]=${COMPREPLY[k]#"$pre"}; done
	fi
}
complete -F _jcage jcage
`

const zshCompletion = `#compdef jcage
# zsh completion for jcage
_jcage() {
	local -a cands eq rest
	cands=("${(@f)$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
	cands=(${cands:#})
	eq=(${(M)cands:#*=})
	rest=(${cands:#*=})
	(( ${#eq} )) && compadd -Q -S '' -a eq
	(( ${#rest} )) && compadd -Q -a rest
	return 0
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_jcage "$@"
else
	compdef _jcage jcage
fi
`

const fishCompletion = `# fish completion for jcage
function __jcage_complete
	set -l tokens (commandline -opc) (commandline -ct)
	$tokens[1] __complete $tokens[2..-1] 2>/dev/null
end
complete -c jcage -f -a '(__jcage_complete)'
`

var completionScripts = map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "Print the shell completion script for bash, zsh or fish.",
		ArgsUsage: "bash|zsh|fish",
		Description: "Prints a script that completes jcage's commands, options, property names and\n" +
			"the jail, template, release and snapshot names of this host. Load it with\n" +
			"  source <(jcage completion bash)      (bash, in ~/.bashrc)\n" +
			"  source <(jcage completion zsh)       (zsh, after compinit)\n" +
			"  jcage completion fish | source       (fish)\n" +
			"or install it where the shell looks; make install does.",
		Action: action(e, parseCompletion, runCompletion),
	}
}

// completionOptions is completion's command line: the shell.
type completionOptions struct {
	shell string // bash, zsh or fish
}

func parseCompletion(c *cli.Context) (completionOptions, error) {
	if c.NArg() != 1 {
		return completionOptions{}, usageErrorf("Usage: jcage completion bash|zsh|fish")
	}
	if _, ok := completionScripts[c.Args().First()]; !ok {
		return completionOptions{}, usageErrorf("jcage completion: no script for %q: bash, zsh or fish", c.Args().First())
	}
	return completionOptions{shell: c.Args().First()}, nil
}

// runCompletion prints the shell's script.
func runCompletion(_ context.Context, opts completionOptions, _ deps, w io.Writer) error {
	_, err := fmt.Fprint(w, completionScripts[opts.shell])
	return err
}

// completeQueryCommand is the hidden query the scripts run: the
// candidates for the last of WORDS, one a line.
func completeQueryCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:            "__complete",
		Usage:           "Print the completions of a command line.",
		Description:     "Used by the scripts jcage completion prints.",
		Hidden:          true,
		SkipFlagParsing: true,
		Action:          action(e, parseComplete, runComplete),
	}
}

// completeOptions is the query: jcage's command line grammar and the
// words typed so far.
type completeOptions struct {
	app   *cli.App
	words []string // the command line after "jcage"; the last is the one completed
}

func parseComplete(c *cli.Context) (completeOptions, error) {
	words := c.Args().Slice()
	if len(words) == 0 {
		words = []string{""}
	}
	return completeOptions{app: c.App, words: words}, nil
}

// runComplete prints the candidates for the last word, one a line.
func runComplete(ctx context.Context, opts completeOptions, d deps, w io.Writer) error {
	for _, s := range completions(ctx, opts.app, d.host, opts.words) {
		fmt.Fprintln(w, s)
	}
	return nil
}

// names is what the running system knows, read once and only when asked.
type names struct {
	ctx context.Context
	h   *jail.Host
	inv *inventory.Inventory
	err error
}

func (n *names) load() *inventory.Inventory {
	if n.inv == nil && n.err == nil {
		n.inv, n.err = n.h.Load(n.ctx, inventory.Options{})
	}
	return n.inv
}

func (n *names) jails(templates bool) []string {
	var out []string
	if inv := n.load(); inv != nil {
		for _, j := range inv.Jails {
			if templates == j.Template || !templates {
				out = append(out, j.Name)
			}
		}
	}
	return out
}

func (n *names) releases() []string {
	if inv := n.load(); inv != nil {
		return inv.Releases
	}
	return nil
}

func (n *names) snapshots(jailName string) []string {
	inv := n.load()
	if inv == nil {
		return nil
	}
	js, err := inv.SnapTargets(jailName)
	if err != nil {
		return nil
	}
	rows, err := n.h.SnapRows(n.ctx, inv, js, false, jailName == inventory.AllJails)
	if err != nil {
		return nil
	}
	col := 0
	if jailName == inventory.AllJails {
		col = 1
	}
	var out []string
	for _, r := range rows {
		s := r[col]
		if _, isRoot := layout.RootOwner(s); !isRoot && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (n *names) pools() []string {
	pools, err := n.h.ZFS.Pools(n.ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range pools {
		out = append(out, p.Name)
	}
	return out
}

// propNames is every property get knows, or with settable only those set
// accepts, each followed by "=" for set, create and clone.
func propNames(settable bool) []string {
	var out []string
	for _, p := range config.Props() {
		if !settable {
			out = append(out, p.Name)
		} else if !p.Has(config.ReadOnly) && !p.Has(config.Pseudo) {
			out = append(out, p.Name+"=")
		}
	}
	return out
}

// sortKeys are the -s columns of the table commands.
var sortKeys = map[string][]string{
	"list":     {"jid", "name", "state", "release", "ip4", "boot", "type", "ip6", "template"},
	"df":       {"name", "crt", "res", "qta", "use", "ava"},
	"snaplist": {"name", "created", "rsize", "used"},
}

// completions returns the candidates for the last word of words (the
// command line after "jcage"), those that start with it.
func completions(ctx context.Context, app *cli.App, h *jail.Host, words []string) []string {
	cur := words[len(words)-1]
	before := words[:len(words)-1]
	n := &names{ctx: ctx, h: h}
	if strings.Contains(cur, "=") {
		return nil // a property's value: nothing to offer
	}
	i := 0
	for i < len(before) && strings.HasPrefix(before[i], "-") {
		i++
	}
	if i == len(before) {
		if strings.HasPrefix(cur, "-") {
			return prefixed(cur, flagSpellings(app.Flags))
		}
		var cmds []string
		for _, c := range app.Commands {
			if !c.Hidden {
				cmds = append(cmds, c.Name)
			}
		}
		return prefixed(cur, cmds)
	}
	cmd := findCommand(app, before[i])
	if cmd == nil {
		return nil
	}
	args := before[i+1:]
	valued := map[string]string{}
	boolean := map[string]string{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			if isBool {
				boolean[name] = f.Names()[0]
			} else {
				valued[name] = f.Names()[0]
			}
		}
	}
	// Read what was typed: positionals, and the options set.
	var pos []string
	set := map[string]bool{}
	for k := 0; k < len(args); k++ {
		a := args[k]
		if cmd.SkipFlagParsing && len(pos) > 0 {
			pos = append(pos, a)
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			name := strings.TrimLeft(a, "-")
			if canon, ok := valued[name]; ok {
				set[canon] = true
				k++
				continue
			}
			if canon, ok := boolean[name]; ok {
				set[canon] = true
			}
			continue
		}
		pos = append(pos, a)
	}
	if len(args) > 0 {
		if prev := args[len(args)-1]; len(prev) > 1 && prev[0] == '-' {
			if canon, ok := valued[strings.TrimLeft(prev, "-")]; ok {
				return prefixed(cur, flagValues(cmd.Name, canon, pos, n))
			}
		}
	}
	if strings.HasPrefix(cur, "-") && !(cmd.SkipFlagParsing && len(pos) > 0) {
		return prefixed(cur, flagSpellings(cmd.Flags))
	}
	if cmd.Name == "help" && len(pos) == 0 {
		return completions(ctx, app, h, []string{cur})
	}
	return prefixed(cur, positionals(cmd.Name, len(pos), set, n))
}

// flagValues are the candidates for an option's value.
func flagValues(cmd, flag string, pos []string, n *names) []string {
	switch {
	case flag == "release" && cmd == "create":
		return append(n.releases(), "latest")
	case flag == "release" && cmd == "upgrade", flag == "release" && cmd == "fetch":
		return n.releases()
	case flag == "template" && cmd == "create":
		return n.jails(true)
	case flag == "name" && (cmd == "rollback" || cmd == "snapremove"):
		if len(pos) == 0 {
			return nil
		}
		s := n.snapshots(pos[0])
		if cmd == "snapremove" {
			s = append(s, inventory.AllJails)
		}
		return s
	case flag == "compression":
		return []string{"zip", "lzma"}
	case flag == "auth":
		return []string{"basic", "digest"}
	case flag == "sort":
		return sortKeys[cmd]
	}
	return nil
}

// positionals are the candidates for the argument at index i.
func positionals(cmd string, i int, set map[string]bool, n *names) []string {
	withAll := func(s []string) []string { return append(s, inventory.AllJails) }
	switch cmd {
	case "completion":
		if i == 0 {
			return []string{"bash", "fish", "zsh"}
		}
	case "activate":
		if i == 0 {
			return n.pools()
		}
	case "start", "stop", "restart":
		return withAll(n.jails(false))
	case "snapshot", "snaplist", "snapremove", "update", "exec", "pkg", "upgrade":
		if i == 0 {
			return withAll(n.jails(false))
		}
	case "console", "export", "rename", "rollback", "fstab":
		if i == 0 {
			return n.jails(false)
		}
	case "clone":
		if i == 0 {
			return n.jails(false)
		}
		return propNames(true)
	case "create":
		return propNames(true)
	case "destroy":
		if set["release"] {
			return n.releases()
		}
		return n.jails(false)
	case "get":
		switch {
		case set["recursive"]:
			if i == 0 {
				return append(propNames(false), "all")
			}
		case set["all"], set["state"], set["jid"]:
			if i == 0 {
				return append(n.jails(false), "default")
			}
		case set["pool"]:
		case i == 0:
			return append(propNames(false), "all")
		case i == 1:
			return append(n.jails(false), "default")
		}
	case "set":
		return append(propNames(true), append(n.jails(false), "default")...)
	}
	return nil
}

// flagSpellings is every way to type the options: -s and --long.
func flagSpellings(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		for _, name := range f.Names() {
			out = append(out, dashed(name))
		}
	}
	sort.Strings(out)
	return out
}

func prefixed(cur string, cands []string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, cur) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

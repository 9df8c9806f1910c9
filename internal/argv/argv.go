// Package argv builds the command lines jcage hands to FreeBSD's tools,
// as data: one file per base tool, each builder a pure function from its
// inputs to a Cmd. Nothing here runs anything; internal/host runs a Cmd,
// and the tables in argv_test.go pin every builder's exact argv.
//
// Builders compose: a command meant to run inside a jail is built for the
// tool, then wrapped, as in Setfib(fib, Jexec(jname, IfconfigUp(nic))).
package argv

import (
	"io"
	"strings"
)

// Cmd describes one program invocation.
type Cmd struct {
	Name string   // program name, resolved through PATH unless it contains a slash
	Args []string // arguments, without the program name
	Env  []string // extra KEY=VALUE pairs added to the inherited environment
	// Clean starts the program with Env alone (and the runner's PATH
	// when Env sets none) instead of the caller's environment: what a
	// jail is handed must not carry the admin's tokens and agent sockets.
	Clean  bool
	Dir    string // working directory; empty means the current one
	Stdin  io.Reader
	Stdout io.Writer // when nil, stdout is captured and returned by Run
	Stderr io.Writer // stderr is always captured for errors; also copied here when set
}

// Argv returns the command line as a slice, program name first.
func (c Cmd) Argv() []string { return append([]string{c.Name}, c.Args...) }

// String renders the command line for messages.
func (c Cmd) String() string { return strings.Join(c.Argv(), " ") }

// Command is a program with its arguments and nothing else: the shape
// of a program path the admin configured (a hook), never a base tool's
// name, which has a builder of its own.
func Command(path string, args ...string) Cmd {
	return Cmd{Name: path, Args: args}
}

func cmd(name string, args ...string) Cmd { return Cmd{Name: name, Args: args} }

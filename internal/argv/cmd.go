// Package argv builds the command lines jcage runs, as data: one file per
// base tool, each builder a pure function table-tested with exact
// strings. Nothing here runs a program or imports a package that does;
// internal/host runs what these build. A command line written anywhere
// else is a test failure (internal/codecheck), so that the argv jcage
// hands the system can be read, and compared with iocage's, here.
package argv

import (
	"io"
	"strings"
)

// Cmd describes one program invocation. internal/host runs it (host.Cmd
// is this type).
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

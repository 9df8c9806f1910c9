// Command fbsdsim is the FreeBSD-userland simulator used by jcage's system
// tests. Install it once and link it under each tool's name (jail, jls,
// jexec, ...); it acts as the tool it is invoked as. `fbsdsim --list`
// prints the tool names, one per line.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
)

func main() {
	tool := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if tool == "fbsdsim" {
		if len(args) == 1 && args[0] == "--list" {
			for _, t := range fbsdsim.Tools() {
				fmt.Println(t)
			}
			return
		}
		// "fbsdsim TOOL ARGS..." also works, for tools not linked yet.
		if len(args) > 0 {
			tool, args = args[0], args[1:]
		}
	}
	os.Exit(fbsdsim.Main(tool, args))
}

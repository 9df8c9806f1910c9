package main

import "fmt"

// askYesNo prints a warning and iocage's "Are you sure? [y/N]: " (see
// confirm) and returns the answer.
func askYesNo(e *env, warning string) (bool, error) {
	if warning != "" {
		fmt.Fprintln(e.stdout, warning)
	}
	return confirm(e, "Are you sure?")
}

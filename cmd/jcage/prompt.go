package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
)

// askYesNo prints iocage's "Are you sure? [y/N]: " after a warning and
// reads one answer from stdin; anything but y/yes is no. With no answer
// at all (no terminal, empty input) it refuses clearly instead of
// guessing.
func askYesNo(e *env, warning string) (bool, error) {
	if warning != "" {
		fmt.Fprintln(e.stdout, warning)
	}
	fmt.Fprint(e.stdout, "Are you sure? [y/N]: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(e.stdout)
		return false, errors.New("no answer on standard input; pass -f to proceed without asking")
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

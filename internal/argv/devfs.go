package argv

import (
	"strconv"
	"strings"
)

// DevfsShowsets is `devfs rule showsets`: the numbers of every ruleset.
func DevfsShowsets() Cmd { return cmd("devfs", "rule", "showsets") }

// DevfsShow is `devfs rule -s SET show`: one ruleset's rules, each after
// its rule number.
func DevfsShow(set string) Cmd { return cmd("devfs", "rule", "-s", set, "show") }

// DevfsAdd adds rules to ruleset n in one devfs call, the rules read
// from standard input. iocage runs one `devfs rule -s N add RULE` per rule
// (some fifty per start); the rules and their order are the same.
func DevfsAdd(n int, rules []string) Cmd {
	c := cmd("devfs", "rule", "-s", strconv.Itoa(n), "add", "-")
	c.Stdin = strings.NewReader(strings.Join(rules, "\n") + "\n")
	return c
}

// DevfsDelset is `devfs rule -s N delset`: ruleset n deleted.
func DevfsDelset(n int) Cmd { return cmd("devfs", "rule", "-s", strconv.Itoa(n), "delset") }

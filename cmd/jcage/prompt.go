package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// askYesNo prints a warning and iocage's "Are you sure? [y/N]: " on w
// (see confirm) and returns the answer.
func (d deps) askYesNo(w io.Writer, warning string) (bool, error) {
	if warning != "" {
		fmt.Fprintln(w, warning)
	}
	return d.confirm(w, "Are you sure?")
}

// errNoAnswer is a question that stdin never answered.
var errNoAnswer = errors.New("no answer on standard input: nothing done (pass -f to skip the question)")

// confirm asks question on w, standard output, as click.confirm does
// ("QUESTION [y/N]: ") and reads the answer from stdin: y or yes (any
// case) is yes, n, no or an empty line is no, anything else asks again. Input that ends before an
// answer is errNoAnswer, so that a script without a terminal never
// confirms by accident.
func (d deps) confirm(w io.Writer, question string) (bool, error) {
	// click's prompt and its complaint are no log messages.
	w, stderr := atLevel(w, ""), atLevel(d.stderr, "")
	for {
		fmt.Fprintf(w, "%s [y/N]: ", question)
		line, err := readAnswer(d.stdin)
		if err != nil {
			fmt.Fprintln(w)
			if errors.Is(err, io.EOF) {
				return false, errNoAnswer
			}
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		case "", "n", "no":
			return false, nil
		}
		fmt.Fprintln(stderr, "Error: invalid input")
	}
}

// readAnswer reads one line a byte at a time, so that nothing after it is
// taken from stdin; a last line without a newline still counts.
func readAnswer(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return b.String(), nil
			}
			return "", err
		}
	}
}

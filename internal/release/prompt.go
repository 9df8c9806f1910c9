package release

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrQuit is the answer EXIT to the release menu.
var ErrQuit = errors.New("quit")

// Prompt shows iocage's numbered release menu on w and reads the choice
// from r: a number, a release name, Enter for def (the host's release,
// shown as "Not a RELEASE" when there is none) or EXIT.
func Prompt(r io.Reader, w io.Writer, rels []string, def string) (string, error) {
	for i, rel := range rels {
		fmt.Fprintf(w, "[%d] %s\n", i, rel)
	}
	shown := def
	if shown == "" {
		shown = "Not a RELEASE"
	}
	fmt.Fprintf(w, "Type the number of the desired RELEASE\nPress [Enter] to fetch the default selection: (%s)\nType EXIT to quit: ", shown)
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(w)
		if err == io.EOF {
			return "", errors.New("no answer on standard input; pass the release with -r")
		}
		return "", err
	}
	answer := strings.TrimSpace(line)
	switch {
	case strings.EqualFold(answer, "exit"):
		return "", ErrQuit
	case answer == "":
		if def == "" {
			return "", ErrInvalid
		}
		return def, nil
	}
	if n, err := strconv.Atoi(answer); err == nil {
		if n < 0 || n >= len(rels) {
			return "", ErrInvalid
		}
		return rels[n], nil
	}
	if ValidName(answer) {
		return answer, nil
	}
	return "", ErrInvalid
}

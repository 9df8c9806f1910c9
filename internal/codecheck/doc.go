// Package codecheck holds tests that read jcage's own source and hold it
// to the shape the rest of the tree is written in: no function longer
// than a screen and a half (funclen_test.go), and no command line built
// outside the argv builders, which themselves run nothing
// (argvliteral_test.go). It has no code of its own.
package codecheck

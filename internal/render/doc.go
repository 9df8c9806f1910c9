// Package render prints jcage's tables the way iocage does, so that scripts
// and eyes used to iocage see the same bytes.
//
// A Table is a list of Columns and rows of cell text. The same value
// renders three ways:
//
//   - FormatTable reproduces Python texttable 1.6 as iocage drives it
//     (Texttable(max_width=0), every column dtype "t"): a +---+ border,
//     a +===+ rule under the header, a +---+ rule after every row, headers
//     centred, cells left-aligned with one space either side, columns as
//     wide as their widest cell, and a trailing newline from iocage's
//     logger. Cell widths follow texttable's rules rather than a terminal's:
//     East Asian wide and fullwidth characters count 2, combining marks 0,
//     everything else 1; a tab advances to the next multiple of 8; "\n"
//     starts a new line inside the cell. Lines are passed through the same
//     textwrap logic texttable uses, so whitespace is trimmed and, with
//     MaxWidth set, text is wrapped exactly as Python would. An empty table
//     still draws its header.
//
//   - FormatTSV is iocage's -h: no header, one line per row, cells joined
//     by a tab, nothing quoted.
//
//   - FormatJSON is jcage's --json: one object, "schema_version"
//     (SchemaVersion) first, then Table.JSONFields, then the rows as an
//     array under Table.JSONKey, one object per row, keys in column order
//     and named by Column.Key (lowercase snake_case, the same names -s
//     accepts), two-space indented, ending in a newline. A cell becomes a
//     JSON value by its Column.JSON function when set, else by its Kind:
//     Text is the cell's string, Int and Number are numbers, Bool is
//     true/false for iocage's truthy spellings, and Int, Optional, Bool
//     and Number turn iocage's "no value" placeholders ("-", "None", "")
//     into null. A Column.Display function lets a row hold the exact
//     value (bytes, the full release) while the table and -h show
//     iocage's rendering of it. docs/json.md is the schema of every
//     command's document.
//
// The column sets for each iocage table (list, list -l, list -P, list -q,
// list -PR, list -r, df, snaplist, get -r, fstab -l) are in columns.go,
// headers copied from iocage. Table.Sort implements -s with iocage's key
// names and semantics, including the tie-break on NAME; see sort.go for
// where jcage deliberately orders better than iocage (release versions,
// IPv6, sizes, compression ratios).
//
// The golden files in testdata/ are regenerated with
//
//	go test ./internal/render -update
//
// except testdata/reference/ (tables pasted from iocage documentation) and
// testdata/texttable-oracle.json (tables drawn by Python texttable 1.6.7),
// which are evidence and never rewritten.
package render

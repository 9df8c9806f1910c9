package mirror

import (
	"archive/tar"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// groupNames are FreeBSD's names for the group ids the sets use.
var groupNames = map[int]string{0: "wheel", 2: "kmem", 4: "tty", 5: "operator", 6: "mail"}

const (
	gidTTY  = 4
	gidMail = 6
)

// node is one member of a distribution set before it is written.
type node struct {
	path  string // relative, no "./", no trailing slash
	typ   byte   // tar.TypeDir, tar.TypeReg or tar.TypeSymlink
	mode  int64
	gid   int
	data  []byte
	link  string // symlink target
	group string // hardlink group: members share one inode
	flags string // BSD file flags (SCHILY.fflags), e.g. "schg"
}

// setGID gives the node a group other than wheel.
func (n *node) setGID(gid int) *node { n.gid = gid; return n }

// schg marks the node system-immutable, as base.txz records for files like
// libc.so.7; extractors outside FreeBSD are expected to ignore it.
func (n *node) schg() *node { n.flags = "schg"; return n }

// tree collects the members of one set.
type tree struct {
	// prefix is put before every member name: "./" for sets made with
	// `tar cf - .` (base, lib32, kernel), "" for src.txz, which is made
	// with `tar cf - usr/src`.
	prefix string
	// tops are directories whose parents the set does not contain.
	tops  map[string]bool
	nodes map[string]*node
}

func newTree(prefix string, tops ...string) *tree {
	t := &tree{prefix: prefix, tops: map[string]bool{}, nodes: map[string]*node{}}
	for _, d := range tops {
		t.tops[d] = true
	}
	return t
}

func (t *tree) add(n *node) *node {
	if _, dup := t.nodes[n.path]; dup {
		panic("mirror: set member defined twice: " + n.path)
	}
	t.nodes[n.path] = n
	return n
}

func (t *tree) dir(p string, mode int64) *node {
	return t.add(&node{path: p, typ: tar.TypeDir, mode: mode})
}

func (t *tree) file(p string, mode int64, data []byte) *node {
	return t.add(&node{path: p, typ: tar.TypeReg, mode: mode, data: data})
}

func (t *tree) text(p string, mode int64, s string) *node {
	return t.file(p, mode, []byte(s))
}

func (t *tree) symlink(p, target string) *node {
	return t.add(&node{path: p, typ: tar.TypeSymlink, mode: 0o755, link: target})
}

// hardlinks adds paths as names of one file. Whichever name sorts first is
// archived as the file; the others become hardlinks to it, as bsdtar does.
func (t *tree) hardlinks(mode int64, data []byte, paths ...string) []*node {
	var ns []*node
	for _, p := range paths {
		ns = append(ns, t.add(&node{path: p, typ: tar.TypeReg, mode: mode, data: data, group: paths[0]}))
	}
	return ns
}

// complete adds missing parent directories with the usual 0755.
func (t *tree) complete() {
	for _, n := range t.list() {
		for d := path.Dir(n.path); d != "." && !t.tops[d]; d = path.Dir(d) {
			if _, ok := t.nodes[d]; !ok {
				t.dir(d, 0o755)
			}
		}
	}
}

func (t *tree) list() []*node {
	ns := make([]*node, 0, len(t.nodes))
	for _, n := range t.nodes {
		ns = append(ns, n)
	}
	return ns
}

// lessPath orders paths depth-first: a directory, then everything in it.
func lessPath(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// member is one archive header and its body, ready to write.
type member struct {
	hdr  *tar.Header
	data []byte
}

// members returns the archive in order, hardlinks resolved.
func (t *tree) members(mtime time.Time) []member {
	t.complete()
	ns := t.list()
	sort.Slice(ns, func(i, j int) bool { return lessPath(ns[i].path, ns[j].path) })

	var out []member
	if t.prefix == "./" {
		out = append(out, member{hdr: t.header(&node{typ: tar.TypeDir, mode: 0o755}, "./", mtime)})
	}
	firstOf := map[string]string{} // hardlink group -> archived name
	for _, n := range ns {
		name := t.prefix + n.path
		if n.typ == tar.TypeDir {
			name += "/"
		}
		h := t.header(n, name, mtime)
		m := member{hdr: h}
		switch {
		case n.group != "" && firstOf[n.group] != "":
			h.Typeflag = tar.TypeLink
			h.Linkname = firstOf[n.group]
			h.Size = 0
		case n.typ == tar.TypeReg:
			if n.group != "" {
				firstOf[n.group] = name
			}
			m.data = n.data
		}
		out = append(out, m)
	}
	return out
}

func (t *tree) header(n *node, name string, mtime time.Time) *tar.Header {
	h := &tar.Header{
		Typeflag: n.typ,
		Name:     name,
		Linkname: n.link,
		Mode:     n.mode,
		Uid:      0,
		Gid:      n.gid,
		Uname:    "root",
		Gname:    groupNames[n.gid],
		ModTime:  mtime,
	}
	if h.Gname == "" {
		panic(fmt.Sprintf("mirror: no group name for gid %d", n.gid))
	}
	if n.typ == tar.TypeReg {
		h.Size = int64(len(n.data))
	}
	if n.flags != "" {
		h.PAXRecords = map[string]string{"SCHILY.fflags": n.flags}
		h.Format = tar.FormatPAX
	}
	return h
}

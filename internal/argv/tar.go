package argv

// TarExtract is the system tar extracting the uncompressed archive on
// stdin into root, restoring everything a release needs: modes with
// setuid and setgid bits, owners by number (the jail's /etc/group, not
// the host's, gives them names), hardlinks, symlinks and, with bsdtar on
// FreeBSD, file flags such as schg. Both tars refuse absolute and ".."
// members on their own too.
func TarExtract(goos, root string, asRoot bool) Cmd {
	if goos == "freebsd" {
		// bsdtar restores owners and file flags by default as root;
		// saying so keeps a non-default tar.conf from changing that.
		return Cmd{Name: "tar", Args: []string{"-x", "-p", "--fflags", "--numeric-owner", "-f", "-", "-C", root}}
	}
	// GNU tar writes each file in pieces of at most one record (10 KiB
	// by default); 128 KiB records make far fewer, larger writes, which
	// halves the extraction time on a FUSE-mounted ZFS. From a pipe it
	// reads whole records, as -B would. It does not know SCHILY.fflags
	// and would warn once per member.
	args := []string{"-x", "-b", "256", "-p", "--numeric-owner"}
	if asRoot {
		args = append(args, "--same-owner")
	}
	return Cmd{Name: "tar", Args: append(args, "--warning=no-unknown-keyword", "-f", "-", "-C", root)}
}

// TarExtractMember extracts the one member (a path relative to the
// archive's root) from archive into dir.
func TarExtractMember(archive, dir, member string) Cmd {
	return Cmd{Name: "tar", Args: []string{"-x", "-f", archive, "-C", dir, "./" + member}}
}

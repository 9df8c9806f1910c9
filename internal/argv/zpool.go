package argv

// ZpoolComments is `zpool get -H -o name,value comment`: every pool's
// comment, the old iocage marker (comment=iocage).
func ZpoolComments() Cmd {
	return Cmd{Name: "zpool", Args: []string{"get", "-H", "-o", "name,value", "comment"}}
}

// ZpoolClearComment is `zpool set comment=- POOL`: what iocage leaves
// when it moves a pool from the comment marker to the dataset property.
func ZpoolClearComment(pool string) Cmd {
	return Cmd{Name: "zpool", Args: []string{"set", "comment=-", pool}}
}

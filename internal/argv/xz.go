package argv

// XzDecompress is xz(1) turning a set back into a tar stream: stdin to
// stdout, on every core where the set has several blocks.
func XzDecompress() Cmd { return Cmd{Name: "xz", Args: []string{"-d", "-c", "-T0"}} }

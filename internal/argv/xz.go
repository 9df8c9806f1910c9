package argv

// XzDecompress is xz(1) turning a set back into a tar stream: stdin to
// stdout, on every core where the set has several blocks.
func XzDecompress() Cmd { return Cmd{Name: "xz", Args: []string{"-d", "-c", "-T0"}} }

// XzCompress is `xz -z -c`: stdin compressed to stdout at xz's default
// level, as Python's tarfile (and so iocage) writes an export.
func XzCompress() Cmd { return cmd("xz", "-z", "-c") }

// XzDecompressSerial is `xz -d -c`: stdin decompressed to stdout on one
// core, as an import reads an export.
func XzDecompressSerial() Cmd { return cmd("xz", "-d", "-c") }

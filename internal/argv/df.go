package argv

// DfHuman is `df -h`: every mounted file system, sizes in human units
// (debug's host section).
func DfHuman() Cmd { return Cmd{Name: "df", Args: []string{"-h"}} }

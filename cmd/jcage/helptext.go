package main

// descriptions is the DESCRIPTION section of each command's --help, for
// the commands whose file does not carry its own. jcage(8) says the same
// at more length.
var descriptions = map[string]string{
	"activate": "Marks ZPOOL with org.freebsd.ioc:active=yes and every other pool with no, then\n" +
		"creates what is missing of ZPOOL/iocage (download, images, jails, log, releases,\n" +
		"templates). Without an active pool, the first command run as root activates the\n" +
		"first usable pool, as iocage does. JCAGE_POOL overrides the marker.",
	"clean": "Destroys every dataset of the kinds named, after one question (-f skips it):\n" +
		"-j every jail, -r every release and download, -t every template, -i every\n" +
		"exported image, -d the debug directory, -a all of POOL/iocage.",
	"clone": "Clones the stopped jail SOURCE into a new jail from a snapshot of its\n" +
		"datasets (a full copy with -T), with a new UUID and hostid, the properties given\n" +
		"as PROP=VALUE set on the copy, and new MAC addresses with -N. -c N makes N\n" +
		"clones, NAME_1 to NAME_N. An interrupted clone leaves nothing behind.",
	"console": "Runs login -p with the jail's login_flags inside the running jail, on the\n" +
		"terminal. -f starts a stopped jail first.",
	"create": "Creates a jail from a fetched RELEASE (-r; fetched first when missing), from a\n" +
		"template (-t) or empty (-e): a ZFS clone by default, a full copy with -T, a base\n" +
		"jail whose system directories are mounted read-only from the release with -b.\n" +
		"PROP=VALUE arguments set properties; boot=on also starts the jail; -p installs\n" +
		"packages. -c N makes N jails, NAME_1 to NAME_N. An interrupted create leaves\n" +
		"nothing behind.",
	"destroy": "Destroys jails, after a question unless -f, which also stops a running jail\n" +
		"first. A jail that other jails were cloned from is refused unless -R destroys\n" +
		"them too. A name never matches another by prefix: destroy foo leaves foobar\n" +
		"alone. With -r, destroys fetched releases (and their downloads with -d).",
	"df": "Shows for each jail its compression ratio, reservation, quota, the space it\n" +
		"uses and the space available, read in one zfs call over the iocage tree.",
	"exec": "Runs COMMAND inside the running JAIL with jexec, as root or as -U USER of the\n" +
		"jail (-u USER of the host), with the jail's exec_fib. Everything after JAIL\n" +
		"belongs to COMMAND, options included; one argument is a shell command line.\n" +
		"With exec_clean=1 the command gets a clean environment. -f starts a stopped\n" +
		"jail first. ALL runs COMMAND in every jail in turn, by name; a jail that fails\n" +
		"is reported, the others go on, and the exit status is 1.",
	"get": "Prints a property of a jail (or of the defaults, as JAIL \"default\"): its\n" +
		"value as set get prints it, every property with -a, the property of every jail\n" +
		"with -r, the state with -s, the JID with -j, the active pool with -p. -h prints\n" +
		"tab-separated rows without a header; --json a typed document (jcage(8)).",
	"list": "Lists jails in iocage's table: JID, name, state, release and IPv4 address, the\n" +
		"long table with -l, templates with -t, base jails with -B, fetched releases with\n" +
		"-r, names and addresses read from the configs alone with -q. -s sorts by a\n" +
		"column; -h prints tab-separated rows; --json a typed document (jcage(8)).",
	"migrate": "Converts every basejail of iocage_legacy's development version (a config.json\n" +
		"with a tag and type=basejail) into a jail cloned from its release, named after\n" +
		"the tag: the old jail moves to POOL/iocage/jails_old, the new one gets its\n" +
		"config.json, fstab and files. Each jail is checked first and converted in one\n" +
		"transaction. -d destroys the old datasets, -f skips the question.",
	"pkg": "Runs the host's pkg -j JID with the arguments given, on the running jail, which\n" +
		"needs an address to reach the repositories. ALL runs it on every jail in turn, as\n" +
		"exec ALL does.",
	"rename": "Renames a stopped jail: its datasets, its config.json and its fstab entries\n" +
		"follow, in one transaction.",
	"restart": "Stops then starts each jail named (or ALL). With -s the jail keeps running:\n" +
		"exec_stop, every process killed, exec_start.",
	"rollback": "Rolls every dataset of a stopped jail back to the snapshot NAME, destroying\n" +
		"the snapshots taken after it, which are listed before the question (-f skips\n" +
		"it). A newer snapshot with clones is refused.",
	"set": "Sets properties of a jail, or of the defaults with JAIL \"default\". Each value is\n" +
		"checked before anything is written; on a running jail, jail(8) parameters are\n" +
		"changed at once with jail -m, RCTL limits with rctl, ZFS properties with zfs\n" +
		"set; others apply at the next start. template=yes turns a stopped jail into a\n" +
		"template (no turns it back).",
	"snaplist": "Lists the snapshots of a jail (every jail with ALL): name, creation time,\n" +
		"referenced size and used size, each snapshot of the jail and of its root. -l\n" +
		"shows full dataset names. -h prints tab-separated rows; --json a typed document.",
	"snapremove": "Destroys the snapshot NAME of a jail's datasets (every jail with ALL); -n ALL\n" +
		"destroys every snapshot and needs -f. A snapshot with clones is skipped unless\n" +
		"-R destroys the clones too.",
	"snapshot": "Takes a recursive snapshot of the jail's datasets named NAME (the UTC time by\n" +
		"default); ALL snapshots every jail with one name.",
	"start": "Starts each jail named (by name or unique prefix), every jail with ALL, or the\n" +
		"jails with boot=on with --rc: writes /var/run/jail.ioc-NAME.conf, runs the\n" +
		"hooks, creates the jail with jail(8), sets up its network, devfs ruleset, RCTL\n" +
		"limits and cpuset. A failed start leaves no half-started jail. Jails of one\n" +
		"priority start in parallel, up to -j at once; depends are started first.",
	"stop": "Stops each jail named, every jail with ALL, or the jails with boot=on with\n" +
		"--rc, highest priority first: exec_prestop, exec_stop, the network and devfs\n" +
		"ruleset torn down, jail -r, exec_poststop, the mounts unmounted. -f skips the\n" +
		"jail's own stop commands.",
	"update": "Runs the release's freebsd-update against a jail (ALL: every jail) to bring it\n" +
		"to the latest patch level of its release, after a snapshot\n" +
		"ioc_update_RELEASE_DATE that a failure rolls back to. A thin jail's release is\n" +
		"updated first. -P also updates the jail's packages.",
	"upgrade": "Runs freebsd-update upgrade -r RELEASE against a jail to bring it to a newer\n" +
		"RELEASE (a base jail is pointed at the fetched RELEASE instead), after a\n" +
		"snapshot that a failure rolls back to. ALL upgrades every jail in turn, as exec\n" +
		"ALL runs.",
}

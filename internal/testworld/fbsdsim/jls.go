package fbsdsim

import (
	"fmt"
	"strconv"
	"strings"
)

func init() { register("jls", jlsTool) }

const jlsUsage = "usage: jls [-dhNnqv] [-j jail] [param ...]"

const (
	jlsDefault = 1 << iota
	jlsHeader
	jlsNameVal
	jlsQuoted
	jlsSkip
	jlsVerbose
	jlsJailName
)

// jlsTool simulates jls(8), including its libxo JSON output
// (freebsd-interfaces.md §2). Dying jails never exist here, so -d changes
// nothing.
func jlsTool(e *Env) int {
	style, pretty, args, xmsg := splitLibxo(e.Args)
	if xmsg != "" {
		return e.Errorf(1, "%s", xmsg)
	}
	opts, rest, msg := bsdGetopt(args, "adj:hNnqsv")
	if msg != "" {
		e.Errorf(0, "%s", msg)
		return e.Errorf(1, "%s", jlsUsage)
	}
	flags := 0
	jsel := ""
	for _, o := range opts {
		switch o.Flag {
		case 'j':
			jsel = o.Arg
		case 'h':
			flags = flags&^(jlsSkip|jlsVerbose) | jlsHeader
		case 'N':
			flags |= jlsJailName
		case 'n':
			flags = flags&^jlsVerbose | jlsNameVal
		case 'q':
			flags |= jlsQuoted
		case 's':
			flags = flags&^(jlsHeader|jlsVerbose) | jlsNameVal | jlsQuoted | jlsSkip
		case 'v':
			flags = flags&^(jlsHeader|jlsNameVal|jlsSkip) | jlsVerbose
		}
	}
	var params []string
	addParam := func(n string) string {
		if n == "all" {
			for _, a := range allParamNames() {
				if !hasString(params, a) {
					params = append(params, a)
				}
			}
			return ""
		}
		if kernelParam(n) == nil {
			return "unknown parameter: " + n
		}
		if !hasString(params, n) {
			params = append(params, n)
		}
		return ""
	}
	if len(rest) == 0 {
		switch {
		case flags&(jlsHeader|jlsNameVal) != 0:
			addParam("all")
		case flags&jlsVerbose != 0:
		default:
			flags |= jlsDefault
		}
	} else {
		flags &^= jlsVerbose
		for _, n := range rest {
			if m := addParam(n); m != "" {
				return e.Errorf(1, "%s", m)
			}
		}
	}
	var jails []*simJail
	var notFound string
	if err := e.viewWorld(func(w *simWorld) {
		if jsel == "" {
			jails = w.jails().sorted()
			return
		}
		var j *simJail
		if n, err := strconv.Atoi(jsel); err == nil && n > 0 {
			j = w.jails().byJID(n)
			if j == nil {
				notFound = fmt.Sprintf("jail %d not found", n)
			}
		} else {
			j = w.jails().byName(jsel)
			if j == nil {
				notFound = fmt.Sprintf("jail \"%s\" not found", jsel)
			}
		}
		if j != nil {
			jails = []*simJail{j}
		}
	}); err != nil {
		return e.stateError(err)
	}
	json := style == "json"
	if notFound != "" {
		if !json && flags&jlsHeader != 0 {
			fmt.Fprintln(e.Stdout, strings.Join(params, " "))
		}
		return e.Errorf(1, "%s", notFound)
	}
	if json {
		items := make([]string, len(jails))
		for i, j := range jails {
			items[i] = jlsJSON(j, flags, params)
		}
		doc := `{"__version": "2", "jail-information": {"jail": [` + strings.Join(items, ", ") + `]}}`
		if pretty {
			doc = xoPretty(doc)
		}
		fmt.Fprintln(e.Stdout, doc)
		return 0
	}
	out := e.Stdout
	switch {
	case flags&jlsVerbose != 0:
		fmt.Fprintln(out, "   JID  Hostname                      Path")
		fmt.Fprintln(out, "        Name                          State")
		fmt.Fprintln(out, "        CPUSetID")
		fmt.Fprintln(out, "        IP Address(es)")
	case flags&jlsDefault != 0 && flags&jlsJailName != 0:
		fmt.Fprintln(out, " JID             IP Address      Hostname                      Path")
	case flags&jlsDefault != 0:
		fmt.Fprintln(out, "   JID  IP Address      Hostname                      Path")
	case flags&jlsHeader != 0:
		fmt.Fprintln(out, strings.Join(params, " "))
	}
	for _, j := range jails {
		p := j.Params
		switch {
		case flags&jlsVerbose != 0:
			fmt.Fprintf(out, "%6d  %-29.29s %.74s\n", j.JID, p["host.hostname"], p["path"])
			fmt.Fprintf(out, "        %-29.29s %.74s\n", j.Name, "ACTIVE")
			fmt.Fprintf(out, "        %d\n", j.CpusetID)
			for _, a := range splitList(p["ip4.addr"]) {
				fmt.Fprintf(out, "        %s\n", a)
			}
			for _, a := range splitList(p["ip6.addr"]) {
				fmt.Fprintf(out, "        %s\n", a)
			}
		case flags&jlsDefault != 0:
			ip := ""
			if l := splitList(p["ip4.addr"]); len(l) > 0 {
				ip = l[0]
			}
			if flags&jlsJailName != 0 {
				fmt.Fprintf(out, " %-15s ", j.Name)
			} else {
				fmt.Fprintf(out, "%6d  ", j.JID)
			}
			fmt.Fprintf(out, "%-15.15s %-29.29s %.74s\n", ip, p["host.hostname"], p["path"])
		default:
			var fields []string
			for _, n := range params {
				if jlsSkipped(j, n, flags) {
					continue
				}
				fields = append(fields, jlsText(j, n, flags))
			}
			fmt.Fprintln(out, strings.Join(fields, " "))
		}
	}
	return 0
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// jlsValue returns a parameter's exported value.
func jlsValue(j *simJail, n string) string {
	switch n {
	case "jid":
		return strconv.Itoa(j.JID)
	case "name":
		return j.Name
	case "cpuset.id":
		return strconv.Itoa(j.CpusetID)
	}
	return j.Params[n]
}

// jlsSkipped implements -s: only writable parameters, and none under a
// jailsys parameter that is not "new".
func jlsSkipped(j *simJail, n string, flags int) bool {
	if flags&jlsSkip == 0 {
		return false
	}
	d := kernelParam(n)
	if d == nil || d.ro {
		return true
	}
	if i := strings.IndexByte(n, '.'); i >= 0 {
		if pd := kernelParam(n[:i]); pd != nil && pd.typ == jpJailsys && jlsValue(j, n[:i]) != "new" {
			return true
		}
	}
	return false
}

func jlsText(j *simJail, n string, flags int) string {
	d := kernelParam(n)
	v := jlsValue(j, n)
	if flags&jlsNameVal != 0 && d.typ == jpBool {
		return jailNameVal(n, v)
	}
	prefix := ""
	if flags&jlsNameVal != 0 {
		prefix = n + "="
	}
	if d.typ == jpIPv4 || d.typ == jpIPv6 {
		if v == "" {
			// An empty list has no value at all.
			switch {
			case flags&jlsQuoted != 0:
				return prefix + `""`
			case flags&jlsNameVal != 0:
				return prefix
			}
			return "-"
		}
		return prefix + v
	}
	if v == "" {
		return prefix + `""`
	}
	if flags&jlsQuoted != 0 {
		var qc string
		switch {
		case strings.ContainsRune(v, '\''):
			qc = `"`
		case strings.ContainsRune(v, '"'):
			qc = `'`
		case strings.ContainsAny(v, " \t"):
			qc = `"`
		}
		return prefix + qc + v + qc
	}
	return prefix + v
}

func jlsJSON(j *simJail, flags int, params []string) string {
	var o xoObject
	p := j.Params
	switch {
	case flags&jlsVerbose != 0:
		o.num("jid", j.JID)
		o.str("hostname", p["host.hostname"])
		o.str("path", p["path"])
		o.str("name", j.Name)
		o.str("state", "ACTIVE")
		o.num("cpusetid", j.CpusetID)
		o.list("ipv4_addrs", nonNil(splitList(p["ip4.addr"])))
		o.list("ipv6_addrs", nonNil(splitList(p["ip6.addr"])))
	case flags&jlsDefault != 0:
		if flags&jlsJailName != 0 {
			o.str("name", j.Name)
		} else {
			o.num("jid", j.JID)
		}
		ip := ""
		if l := splitList(p["ip4.addr"]); len(l) > 0 {
			ip = l[0]
		}
		o.str("ipv4", ip)
		o.str("hostname", p["host.hostname"])
		o.str("path", p["path"])
	default:
		for _, n := range params {
			if jlsSkipped(j, n, flags) {
				continue
			}
			d := kernelParam(n)
			v := jlsValue(j, n)
			switch {
			case flags&jlsNameVal != 0 && d.typ == jpBool:
				o.boolean(n, v == "true")
			case d.typ == jpIPv4 || d.typ == jpIPv6:
				o.list(n, nonNil(splitList(v)))
			default:
				o.str(n, v)
			}
		}
	}
	return o.String()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

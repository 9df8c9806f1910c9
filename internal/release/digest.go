package release

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// digestAuth answers an HTTP Digest challenge (RFC 7616, the scheme
// iocage's --auth digest uses through requests): MD5 or SHA-256, plain or
// -sess, with qop=auth or without qop.
type digestAuth struct {
	user, password       string
	realm, nonce, opaque string
	algorithm, qop       string
	nc                   int
	newHash              func() hash.Hash
	sess                 bool
	cnonce               func() string
}

// parseDigestChallenge picks the first Digest challenge among the
// WWW-Authenticate values.
func parseDigestChallenge(values []string, user, password string) (*digestAuth, error) {
	for _, v := range values {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Digest") {
			continue
		}
		p := parseAuthParams(rest)
		d := &digestAuth{user: user, password: password, realm: p["realm"], nonce: p["nonce"], opaque: p["opaque"], algorithm: p["algorithm"]}
		if d.nonce == "" {
			return nil, errors.New("digest challenge without a nonce")
		}
		alg := strings.ToUpper(d.algorithm)
		switch alg {
		case "", "MD5", "MD5-SESS":
			d.newHash = md5.New
		case "SHA-256", "SHA-256-SESS":
			d.newHash = sha256.New
		default:
			return nil, fmt.Errorf("unsupported digest algorithm %q", d.algorithm)
		}
		d.sess = strings.HasSuffix(alg, "-SESS")
		if q := p["qop"]; q != "" {
			for _, o := range strings.Split(q, ",") {
				if strings.TrimSpace(o) == "auth" {
					d.qop = "auth"
				}
			}
			if d.qop == "" {
				return nil, fmt.Errorf("unsupported digest qop %q", q)
			}
		}
		d.cnonce = randomCnonce
		return d, nil
	}
	return nil, errors.New("the server did not offer digest authentication")
}

func randomCnonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *digestAuth) h(s string) string {
	x := d.newHash()
	x.Write([]byte(s))
	return hex.EncodeToString(x.Sum(nil))
}

// header computes the Authorization header for one request; each call
// uses the next nonce count.
func (d *digestAuth) header(method, uri string) string {
	d.nc++
	nc := fmt.Sprintf("%08x", d.nc)
	cnonce := d.cnonce()
	ha1 := d.h(d.user + ":" + d.realm + ":" + d.password)
	if d.sess {
		ha1 = d.h(ha1 + ":" + d.nonce + ":" + cnonce)
	}
	ha2 := d.h(method + ":" + uri)
	var resp string
	if d.qop != "" {
		resp = d.h(strings.Join([]string{ha1, d.nonce, nc, cnonce, d.qop, ha2}, ":"))
	} else {
		resp = d.h(ha1 + ":" + d.nonce + ":" + ha2)
	}
	parts := []string{
		fmt.Sprintf("username=%q", d.user),
		fmt.Sprintf("realm=%q", d.realm),
		fmt.Sprintf("nonce=%q", d.nonce),
		fmt.Sprintf("uri=%q", uri),
		fmt.Sprintf("response=%q", resp),
	}
	if d.algorithm != "" {
		parts = append(parts, "algorithm="+d.algorithm)
	}
	if d.qop != "" {
		parts = append(parts, "qop="+d.qop, "nc="+nc, fmt.Sprintf("cnonce=%q", cnonce))
	}
	if d.opaque != "" {
		parts = append(parts, fmt.Sprintf("opaque=%q", d.opaque))
	}
	return "Digest " + strings.Join(parts, ", ")
}

// parseAuthParams splits `k=v, k="quoted, value"` lists.
func parseAuthParams(s string) map[string]string {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimSpace(s[eq+1:])
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			val = b.String()
			s = s[min(i+1, len(s)):]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val = strings.TrimSpace(s[:end])
			s = s[end:]
		}
		out[key] = val
		s = strings.TrimLeft(s, ", \t")
	}
	return out
}

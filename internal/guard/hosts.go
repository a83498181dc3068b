package guard

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// hostPolicy decides which Host headers the management plane answers:
// loopback names and addresses, the listen address (every local address
// when it is unspecified, e.g. 0.0.0.0), and the allowed-hosts entries.
// Only the host name counts, not the port: a DNS-rebinding page names
// its own host, whatever the port.
type hostPolicy struct {
	listen  map[string]bool // the listen address's names, lower-case
	names   map[string]bool // --allowed-hosts names and addresses
	domains []string        // --allowed-hosts ".example.com" entries
}

func newHostPolicy(listen string, allowed []string) (hostPolicy, error) {
	p := hostPolicy{listen: map[string]bool{}, names: map[string]bool{}}
	if listen != "" {
		h, _, err := net.SplitHostPort(listen)
		if err != nil {
			return p, fmt.Errorf("listen address %q: %w", listen, err)
		}
		if ip, err := netip.ParseAddr(h); (err == nil && ip.IsUnspecified()) || h == "" {
			// Listening everywhere: the machine's own addresses name it.
			addrs, _ := net.InterfaceAddrs()
			for _, a := range addrs {
				if pfx, err := netip.ParsePrefix(a.String()); err == nil {
					p.listen[pfx.Addr().WithZone("").String()] = true
				}
			}
		} else {
			p.listen[normalizeHost(h)] = true
		}
	}
	for _, entry := range allowed {
		for e := range strings.SplitSeq(entry, ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if h, _, err := net.SplitHostPort(e); err == nil {
				e = h
			}
			e = normalizeHost(e)
			if strings.HasPrefix(e, ".") {
				if len(e) == 1 {
					return p, fmt.Errorf("--allowed-hosts: %q is not a domain", entry)
				}
				p.domains = append(p.domains, e)
				continue
			}
			p.names[e] = true
		}
	}
	return p, nil
}

// normalizeHost lower-cases a host name, drops a trailing dot and the
// brackets of an IPv6 literal, and writes addresses in canonical form.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), "."))
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	return h
}

// hostName is the host part of a Host header (without port or brackets).
func hostName(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return normalizeHost(h)
	}
	return normalizeHost(hostport)
}

func (p hostPolicy) allowed(hostport string) bool {
	h := hostName(hostport)
	if h == "" {
		return false
	}
	return isLoopbackName(h) || p.listen[h] || p.explicitlyAllowed(h)
}

// explicitlyAllowed reports whether h is an --allowed-hosts entry (used
// for Origins: a proxy's public name may differ from the Host it sends).
func (p hostPolicy) explicitlyAllowed(hostport string) bool {
	h := hostName(hostport)
	if p.names[h] {
		return true
	}
	for _, d := range p.domains {
		if h == d[1:] || strings.HasSuffix(h, d) {
			return true
		}
	}
	return false
}

// isLoopbackName: localhost, *.localhost (RFC 6761 reserves them for
// loopback), 127.0.0.0/8 and ::1.
func isLoopbackName(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// IsLoopbackAddr reports whether a listen address (host:port) accepts
// connections only from this machine.
func IsLoopbackAddr(addr string) bool {
	h, _, err := net.SplitHostPort(addr)
	if err != nil || h == "" {
		return false
	}
	return isLoopbackName(normalizeHost(h)) && !strings.HasSuffix(normalizeHost(h), ".localhost")
}

// CheckExposure refuses developer mode (no credentials) on listeners
// other machines can reach, unless insecure is set. listeners maps each
// address to the flag it came from.
func CheckExposure(listeners [][2]string, credentials, insecure bool) error {
	if credentials || insecure {
		return nil
	}
	for _, l := range listeners {
		addr, flag := l[0], l[1]
		if addr == "" || IsLoopbackAddr(addr) {
			continue
		}
		return fmt.Errorf("refusing to serve without authentication on %s (%s), which is not a loopback address: "+
			"anyone who can reach it could reconfigure the gateway. Pass --credentials FILE (an AWS shared-credentials "+
			"file; management requests must then be SigV4-signed with one of its keys), listen on 127.0.0.1, "+
			"or pass --insecure-no-auth to accept unauthenticated requests anyway", addr, flag)
	}
	return nil
}

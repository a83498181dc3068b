package main

import (
	"flag"
	"strings"

	"github.com/stagecoach/stagecoach/internal/guard"
	"github.com/stagecoach/stagecoach/internal/server"
)

// securityFlags are serve's authentication flags.
type securityFlags struct {
	insecureNoAuth bool
}

func (s *securityFlags) register(fs *flag.FlagSet, cfg *server.Config) {
	fs.StringVar(&cfg.Credentials, "credentials", "", "AWS shared-credentials file ([name] sections with aws_access_key_id, aws_secret_access_key): management requests must be SigV4-signed by one of its keys and the console asks for one")
	fs.Func("allowed-hosts", "Host names (comma-separated, repeatable; \".example.com\" for a domain) the management API and console answer for, beyond loopback names and the listen address", func(v string) error {
		cfg.AllowedHosts = append(cfg.AllowedHosts, strings.Split(v, ",")...)
		return nil
	})
	fs.BoolVar(&s.insecureNoAuth, "insecure-no-auth", false, "allow serving without --credentials on non-loopback addresses (anyone who can reach them can reconfigure the gateway)")
}

// check refuses developer mode on a listener other machines can reach.
// listeners pairs each address with its flag name.
func (s *securityFlags) check(cfg *server.Config, listeners [][2]string) error {
	return guard.CheckExposure(listeners, cfg.Credentials != "", s.insecureNoAuth)
}

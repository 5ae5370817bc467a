// A minimal step-ca for certflow's integration tests: loads a ca.json and serves it, as
// upstream's cmd/step-ca does, from the library sources Debian packages
// (golang-github-smallstep-certificates-dev). Built in GOPATH mode by test/support/step-ca.ts.
//
// Usage: step-ca-test <ca.json>
// STEPCA_TEST_RESOLVER=HOST:PORT sends every DNS lookup (A, AAAA, TXT) to that server, as
// upstream's --resolver flag does; STEPCA_TEST_PASSWORD decrypts the intermediate key if it is
// encrypted.
package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/smallstep/certificates/authority/config"
	"github.com/smallstep/certificates/ca"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: step-ca-test <ca.json>")
		os.Exit(2)
	}
	configFile := os.Args[1]

	if resolver := os.Getenv("STEPCA_TEST_RESOLVER"); resolver != "" {
		net.DefaultResolver = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var dialer net.Dialer
				return dialer.DialContext(ctx, network, resolver)
			},
		}
	}

	cfg, err := config.LoadConfiguration(configFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loading the configuration:", err)
		os.Exit(1)
	}
	authority, err := ca.New(cfg,
		ca.WithConfigFile(configFile),
		ca.WithPassword([]byte(os.Getenv("STEPCA_TEST_PASSWORD"))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the CA:", err)
		os.Exit(1)
	}
	if err := authority.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "serving:", err)
		os.Exit(1)
	}
}

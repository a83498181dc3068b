// Command stagecoach is a self-hosted, AWS API Gateway (REST API)
// compatible gateway built around stages.
//
//	stagecoach serve [--listen 127.0.0.1:4566] [--data-dir ./.stagecoach]
//	stagecoach version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command: it parses args, runs the subcommand and
// returns the exit status (0 success, 1 failure, 2 usage error), writing
// only to stdout and stderr, so tests drive it like a shell does.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		opts, code, ok := parseServe(args[1:], stdout, stderr)
		if !ok {
			return code
		}
		if err := serve(ctx, opts, stderr); err != nil {
			fmt.Fprintln(stderr, "stagecoach:", err)
			return 1
		}
		return 0
	case "version", "--version", "-version", "-v":
		fmt.Fprintln(stdout, "stagecoach", version)
		return 0
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "stagecoach: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  stagecoach serve [flags]   run the gateway (see 'stagecoach serve --help')
  stagecoach version         print the version (also --version, -version)`)
}

// Command stagecoach is a self-hosted, AWS API Gateway (REST API)
// compatible gateway built around stages.
//
//	stagecoach serve [--listen 127.0.0.1:4566] [--data-dir ./.stagecoach]
//	stagecoach version
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		if err := serve(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "stagecoach:", err)
			os.Exit(1)
		}
	case "version", "--version", "-v":
		fmt.Println("stagecoach", version)
	case "help", "-h", "--help":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "stagecoach: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  stagecoach serve [flags]   run the gateway (see 'stagecoach serve -h')
  stagecoach version         print the version`)
}

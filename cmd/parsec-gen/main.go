package main

import (
	"os"

	"github.com/parsec-gen/parsec-gen/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }

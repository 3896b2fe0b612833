// Command bert2gpt is the command-line face of the library: training, generation and inspection.
//
//	bert2gpt backend     print which GoMLX backend would be used on this machine, and why
//
// More subcommands (gpt train, gpt generate, bert pretrain, …) arrive with the models.
package main

import (
	"fmt"
	"os"

	"github.com/bert2gpt/bert2gpt/backend"
)

const usage = `usage: bert2gpt <command> [flags]

commands:
  backend   print which GoMLX backend would be used on this machine, and why
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "backend":
		fmt.Println(backend.Select())
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "bert2gpt: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

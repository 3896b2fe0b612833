// Command bert2gpt is the command-line face of the library: training, generation and inspection.
//
//	bert2gpt backend              print which GoMLX backend would be used on this machine, and why
//	bert2gpt gpt  <subcommand>    GPT: train, eval, generate (see `bert2gpt gpt -h`)
//	bert2gpt bert <subcommand>    BERT: pretrain, finetune, eval, fill-mask (see `bert2gpt bert -h`)
//
// Each command group lives in its own file and registers itself in commands (see register).
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// command is one top-level command: `bert2gpt <name> args…`.
type command struct {
	summary string
	run     func(args []string) error // returns an error to print; flag errors are reported by the flag package
}

var commands = map[string]command{}

// register adds a top-level command; called from init functions of the command files.
func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: bert2gpt <command> [flags]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-9s %s\n", n, commands[n].summary)
	}
	return b.String()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage())
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "--help" || name == "help" {
		fmt.Print(usage())
		return
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "bert2gpt: unknown command %q\n\n%s", name, usage())
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "bert2gpt %s: %v\n", name, err)
		os.Exit(1)
	}
}

// Command bert2gpt is the command-line face of the library: training, generation and inspection.
//
//	bert2gpt backend              print which GoMLX backend would be used on this machine, and why
//	bert2gpt gpt  <subcommand>    GPT: train, eval, generate (see `bert2gpt gpt -h`)
//	bert2gpt bert <subcommand>    BERT: pretrain, finetune, eval, fill-mask (see `bert2gpt bert -h`)
//	bert2gpt embed --model M      sentence embeddings (JSON) with a pretrained BERT: a directory or a
//	                              hub id such as sentence-transformers/all-MiniLM-L6-v2
//
// Each command group lives in its own file and registers itself in commands (see register).
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/bert2gpt/bert2gpt/backend"
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

// subcommand is one entry of a command group such as `bert2gpt gpt <subcommand>`.
type subcommand struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

// group is a command with subcommands (gpt, bert).
type group struct {
	name string
	subs map[string]subcommand
}

func (g group) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: bert2gpt %s <subcommand> [flags]   (bert2gpt %s <subcommand> -h for its flags)\n\nsubcommands:\n", g.name, g.name)
	names := make([]string, 0, len(g.subs))
	for n := range g.subs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, g.subs[n].summary)
	}
	return b.String()
}

// run dispatches args[0] to its subcommand; help flags print the usage.
func (g group) run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("missing subcommand\n\n%s", g.usage())
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, g.usage())
		return nil
	}
	sub, ok := g.subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown subcommand %q\n\n%s", args[0], g.usage())
	}
	return sub.run(args[1:], stdout)
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
	// The command builds only the library's own graphs, which `make test` checks with oneDNN matrix
	// products on, so it takes the faster XLA CPU setting unless the user chose (see backend.EnvXLAOneDNN).
	if _, chosen := os.LookupEnv(backend.EnvXLAOneDNN); !chosen {
		os.Setenv(backend.EnvXLAOneDNN, "1")
	}
	if err := runCommand(cmd, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "bert2gpt %s: %v\n", name, err)
		os.Exit(1)
	}
}

// runCommand runs cmd and turns a panic into an error, so that a user never sees a raw stack
// trace (set BERT2GPT_DEBUG=1 to get it: the panic is then left alone).
func runCommand(cmd command, args []string) (err error) {
	if os.Getenv("BERT2GPT_DEBUG") != "1" {
		defer func() {
			if r := recover(); r != nil {
				msg := fmt.Sprint(r)
				if i := strings.Index(msg, "\ngoroutine "); i > 0 {
					msg = msg[:i]
				}
				err = fmt.Errorf("internal error: %s (run with BERT2GPT_DEBUG=1 for the stack trace, and please report it)", msg)
			}
		}()
	}
	return cmd.run(args)
}

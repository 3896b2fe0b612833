package main

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/backend"
)

func init() {
	register("backend", "print which GoMLX backend would be used on this machine, and why", func(args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("takes no arguments, got %q", args)
		}
		fmt.Println(backend.Select())
		return nil
	})
}

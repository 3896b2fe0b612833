package transformer

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

// debugEnabled reports whether BERT2GPT_DEBUG=1 asks for stack traces in caught errors.
func debugEnabled() bool { return os.Getenv("BERT2GPT_DEBUG") == "1" }

// errorf builds the error value used in panics raised while building a graph.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// Catch runs fn and turns a panic inside it (GoMLX reports graph-building problems by panicking)
// into an error prefixed with what — so callers of this package's error-returning functions never
// see a raw stack trace. Set the environment variable BERT2GPT_DEBUG=1 to append the stack.
func Catch(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if e, ok := r.(error); ok {
				msg = e.Error()
			}
			// GoMLX errors often carry a stack trace after the first lines; keep the message only.
			if i := strings.Index(msg, "\ngoroutine "); i > 0 {
				msg = msg[:i]
			}
			if debugEnabled() {
				msg += "\n" + string(debug.Stack())
			}
			err = fmt.Errorf("%s: %s", what, msg)
		}
	}()
	return fn()
}

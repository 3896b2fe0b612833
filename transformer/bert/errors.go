package bert

import "fmt"

// errorf builds the error value used in panics raised while building a graph.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

package backend

import (
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// ProgramMemory is what XLA reports, at compile time, about the memory of one compiled program
// (PJRT's compiled-memory statistics, the numbers behind jax's `compiled.memory_analysis()`):
// Inputs and Outputs are its argument and result buffers (a training step's weights and optimizer
// state), Temporary the scratch buffers XLA's buffer assignment packs all intermediate values into
// — for a training step mostly the activations kept for the backward pass. Sizes are as go-xla logs
// them: three significant digits.
type ProgramMemory struct {
	Code, Inputs, Outputs, Aliases, Temporary int64
}

// memoryLine matches go-xla's compile log line (compute/xla/executable.go, klog V(1)).
var memoryLine = regexp.MustCompile(`Memory usage: On Device: \[Code:([^,]+), Inputs:([^,]+), Outputs:([^,]+), Aliases:([^,]+), Temporary:([^\]]+)\]`)

var captureMu sync.Mutex

// CompiledMemory runs fn and returns the memory statistics of every XLA program compiled during it,
// in compile order. go-xla reads them from PJRT after each compilation but only logs them (klog,
// verbosity 1, in compute/xla/executable.go); CompiledMemory turns that log on for go-xla's
// executable.go alone, reads it, and restores klog. On a backend other than XLA nothing is
// compiled by XLA and the result is empty. Not safe to call concurrently with other klog users
// that change its verbosity or logger.
func CompiledMemory(fn func() error) ([]ProgramMemory, error) {
	captureMu.Lock()
	defer captureMu.Unlock()
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	oldVModule := fs.Lookup("vmodule").Value.String()
	sink := &lineSink{}
	klog.SetLogger(logr.New(sink))
	if err := fs.Set("vmodule", "executable=1"); err != nil {
		klog.ClearLogger()
		return nil, err
	}
	runErr := fn()
	_ = fs.Set("vmodule", oldVModule)
	klog.ClearLogger()
	var out []ProgramMemory
	for _, line := range sink.lines() {
		m := memoryLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var sizes [5]int64
		for i := range sizes {
			n, err := parseBytes(m[i+1])
			if err != nil {
				return out, fmt.Errorf("backend.CompiledMemory: %q: %w", line, err)
			}
			sizes[i] = n
		}
		out = append(out, ProgramMemory{Code: sizes[0], Inputs: sizes[1], Outputs: sizes[2], Aliases: sizes[3], Temporary: sizes[4]})
	}
	return out, runErr
}

// parseBytes reads compute's humanize.Bytes format: "512 B", "12.3 KiB", "4.0 MiB", "1.5 GiB".
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num, unit, ok := strings.Cut(s, " ")
	if !ok {
		return 0, fmt.Errorf("size %q without a unit", s)
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	mult := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("size %q: unknown unit %q", s, unit)
	}
	return int64(x * mult), nil
}

// lineSink is a logr.LogSink that keeps the messages.
type lineSink struct {
	mu  sync.Mutex
	msg []string
}

func (s *lineSink) Init(logr.RuntimeInfo)          {}
func (s *lineSink) Enabled(int) bool               { return true }
func (s *lineSink) WithName(string) logr.LogSink   { return s }
func (s *lineSink) WithValues(...any) logr.LogSink { return s }
func (s *lineSink) Info(_ int, msg string, _ ...any) {
	s.mu.Lock()
	s.msg = append(s.msg, msg)
	s.mu.Unlock()
}
func (s *lineSink) Error(_ error, msg string, _ ...any) { s.Info(0, msg) }
func (s *lineSink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msg...)
}

package backend

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers "go"
	"github.com/gomlx/go-xla/compute/xla"  // registers "xla"
	"github.com/pkg/errors"
)

// Environment variables read by Select.
const (
	// EnvBackend is GoMLX's own variable: "go", "go:parallelism=4", "xla:cpu", "xla:/abs/path/plugin.so" …
	EnvBackend = compute.ConfigEnvVar
	// EnvPluginDir names an extra directory searched first for PJRT plugins (the setup script's install dir).
	EnvPluginDir = "BERT2GPT_PJRT_DIR"
	// EnvAutoInstall, when "1", lets go-xla download its CPU plugin if none is found (needs network access).
	EnvAutoInstall = "BERT2GPT_XLA_AUTOINSTALL"
)

// SafeGoConfig is the Go backend configuration the project uses: parallelism=-1 (see package doc).
const SafeGoConfig = "go:parallelism=-1"

// Choice is a decided backend configuration, before any backend is constructed.
type Choice struct {
	// Config is the string given to compute.NewWithConfig, e.g. "go:parallelism=-1" or "xla:/path/pjrt_c_api_cpu_plugin.so".
	Config string
	// Reason says in a few words why this backend was chosen.
	Reason string
	// Devices, for XLA's CPU plugin, is the number of host devices to create (EnvXLACPUDevices,
	// NewDevices); 0 leaves the plugin's default (4). Other backends ignore it.
	Devices int

	devicesErr error // a bad EnvXLACPUDevices, reported by Open
}

// Name is the backend's registered name: "go" or "xla".
func (c Choice) Name() string {
	name, _, _ := strings.Cut(c.Config, ":")
	return name
}

// String is the one line printed by New.
func (c Choice) String() string {
	return fmt.Sprintf("bert2gpt backend: %s — %s", c.Config, c.Reason)
}

// Select decides which backend to use without constructing it. It reads the environment and the file
// system only (no network), so it returns in milliseconds.
func Select() Choice {
	c := selectBackend()
	if oneDNNRequested() && isXLACPU(c.Config) {
		c.Reason += "; matrix products on oneDNN (" + EnvXLAOneDNN + "=1)"
	}
	if isXLACPU(c.Config) {
		c.Devices, c.devicesErr = envCPUDevices()
		if c.Devices > 0 {
			c.Reason += fmt.Sprintf("; %d host devices (%s)", c.Devices, EnvXLACPUDevices)
		}
	}
	return c
}

func selectBackend() Choice {
	if cfg, ok := os.LookupEnv(EnvBackend); ok && strings.TrimSpace(cfg) != "" {
		cfg = strings.TrimSpace(cfg)
		if cfg == "go" {
			return Choice{Config: SafeGoConfig, Reason: "GOMLX_BACKEND=go; parallelism=-1 added (faster steps than the default worker pool, see package doc)"}
		}
		return Choice{Config: cfg, Reason: "from GOMLX_BACKEND"}
	}
	if plugin := FindPlugin(); plugin != "" {
		return Choice{Config: "xla:" + plugin, Reason: "PJRT plugin found at " + plugin}
	}
	if os.Getenv(EnvAutoInstall) == "1" {
		return Choice{Config: "xla:cpu", Reason: EnvAutoInstall + "=1: go-xla may download its CPU plugin"}
	}
	return Choice{Config: SafeGoConfig, Reason: "no PJRT plugin found (set " + EnvPluginDir +
		" or GOMLX_BACKEND=xla:/path/to/pjrt_c_api_cpu_plugin.so to use XLA)"}
}

// PluginDirs lists the directories searched for PJRT plugins, in order.
func PluginDirs() []string {
	var dirs []string
	if d := os.Getenv(EnvPluginDir); d != "" {
		dirs = append(dirs, filepath.SplitList(d)...)
	}
	if d := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"); d != "" {
		dirs = append(dirs, filepath.SplitList(d)...)
	}
	if d := projectPluginDir(); d != "" {
		dirs = append(dirs, d)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local", "lib", "go-xla"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla")
	return slices.DeleteFunc(dirs, func(d string) bool { return d == "" })
}

// ProjectPluginSubdir is where scripts/setup.sh links XLA's CPU plugin, relative to the checkout's root.
const ProjectPluginSubdir = ".tools/pjrt"

// projectPluginDir walks up from the working directory looking for the checkout's .tools/pjrt, so that
// `go test` in any package and notebooks (which run in notebooks/) find the plugin setup installed.
func projectPluginDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		candidate := filepath.Join(dir, ProjectPluginSubdir)
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FindPlugin returns the absolute path of the preferred PJRT plugin found in PluginDirs, or "".
// A CUDA plugin is preferred to any other; otherwise the first plugin found is returned.
func FindPlugin() string {
	var found []string
	for _, dir := range PluginDirs() {
		matches, _ := filepath.Glob(filepath.Join(dir, "pjrt_c_api_*_plugin.so"))
		for _, m := range matches {
			if abs, err := filepath.Abs(m); err == nil {
				found = append(found, abs)
			}
		}
	}
	for _, p := range found {
		if strings.Contains(filepath.Base(p), "cuda") {
			return p
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

var (
	mu      sync.Mutex
	current compute.Backend
	chosen  Choice
)

// Log is where New writes its one-line report; set it to io.Discard to silence it.
var Log io.Writer = os.Stderr

// New returns the process-wide backend, constructing it on first use from Select's choice and printing
// one line that says which backend and why. Later calls return the same backend.
func New() (compute.Backend, error) {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return current, nil
	}
	c := Select()
	b, err := Open(c)
	if err != nil {
		return nil, err
	}
	current, chosen = b, c
	fmt.Fprintln(Log, c)
	return b, nil
}

// MustNew is New for notebooks and examples: it panics with the error's message.
func MustNew() compute.Backend {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// Chosen returns the Choice made by the first successful New (zero Choice before that).
func Chosen() Choice {
	mu.Lock()
	defer mu.Unlock()
	return chosen
}

// Open constructs the backend for a Choice. It never downloads anything unless BERT2GPT_XLA_AUTOINSTALL=1,
// and turns GoMLX's panics for unknown backends into errors. For XLA it first tunes the C allocator
// (see EnvMallocTuning) and, for the CPU plugin with BERT2GPT_XLA_ONEDNN=1, adds XLAOneDNNFlags to
// XLA_FLAGS; for the CPU plugin with c.Devices > 0 it creates that many host devices.
func Open(c Choice) (b compute.Backend, err error) {
	if c.devicesErr != nil {
		return nil, errors.WithMessagef(c.devicesErr, "backend %q", c.Config)
	}
	if c.Name() == "xla" {
		xla.EnableAutoInstall(os.Getenv(EnvAutoInstall) == "1")
		maybeTuneHostMalloc() // before the plugin's threads start allocating; see EnvMallocTuning
		if isXLACPU(c.Config) && oneDNNRequested() {
			addXLAFlags(XLAOneDNNFlags) // read by the plugin when it is loaded
		}
	}
	if c.Devices > 0 && isXLACPU(c.Config) {
		return openWithDevices(c)
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("backend %q: %v", c.Config, r)
		}
	}()
	if c.Name() == "go" {
		// The Go backend announces its parallelism setting on stdout; New prints its own line (on Log)
		// instead, and stdout stays clean for programs whose output is data (JSON, Example output).
		restore := silenceStdout()
		defer restore()
	}
	b, err = compute.NewWithConfig(c.Config)
	if err != nil {
		return nil, errors.WithMessagef(err, "backend %q (%s)", c.Config, c.Reason)
	}
	// The Go backend prefers weights as graph constants; cached executors would then never see
	// trained weights (package weights explains it). Every project program gets parameters instead.
	return weights.AsParameters(b), nil
}

// silenceStdout points os.Stdout at the null device until the returned function is called.
func silenceStdout() (restore func()) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}
}

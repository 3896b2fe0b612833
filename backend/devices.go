package backend

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	"github.com/pkg/errors"
)

// EnvXLACPUDevices sets how many host devices XLA's CPU plugin creates: a whole number ≥ 1, passed
// to the plugin as its PJRT client option cpu_device_count when the client is created. Unset, the
// plugin makes 4 (its own default). Every device is the same CPU: several devices let GoMLX's
// distributed execution (data parallelism, training.NewDataParallel) run here, they do not add
// cores. NewDevices raises the count to what it is asked for.
const EnvXLACPUDevices = "BERT2GPT_XLA_CPU_DEVICES"

// cpuDeviceOption is the PJRT client create option of XLA's CPU plugin that sets its device count.
const cpuDeviceOption = "cpu_device_count"

// xlaCPUDefaultDevices is the number of devices XLA's CPU plugin creates when not told (measured:
// NumDevices() = 4 on the plugin setup installs, PJRT C API 0.115).
const xlaCPUDefaultDevices = 4

// envCPUDevices reads EnvXLACPUDevices: 0 when unset.
func envCPUDevices() (int, error) {
	v := strings.TrimSpace(os.Getenv(EnvXLACPUDevices))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("$%s = %q: want a whole number of devices ≥ 1", EnvXLACPUDevices, v)
	}
	return n, nil
}

// openXLACPU opens XLA's CPU plugin with `devices` host devices (the PJRT client option
// cpu_device_count). config is the Choice's "xla:…" string; options after a comma go to go-xla.
func openXLACPU(config string, devices int) (compute.Backend, error) {
	_, plugin, _ := strings.Cut(config, ":")
	return xla.NewWithOptions(plugin, pjrt.NamedValuesMap{cpuDeviceOption: int64(devices)})
}

// NewDevices returns the process-wide backend, as New does, with at least n devices (n ≥ 1).
//
//   - XLA's CPU plugin: opened with BERT2GPT_XLA_CPU_DEVICES host devices (the plugin's default of
//     4 when unset), raised to n when that is fewer.
//   - XLA with another plugin (CUDA): the devices the plugin reports (one per visible GPU); fewer
//     than n is an error.
//   - The pure-Go backend has one device: n > 1 is an error that says to use XLA.
//
// The device count is fixed when the backend is first opened: asking for more devices than the
// process-wide backend already has is an error that says how to ask for them earlier.
func NewDevices(n int) (compute.Backend, error) {
	if n < 1 {
		return nil, fmt.Errorf("backend: %d devices: the number of devices must be ≥ 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		c := Select()
		planned := c.Devices // BERT2GPT_XLA_CPU_DEVICES, or the plugin's default
		if planned == 0 {
			planned = xlaCPUDefaultDevices
		}
		if isXLACPU(c.Config) && n > planned {
			c.Devices = n
			c.Reason += fmt.Sprintf("; %d host devices asked for", n)
		}
		b, err := Open(c)
		if err != nil {
			return nil, err
		}
		current, chosen = b, c
		fmt.Fprintln(Log, c)
	}
	if have := current.NumDevices(); have < n {
		return nil, tooFewDevices(current, chosen, n)
	}
	return current, nil
}

// tooFewDevices explains why backend b (opened for Choice c) cannot give n devices.
func tooFewDevices(b compute.Backend, c Choice, n int) error {
	have := b.NumDevices()
	switch {
	case b.String() == "go":
		return fmt.Errorf("backend: %d devices asked, but the pure-Go backend has %d and no distributed execution; use XLA (GOMLX_BACKEND=xla:cpu, or install its CPU plugin with scripts/setup.sh)", n, have)
	case isXLACPU(c.Config):
		return fmt.Errorf("backend: %d devices asked, but XLA's CPU plugin was opened with %d; ask before the first backend.New (backend.NewDevices(%d)) or set %s=%d", n, have, n, EnvXLACPUDevices, n)
	}
	return fmt.Errorf("backend: %d devices asked, but %s has %d", n, c.Config, have)
}

// openWithDevices is Open's XLA CPU branch when a device count is set.
func openWithDevices(c Choice) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("backend %q: %v", c.Config, r)
		}
	}()
	b, err = openXLACPU(c.Config, c.Devices)
	if err != nil {
		return nil, errors.WithMessagef(err, "backend %q with %d host devices (%s)", c.Config, c.Devices, c.Reason)
	}
	return weights.AsParameters(b), nil
}

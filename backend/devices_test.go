package backend

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLACPUDeviceCount: the CPU plugin's PJRT client option cpu_device_count sets the number of
// host devices (1, 3, 8 here; 4 when not given), while XLA_FLAGS=--xla_force_host_platform_device_count,
// the flag jax's own CPU client reads, does nothing to the plugin.
func TestXLACPUDeviceCount(t *testing.T) {
	dir := projectPluginDir()
	if dir == "" {
		t.Skip("no .tools/pjrt in this checkout: XLA's CPU plugin is not installed")
	}
	config := "xla:" + filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	for _, n := range []int{1, 3, 8} {
		b, err := Open(Choice{Config: config, Devices: n})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.NumDevices(); got != n {
			t.Errorf("cpu_device_count %d: NumDevices() = %d", n, got)
		}
		b.Finalize()
	}
	b, err := Open(Choice{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.NumDevices(); got != xlaCPUDefaultDevices {
		t.Errorf("plugin default: NumDevices() = %d, want %d", got, xlaCPUDefaultDevices)
	}
	b.Finalize()
	// The XLA flag, in a child process (XLA reads XLA_FLAGS once per process).
	if os.Getenv("BERT2GPT_TEST_FLAG_CHILD") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestXLAForceHostDeviceCountChild$", "-test.v")
	cmd.Env = append(os.Environ(), "BERT2GPT_TEST_FLAG_CHILD=1", EnvXLAFlags+"=--xla_force_host_platform_device_count=8", EnvBackend+"="+config)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "devices: 4") {
		t.Errorf("with XLA_FLAGS=--xla_force_host_platform_device_count=8 the plugin no longer makes 4 devices; update the backend doc:\n%s", out)
	}
}

// TestXLAForceHostDeviceCountChild runs in TestXLACPUDeviceCount's child process.
func TestXLAForceHostDeviceCountChild(t *testing.T) {
	if os.Getenv("BERT2GPT_TEST_FLAG_CHILD") != "1" {
		t.Skip("runs as TestXLACPUDeviceCount's child")
	}
	b, err := Open(Select())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("devices: %d", b.NumDevices())
}

func TestDeviceErrors(t *testing.T) {
	if _, err := NewDevices(0); err == nil || !strings.Contains(err.Error(), "0 devices") {
		t.Errorf("NewDevices(0): %v", err)
	}
	t.Setenv(EnvXLACPUDevices, "two")
	c := Select()
	if isXLACPU(c.Config) {
		if _, err := Open(c); err == nil || !strings.Contains(err.Error(), EnvXLACPUDevices) {
			t.Errorf("%s=two: %v", EnvXLACPUDevices, err)
		}
	}
	gb, err := Open(Choice{Config: SafeGoConfig})
	if err != nil {
		t.Fatal(err)
	}
	err = tooFewDevices(gb, Choice{Config: SafeGoConfig}, 2)
	if err == nil || !strings.Contains(err.Error(), "pure-Go backend has 1") {
		t.Errorf("Go backend, 2 devices: %v", err)
	}
	if dir := projectPluginDir(); dir != "" {
		c := Choice{Config: "xla:" + filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")}
		xb, err := Open(c)
		if err != nil {
			t.Fatal(err)
		}
		defer xb.Finalize()
		err = tooFewDevices(xb, c, 16)
		if err == nil || !strings.Contains(err.Error(), EnvXLACPUDevices+"=16") {
			t.Errorf("XLA CPU, 16 devices: %v", err)
		}
	}
}

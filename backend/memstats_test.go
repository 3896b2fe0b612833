package backend

import (
	"testing"

	"github.com/gomlx/gomlx/core/graph"
)

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{"512 B": 512, "1.5 KiB": 1536, "4.0 MiB": 4 << 20, "2.5 GiB": 5 << 29} {
		if got, err := parseBytes(s); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"12", "1.0 XB", "x MiB"} {
		if _, err := parseBytes(s); err == nil {
			t.Errorf("parseBytes(%q): no error", s)
		}
	}
}

// TestCompiledMemory: on XLA, compiling x·xᵀ for x [256, 512] float32 reports a 512 KiB input and a
// 256 KiB output; twice as many rows quadruple the output.
func TestCompiledMemory(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != "xla" {
		t.Skipf("backend %q: XLA only", b.String())
	}
	gram := func(x *graph.Node) *graph.Node { return graph.Einsum("id,jd->ij", x, x) }
	stats, err := CompiledMemory(func() error {
		for _, rows := range []int{256, 512} {
			x := make([][]float32, rows)
			for i := range x {
				x[i] = make([]float32, 512)
			}
			graph.MustExecOnce(b, gram, x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 {
		t.Fatalf("%d programs reported, want 2: %+v", len(stats), stats)
	}
	t.Logf("%+v", stats)
	if stats[0].Inputs != 512<<10 || stats[0].Outputs != 256<<10 || stats[1].Outputs != 1<<20 {
		t.Errorf("got %+v", stats)
	}
	// klog is quiet again afterwards: nothing is captured outside CompiledMemory.
	more, _ := CompiledMemory(func() error { return nil })
	if len(more) != 0 {
		t.Errorf("captured %d programs when nothing was compiled", len(more))
	}
}

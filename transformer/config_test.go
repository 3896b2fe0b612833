package transformer

import (
	"errors"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig(10, 10).Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	cases := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.NumHeads = 3 }, "Width 128 is not divisible by NumHeads 3"},
		{func(c *Config) { c.Width = 0 }, "Width must be positive, got 0"},
		{func(c *Config) { c.NumHeads = -1 }, "NumHeads must be positive, got -1"},
		{func(c *Config) { c.FFNWidth = 0 }, "FFNWidth must be positive, got 0"},
		{func(c *Config) { c.EncoderLayers = 0 }, "EncoderLayers must be positive, got 0"},
		{func(c *Config) { c.TargetVocab = -5 }, "TargetVocab must be positive, got -5"},
		{func(c *Config) { c.MaxLen = 0 }, "MaxLen must be positive, got 0"},
		{func(c *Config) { c.Dropout = 1 }, "Dropout must be in [0, 1), got 1"},
		{func(c *Config) { c.LayerNormEpsilon = 0 }, "LayerNormEpsilon must be positive, got 0"},
		{func(c *Config) { c.Activation = 7 }, "unknown Activation 7"},
	}
	for _, c := range cases {
		cfg := DefaultConfig(10, 10)
		c.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate() = %v, want an error containing %q", err, c.want)
		}
	}
	if _, err := NewSeq2Seq(testBackend(t), Config{}); err == nil {
		t.Error("NewSeq2Seq accepted a zero Config")
	}
}

func TestCheckMask(t *testing.T) {
	ok := []shapes.Shape{
		shapes.Make(dtypes.Bool, 2, 1, 1, 5), shapes.Make(dtypes.Bool, 1, 1, 4, 5), shapes.Make(dtypes.Bool, 2, 3, 4, 5),
	}
	for _, s := range ok {
		if err := CheckMask(s, 2, 3, 4, 5); err != nil {
			t.Errorf("CheckMask(%s): %v", s, err)
		}
	}
	bad := map[string]shapes.Shape{
		"axis 3 (keySeq) is 6, want 1 or 5": shapes.Make(dtypes.Bool, 2, 1, 1, 6),
		"must have rank 4":                  shapes.Make(dtypes.Bool, 2, 5),
		"must be bool":                      shapes.Make(dtypes.Float32, 2, 1, 1, 5),
		"axis 0 (batch) is 3, want 1 or 2":  shapes.Make(dtypes.Bool, 3, 1, 1, 5),
	}
	for want, s := range bad {
		if err := CheckMask(s, 2, 3, 4, 5); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckMask(%s) = %v, want %q", s, err, want)
		}
	}
}

func TestMasks(t *testing.T) {
	out := MustExecOnce(testBackend(t), func(valid *Node) *Node {
		return CombineMasks(nil, PaddingMask(valid), CausalMask(valid.Graph(), 3, 3))
	}, [][]bool{{true, true, false}})
	want := [][][][]bool{{{{true, false, false}, {true, true, false}, {true, true, false}}}}
	if got := out.Value(); !equalBool4(got.([][][][]bool), want) {
		t.Errorf("padding ∧ causal = %v, want %v", got, want)
	}
}

func equalBool4(a, b [][][][]bool) bool {
	for i := range a {
		for j := range a[i] {
			for k := range a[i][j] {
				for l := range a[i][j][k] {
					if a[i][j][k][l] != b[i][j][k][l] {
						return false
					}
				}
			}
		}
	}
	return len(a) == len(b)
}

func TestCatchTurnsPanicsIntoErrors(t *testing.T) {
	err := Catch("building attention", func() error {
		model.MustExecOnce(testBackend(t), model.NewStore(), func(scope *model.Scope, x *Node) *Node {
			out, _ := MultiHeadAttention(scope, x, x, x, nil, 3, 0) // width 8 does not split into 3 heads
			return out
		}, [][][]float32{{{1, 2, 3, 4, 5, 6, 7, 8}}})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "building attention") || !strings.Contains(err.Error(), "width 8 is not divisible by 3 heads") {
		t.Errorf("Catch = %v", err)
	}
	t.Logf("caught: %v", err)
	if err := Catch("x", func() error { return errors.New("plain") }); err == nil || err.Error() != "plain" {
		t.Errorf("Catch should pass errors through, got %v", err)
	}
}

func TestBadMaskShapeIsAnError(t *testing.T) {
	x := tensors.FromScalarAndDimensions(float32(1), 2, 5, 8)
	valid := tensors.FromScalarAndDimensions(true, 2, 6) // 6 keys for a 5-token sequence
	err := Catch("attention", func() error {
		_, err := model.ExecOnce(testBackend(t), model.NewStore(), func(scope *model.Scope, x, valid *Node) *Node {
			out, _ := MultiHeadAttention(scope, x, x, x, PaddingMask(valid), 2, 0)
			return out
		}, x, valid)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "axis 3 (keySeq) is 6, want 1 or 5") {
		t.Errorf("mask [2,1,1,6] on 5 keys: error %v", err)
	}
}

func TestDropoutOnlyWhileTraining(t *testing.T) {
	cfg := LayerConfig{Width: 8, NumHeads: 2, FFNWidth: 16, Activation: ReLU, Dropout: 0.5, LayerNormEpsilon: 1e-5}
	noDropout := cfg
	noDropout.Dropout = 0
	store := model.NewStore()
	run := func(c LayerConfig, training bool) *tensors.Tensor {
		return model.MustExecOnce(testBackend(t), store, func(scope *model.Scope, x *Node) *Node {
			store.SetTraining(x.Graph(), training)
			return EncoderLayer(scope.In("enc"), x, nil, c)
		}, tensors.FromFlatDataAndDimensions([]float32{1, -2, 3, 0.5, 2, 1, -1, 0, 0, 1, 2, 3, 4, 5, 6, 7}, 1, 2, 8))
	}
	eval, plain, train := run(cfg, false), run(noDropout, false), run(cfg, true)
	if d := maxDiff(eval, plain); d != 0 {
		t.Errorf("dropout changed the output outside training by %g", d)
	}
	if d := maxDiff(eval, train); d == 0 {
		t.Error("dropout 0.5 did not change the output while training")
	}
}

func TestLearnedPositions(t *testing.T) {
	store := model.NewStore()
	table := tensors.FromFlatDataAndDimensions([]float32{0, 1, 10, 11, 20, 21}, 3, 2)
	if _, err := store.CreateVariable("/pos/weight", table); err != nil {
		t.Fatal(err)
	}
	out := model.MustExecOnce(testBackend(t), store, func(scope *model.Scope, g *Graph) *Node {
		return LearnedPositions(scope.In("pos"), g, dtypes.Float32, 2, 3, 2)
	})
	if got := out.Value().([][]float32); got[1][0] != 10 || got[1][1] != 11 || len(got) != 2 {
		t.Errorf("LearnedPositions = %v, want the first 2 rows of the table", got)
	}
}

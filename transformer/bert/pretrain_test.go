package bert

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// toyDocs makes documents whose next sentence is predictable: sentence i of a document is
// a run of tokens starting at a document-specific offset, so both MLM and NSP can be learned.
func toyDocs(n int, seed uint64) [][][]int {
	r := rand.New(rand.NewPCG(seed, 7))
	docs := make([][][]int, n)
	for d := range docs {
		base := 5 + r.IntN(20)
		for s := range 4 {
			var sent []int
			for i := range 5 {
				sent = append(sent, 5+(base+s*3+i)%25)
			}
			docs[d] = append(docs[d], sent)
		}
	}
	return docs
}

func toyOptions(dir string) PretrainOptions {
	c := TinyConfig(30)
	c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.MaxPositionEmbeddings = 32, 64, 1, 16
	return PretrainOptions{Model: c, Train: toyDocs(40, 1), Valid: toyDocs(10, 2),
		Specials: Specials{PAD: 0, UNK: 1, CLS: 2, SEP: 3, MASK: 4}, SeqLen: 14, BatchSize: 8,
		Steps: 6, WarmupSteps: 1, LR: 1e-3, WeightDecay: 0.01, ClipNorm: 1, EvalBatches: 2,
		CheckpointDir: dir, Seed: 42}
}

// TestPretrainResume: training 6 steps in one go and training 3 steps, stopping, and resuming
// from the checkpoint to 6 give the same per-step losses and the same final validation metrics.
func TestPretrainResume(t *testing.T) {
	b := testBackend(t)
	full := map[int64]float64{}
	o := toyOptions(t.TempDir())
	o.OnStep = func(step int64, loss float64) { full[step] = loss }
	_, want, err := Pretrain(b, o)
	if err != nil {
		t.Fatal(err)
	}
	if want.Step != 6 || len(full) != 6 {
		t.Fatalf("uninterrupted run: step %d, %d losses", want.Step, len(full))
	}

	resumed := map[int64]float64{}
	o = toyOptions(t.TempDir())
	o.OnStep = func(step int64, loss float64) { resumed[step] = loss }
	o.StopAt = 3
	if _, m, err := Pretrain(b, o); err != nil || m.Step != 3 {
		t.Fatalf("first half: step %d, %v", m.Step, err)
	}
	o.StopAt = 0
	_, got, err := Pretrain(b, o)
	if err != nil {
		t.Fatal(err)
	}
	for step := int64(1); step <= 6; step++ {
		t.Logf("step %d: loss %.6f uninterrupted, %.6f resumed", step, full[step], resumed[step])
		if math.Abs(full[step]-resumed[step]) > 1e-4 {
			t.Errorf("step %d: loss %.6f resumed, %.6f uninterrupted", step, resumed[step], full[step])
		}
	}
	if math.Abs(got.MLMLoss-want.MLMLoss) > 1e-4 || math.Abs(got.NSPLoss-want.NSPLoss) > 1e-4 {
		t.Errorf("final validation differs: resumed %+v, uninterrupted %+v", got, want)
	}
}

// TestPretrainLearns: on the toy documents the MLM and NSP validation losses fall well below
// their values at initialisation (ln 30 ≈ 3.4 and ln 2 ≈ 0.69).
func TestPretrainLearns(t *testing.T) {
	o := toyOptions("")
	o.Steps, o.WarmupSteps, o.LR, o.BatchSize, o.EvalBatches = 300, 20, 2e-3, 32, 2
	o.Model.HiddenDropoutProb, o.Model.AttentionProbsDropoutProb = 0, 0
	_, m, err := Pretrain(testBackend(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %d steps: %+v", m.Step, m)
	if m.MLMLoss > 2.0 || m.MLMAccuracy < 0.3 {
		t.Errorf("MLM did not learn: loss %.3f, accuracy %.3f", m.MLMLoss, m.MLMAccuracy)
	}
	if m.Predictions == 0 || m.Examples != 2*32 {
		t.Errorf("evaluated %d predictions over %d examples, want > 0 over 64", m.Predictions, m.Examples)
	}
}

// TestPreTrainingAt: the MLM logits at gathered positions equal the full logits at those positions.
func TestPreTrainingAt(t *testing.T) {
	f := loadCase(t, "tiny")
	m, err := LoadPretrained(testBackend(t), "testdata/tiny", PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	batch := fixtureBatch(t, f)
	full, err := m.Forward(batch)
	if err != nil {
		t.Fatal(err)
	}
	positions := [][]int32{{3, 0, 9}, {1, 7, 2}}
	// Both heads are outputs: the Go backend (compute v0.1.2) fails with "index out of range"
	// when a graph holds nodes that feed no output (here the NSP head).
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, in []*Node) (*Node, *Node) {
		return PreTrainingAt(scope, m.Config, in[0], in[1], in[2], in[3])
	})
	if err != nil {
		t.Fatal(err)
	}
	at, _, err := exec.Call2(batch.InputIDs, batch.TokenTypeIDs, batch.AttentionMask, positions)
	if err != nil {
		t.Fatal(err)
	}
	V := m.Config.VocabSize
	fl := tensors.MustCopyFlatData[float32](full.MLMLogits) // [2, 10, V]
	got := tensors.MustCopyFlatData[float32](at)            // [2, 3, V]
	for b, row := range positions {
		for p, pos := range row {
			for v := range V {
				want := fl[(b*10+int(pos))*V+v]
				if d := math.Abs(float64(got[(b*3+p)*V+v] - want)); d > 1e-5 {
					t.Fatalf("[%d, %d (position %d), %d]: %g vs %g", b, p, pos, v, got[(b*3+p)*V+v], want)
				}
			}
		}
	}
}

package bert

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained/hubtest"
)

// tinyDir is the tiny BertForPreTraining checkpoint (HF random weights, testdata/tiny) with its
// safetensors header edited by edit (nil: unchanged), its vocab.txt, and extra files.
func tinyDir(t *testing.T, edit func(h map[string]map[string]any), extra map[string]string) string {
	t.Helper()
	dir := corrupt(t, edit, nil)
	vocab, err := os.ReadFile(filepath.Join("testdata", "tiny", "vocab.txt"))
	if err != nil {
		t.Fatal(err)
	}
	extra["vocab.txt"] = string(vocab)
	for name, content := range extra {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dropTensors removes the tensors whose names start with one of the prefixes.
func dropTensors(prefixes ...string) func(h map[string]map[string]any) {
	return func(h map[string]map[string]any) {
		for k := range h {
			for _, p := range prefixes {
				if strings.HasPrefix(k, p) {
					delete(h, k)
				}
			}
		}
	}
}

// TestFromPretrainedEncoderOnly: by default no head is read or run (the store holds the encoder
// and pooler only), the outputs are HF's, and SentenceEmbeddings pools them (mean and [CLS]).
func TestFromPretrainedEncoderOnly(t *testing.T) {
	p, err := FromPretrained(testBackend(t), tinyDir(t, nil, map[string]string{}), PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for v := range p.Model.Store.IterVariables() {
		if !strings.HasPrefix(v.Path(), "/bert/") {
			t.Errorf("encoder-only model holds %s", v.Path())
		}
	}
	if p.MaxLength != 16 || p.Sentence != (EmbedOptions{}) || p.Tokenizer.VocabSize() != 40 {
		t.Errorf("MaxLength %d (want max_position_embeddings 16), Sentence %+v, vocab %d", p.MaxLength, p.Sentence, p.Tokenizer.VocabSize())
	}
	f := loadCase(t, "tiny")
	b := fixtureBatch(t, f)
	r, err := p.Model.Forward(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.MLMLogits != nil || r.NSPLogits != nil || r.ClassLogits != nil {
		t.Error("an encoder-only model computed head outputs")
	}
	expectClose(t, "last_hidden", r.LastHiddenState, f["hidden_2"], parityTolerance)
	expectClose(t, "pooled", r.Pooled, f["pooled"], parityTolerance)
	for _, o := range []EmbedOptions{{MeanPooling, false}, {MeanPooling, true}, {CLSPooling, false}, {CLSPooling, true}} {
		e, err := p.Model.SentenceEmbeddings(b, o)
		if err != nil {
			t.Fatal(err)
		}
		got := e.Value().([][]float32)
		want := poolOnHost(Values(r.LastHiddenState, b.AttentionMask), o)
		for i := range want {
			for j := range want[i] {
				if d := got[i][j] - want[i][j]; d > 1e-5 || d < -1e-5 {
					t.Fatalf("%+v: row %d [%d] = %g, want %g", o, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// poolOnHost is SentenceEmbeddings computed in Go on real-token rows.
func poolOnHost(rows [][][]float32, o EmbedOptions) [][]float32 {
	var out [][]float32
	for _, r := range rows {
		v := make([]float32, len(r[0]))
		if o.Pooling == CLSPooling {
			copy(v, r[0])
		} else {
			for _, tok := range r {
				for j, x := range tok {
					v[j] += x / float32(len(r))
				}
			}
		}
		if o.Normalize {
			n := float32(0)
			for _, x := range v {
				n += x * x
			}
			for j := range v {
				v[j] /= float32(math.Sqrt(float64(n)))
			}
		}
		out = append(out, v)
	}
	return out
}

// TestFromPretrainedHeads: heads are read only when asked; an asked head the file lacks is an error
// naming its first tensor, unless named in NewHeads; half a head, a missing encoder tensor or a
// missing pooler under a head are errors too.
func TestFromPretrainedHeads(t *testing.T) {
	be := testBackend(t)
	full := tinyDir(t, nil, map[string]string{})
	p, err := FromPretrained(be, full, PretrainedOptions{Head: PreTrainingHeads})
	if err != nil {
		t.Fatal(err)
	}
	f := loadCase(t, "tiny")
	r, err := p.Model.Forward(fixtureBatch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "mlm_logits", r.MLMLogits, f["mlm_logits"], parityTolerance)

	noMLM := tinyDir(t, dropTensors("cls.predictions"), map[string]string{})
	noPooler := tinyDir(t, dropTensors("bert.pooler"), map[string]string{})
	for _, tc := range []struct {
		name, dir string
		o         PretrainedOptions
		want      string // "" = loads
	}{
		{"MLM head asked, absent", noMLM, PretrainedOptions{Head: PreTrainingHeads}, `missing tensor "cls.predictions.transform.dense.weight"`},
		{"MLM head absent, new by name", noMLM, PretrainedOptions{Head: PreTrainingHeads, NewHeads: []string{"cls.predictions"}}, ""},
		{"classifier asked, absent", full, PretrainedOptions{Head: ClassifierHead, NumLabels: 3}, `missing tensor "classifier.weight"`},
		{"classifier new by name", full, PretrainedOptions{Head: ClassifierHead, NumLabels: 3, NewHeads: []string{"classifier"}}, ""},
		{"classifier without labels", full, PretrainedOptions{Head: ClassifierHead, NewHeads: []string{"classifier"}}, "a classifier needs 2 to"},
		{"half a head", tinyDir(t, dropTensors("cls.predictions.bias"), map[string]string{}), PretrainedOptions{Head: PreTrainingHeads}, `missing tensor "cls.predictions.bias"`},
		{"encoder tensor", tinyDir(t, dropTensors("bert.encoder.layer.1.output.dense.bias"), map[string]string{}), PretrainedOptions{}, `missing tensor "bert.encoder.layer.1.output.dense.bias"`},
		{"pooler under a head", noPooler, PretrainedOptions{Head: PreTrainingHeads}, `missing tensor "bert.pooler.dense.weight"`},
		{"unknown new head", full, PretrainedOptions{NewHeads: []string{"lm_head"}}, `NewHeads: "lm_head" is not a head`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromPretrained(be, tc.dir, tc.o)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("want it to load: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}

	// A BertModel saved without its pooler: encoder-only loads without one, Pooled is nil.
	p, err = FromPretrained(be, noPooler, PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = p.Model.Forward(fixtureBatch(t, f)); err != nil || r.Pooled != nil || !p.Model.NoPooler {
		t.Fatalf("no pooler: %v, pooled %v", err, r)
	}
	expectClose(t, "last_hidden", r.LastHiddenState, f["hidden_2"], parityTolerance)
}

// TestFromPretrainedFiles: tokenizer_config.json, sentence-transformers files and config edits are
// read; wrong files are errors naming them.
func TestFromPretrainedFiles(t *testing.T) {
	be := testBackend(t)
	st := map[string]string{
		"tokenizer_config.json":     `{"do_lower_case": true, "model_max_length": 512}`,
		"sentence_bert_config.json": `{"max_seq_length": 12, "do_lower_case": false}`,
		"modules.json":              `[{"path": "", "type": "sentence_transformers.models.Transformer"}, {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]`,
		"1_Pooling/config.json":     `{"word_embedding_dimension": 24, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}`,
	}
	p, err := FromPretrained(be, tinyDir(t, nil, st), PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxLength != 12 || p.Sentence != (EmbedOptions{CLSPooling, true}) {
		t.Errorf("MaxLength %d (want 12), Sentence %+v (want cls, normalised)", p.MaxLength, p.Sentence)
	}
	b, err := p.Encode([]string{strings.Repeat("a ", 30)}, nil)
	if err != nil || len(b.InputIDs[0]) != 12 {
		t.Errorf("Encode truncates to MaxLength: %v, %v", err, b.InputIDs)
	}
	// GELU → ReLU changes every output.
	relu, err := FromPretrained(be, tinyDir(t, nil, st), PretrainedOptions{EditConfig: func(c *Config) { c.HiddenAct = "relu" }})
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := p.Embed([]string{"a b"})
	e2, _ := relu.Embed([]string{"a b"})
	if cosine(e1[0], e2[0]) > 0.9999 {
		t.Errorf("ReLU instead of GELU left the embedding unchanged (cosine %g)", cosine(e1[0], e2[0]))
	}

	for name, tc := range map[string]struct {
		file, content, want string
	}{
		"not a BERT":        {"config.json", `{"model_type": "gpt2", "vocab_size": 40, "hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "max_position_embeddings": 16}`, `model_type is "gpt2"`},
		"relative position": {"config.json", `{"position_embedding_type": "relative_key", "vocab_size": 40, "hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "max_position_embeddings": 16}`, `position_embedding_type "relative_key"`},
		"max pooling":       {"1_Pooling/config.json", `{"pooling_mode_max_tokens": true}`, "pooling [pooling_mode_max_tokens] is not supported"},
		"dense module":      {"modules.json", `[{"path": "2_Dense", "type": "sentence_transformers.models.Dense"}]`, `module "sentence_transformers.models.Dense" is not supported`},
		"bad max_seq":       {"sentence_bert_config.json", `{"max_seq_length": 1}`, "max_seq_length 1 is too small"},
		"bad json":          {"modules.json", `{`, "modules.json"},
		"pad mismatch":      {"config.json", `{"pad_token_id": 3, "vocab_size": 40, "hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "max_position_embeddings": 16}`, "config.json's pad_token_id is 3"},
		"vocabulary larger": {"config.json", `{"vocab_size": 39, "hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "max_position_embeddings": 16}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range st {
				files[k] = v
			}
			files[tc.file] = tc.content
			_, err := FromPretrained(be, tinyDir(t, nil, files), PretrainedOptions{})
			if err == nil || (tc.want != "" && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := FromPretrained(be, t.TempDir(), PretrainedOptions{}); err == nil || !strings.Contains(err.Error(), "has no config.json") {
		t.Errorf("empty directory: %v", err)
	}
}

// TestFromPretrainedHub: a hub id goes through go-huggingface into the cache (a fake hub in the
// hub's URL layout), then loads offline from the cache.
func TestFromPretrainedHub(t *testing.T) {
	for _, v := range []string{"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_TOKEN"} {
		t.Setenv(v, "")
	}
	dir := tinyDir(t, nil, map[string]string{"tokenizer_config.json": `{"do_lower_case": true}`})
	files := map[string][]byte{}
	for _, name := range []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	srv := hubtest.New(t)
	commit := srv.Add("test/tiny-bert", "main", files)
	o := PretrainedOptions{Options: pretrained.Options{Endpoint: srv.URL, CacheDir: t.TempDir()}}
	p, err := FromPretrained(testBackend(t), "test/tiny-bert", o)
	if err != nil {
		t.Fatal(err)
	}
	if p.Files.Commit != commit || p.Files.Repo != "test/tiny-bert" || len(p.Files.Downloaded) != 4 {
		t.Errorf("files %+v", p.Files)
	}
	f := loadCase(t, "tiny")
	r, err := p.Model.Forward(fixtureBatch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "pooled", r.Pooled, f["pooled"], parityTolerance)
	srv.Close()
	o.Offline = true
	if p, err = FromPretrained(testBackend(t), "test/tiny-bert", o); err != nil || !p.Files.FromCache {
		t.Fatalf("offline from the cache: %v", err)
	}
	if _, err := FromPretrained(testBackend(t), "test/other", o); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("offline, not cached: %v", err)
	}
}

// TestEmbedBatches: Embed gives the same vectors whatever the batch size and order (texts run
// longest first, padded to multiples of 8).
func TestEmbedBatches(t *testing.T) {
	p, err := FromPretrained(testBackend(t), tinyDir(t, nil, map[string]string{}), PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"a", "a b c d e f g h i", "", "b c", "c d e"}
	p.BatchSize = 2
	small, err := p.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	p.BatchSize = 32
	big, err := p.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if c := cosine(small[i], big[i]); c < 0.999999 {
			t.Errorf("text %d: cosine %g between batch sizes 2 and 32", i, c)
		}
		one, _ := p.Embed(texts[i : i+1])
		if c := cosine(one[0], big[i]); c < 0.999999 {
			t.Errorf("text %d alone: cosine %g", i, c)
		}
	}
	if e, err := p.Embed(nil); e != nil || err != nil {
		t.Errorf("Embed(nil) = %v, %v", e, err)
	}
}

// TestNameMap: every variable once, HF names unique, parts as NewHeads names them, and the
// parameter count of BertModel and BertForPreTraining.
func TestNameMap(t *testing.T) {
	c := BaseConfig()
	for _, tc := range []struct {
		head  Head
		parts map[string]int
		total int
	}{
		{EncoderOnly, map[string]int{"bert": 197, "pooler": 2}, 109_482_240},
		{PreTrainingHeads, map[string]int{"bert": 197, "pooler": 2, "cls.predictions": 5, "cls.seq_relationship": 2}, 110_106_428},
	} {
		parts, total, seen := map[string]int{}, 0, map[string]bool{}
		for _, n := range NameMap(c, tc.head, 0) {
			parts[n.Part]++
			if seen[n.HF] || seen[n.Ours] {
				t.Errorf("%s / %s appears twice", n.HF, n.Ours)
			}
			seen[n.HF], seen[n.Ours] = true, true
			size := 1
			for _, d := range n.Shape {
				size *= d
			}
			total += size
		}
		if fmt.Sprint(parts) != fmt.Sprint(tc.parts) || total != tc.total {
			t.Errorf("%v: parts %v, %d parameters; want %v, %d", tc.head, parts, total, tc.parts, tc.total)
		}
	}
}

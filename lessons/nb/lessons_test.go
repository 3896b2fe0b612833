package nb

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copies are patterns of a lesson's Go code that re-implement what this package or the library
// provides; each names what to call instead. A lesson that needs something new gets a hook in the
// library (tested), not a local copy.
var copies = []struct {
	pattern *regexp.Regexp
	use     string
}{
	{regexp.MustCompile(`backend\.(MustNew|New)\(`), "nb.Backend()"},
	{regexp.MustCompile(`Getenv\("BERT2GPT_QUICK"\)`), "nb.Quick / nb.Pick"},
	{regexp.MustCompile(`os\.TempDir\(\)`), "nb.WorkDir"},
	{regexp.MustCompile(`^func (must|ifQuick|pick|saveJSON|loadJSON|median|sideBySide|cosine)\b`), "lessons/nb (Must, Pick, SaveJSON, LoadJSON, Median, Cosine, MaxAbsDiff) or viz.SideBySide"},
	{regexp.MustCompile(`\) Iter\(\) iter\.Seq2\[train\.Batch`), "training.StepDataset or gpt.BatchesFrom (a batch source is a function of the step)"},
	{regexp.MustCompile(`tokenizer\.TrainChar\(\[\]string\{[a-zA-Z]+\}, nil, 0\)`), "datasets.LoadCharCorpus / bert.LoadTangCorpus"},
}

// TestLessonsCallTheLibrary: no lesson's Go code (comments aside) contains one of the copies above.
func TestLessonsCallTheLibrary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "[0-9][0-9]-*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons next to lessons/nb (%v)", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inGo := false
		for i, line := range strings.Split(string(data), "\n") {
			switch {
			case strings.HasPrefix(line, "```go"):
				inGo = true
				continue
			case strings.HasPrefix(line, "```"):
				inGo = false
				continue
			}
			code := line
			if k := strings.Index(code, "//"); k >= 0 {
				code = code[:k]
			}
			if !inGo || strings.TrimSpace(code) == "" {
				continue
			}
			for _, c := range copies {
				if c.pattern.MatchString(code) {
					t.Errorf("%s:%d: %q copies the library; use %s", filepath.Base(file), i+1, strings.TrimSpace(line), c.use)
				}
			}
		}
	}
}

package article

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestReproFixtureIsComplete(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if r.TorchVersion == "" || len(r.Cases) == 0 {
		t.Fatalf("fixture without torch version or cases: %+v", r)
	}
	seen := map[string]bool{}
	for _, c := range r.Cases {
		if seen[c.ID] {
			t.Errorf("duplicate id %q", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.Section, "§") || c.Expression == "" || c.Repro == "" || c.NoteZh == "" {
			t.Errorf("%s: section, expression, repro and note_zh must be set: %+v", c.ID, c)
		}
		switch c.Outcome {
		case "error":
			if c.ErrorType == "" || c.Message == "" {
				t.Errorf("%s: an error without its type or message", c.ID)
			}
		case "runs":
			if c.ErrorType != "" {
				t.Errorf("%s: runs but has error type %q", c.ID, c.ErrorType)
			}
		default:
			t.Errorf("%s: outcome %q, want error or runs", c.ID, c.Outcome)
		}
	}
}

func TestFindNamesUnknownIDs(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	first := r.Cases[0].ID
	got, err := r.Find(first)
	if err != nil || len(got) != 1 || got[0].ID != first {
		t.Fatalf("Find(%q) = %v, %v", first, got, err)
	}
	if _, err := r.Find(first, "no_such_case"); err == nil || !strings.Contains(err.Error(), `"no_such_case"`) {
		t.Errorf("Find with an unknown id: err = %v, want one naming it", err)
	}
	html := r.HTML(got)
	if !strings.Contains(html, "PyTorch "+r.TorchVersion) || !strings.Contains(html, "<table") {
		t.Errorf("HTML misses the table or the PyTorch version: %s", html)
	}
	if esc := (&Repros{Cases: []Case{{Repro: "a < b"}}}).HTML([]Case{{Repro: "a < b"}}); !strings.Contains(esc, "a &lt; b") {
		t.Errorf("HTML does not escape the reproduction's code: %s", esc)
	}
	if txt := r.Text(got); !strings.Contains(txt, got[0].Expression) {
		t.Errorf("Text misses the expression: %s", txt)
	}
}

// Every recorded reproduction is displayed by the chapter that discusses it: a case no lesson shows
// is a claim the course measured and then does not tell the reader.
func TestEveryReproIsShownByALesson(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lessons, err := filepath.Glob(filepath.Join("..", "[0-9][0-9]-*.md"))
	if err != nil || len(lessons) == 0 {
		t.Fatalf("no lessons found next to package article: %v", err)
	}
	call := regexp.MustCompile(`ShowRepro\(([^)]*)\)`)
	id := regexp.MustCompile(`"([a-z0-9_]+)"`)
	shown := map[string]string{}
	for _, p := range lessons {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			for _, q := range id.FindAllStringSubmatch(m[1], -1) {
				shown[q[1]] = filepath.Base(p)
			}
		}
	}
	known := map[string]bool{}
	for _, c := range r.Cases {
		known[c.ID] = true
		if shown[c.ID] == "" {
			t.Errorf("reproduction %q (%s, %s) is shown by no lesson (article.ShowRepro)", c.ID, c.Section, c.Expression)
		}
	}
	for id, lesson := range shown {
		if !known[id] {
			t.Errorf("%s shows reproduction %q, which repro.json does not have", lesson, id)
		}
	}
}

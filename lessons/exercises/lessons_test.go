package exercises

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// exerciseHeader matches an exercise's first line in a lesson: **练习 2.1**（由代码检查）：…
var exerciseHeader = regexp.MustCompile(`^\*\*练习 (\d+\.\d+)\*\*(（由代码检查）)?`)

// lessonExercise is one exercise of a lesson: its number, whether it is checked by code, and the
// Go cells between its first line and the next exercise or heading.
type lessonExercise struct {
	file    string
	id      string
	checked bool
	cells   []string
}

// readLessonExercises parses the exercises of every lessons/NN-*.md.
func readLessonExercises(t *testing.T) []lessonExercise {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "[0-9][0-9]-*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found next to lessons/exercises (%v)", err)
	}
	var out []lessonExercise
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var cur *lessonExercise
		var cell []string
		inCode := false
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case inCode && strings.TrimSpace(line) == "```":
				inCode = false
				if cur != nil {
					cur.cells = append(cur.cells, strings.Join(cell, "\n"))
				}
			case inCode:
				cell = append(cell, line)
			case strings.HasPrefix(line, "```go"):
				inCode, cell = true, nil
			case strings.HasPrefix(line, "#"):
				cur = nil // a heading ends the exercise
			default:
				if m := exerciseHeader.FindStringSubmatch(line); m != nil {
					out = append(out, lessonExercise{file: filepath.Base(file), id: m[1], checked: m[2] != ""})
					cur = &out[len(out)-1]
				}
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
	}
	return out
}

// checkerName is the function of this package that checks exercise id: "2.1" → "Check2_1".
func checkerName(id string) string { return "Check" + strings.ReplaceAll(id, ".", "_") }

// mainPart returns the lines after the cell's "%%" line (GoNB's main function), without blank lines
// and comments; ok is false when the cell has no "%%".
func mainPart(cell string) (lines []string, ok bool) {
	for _, line := range strings.Split(cell, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "%%":
			ok = true
		case ok && trimmed != "" && !strings.HasPrefix(trimmed, "//"):
			lines = append(lines, trimmed)
		}
	}
	return lines, ok
}

// TestLessonsCallTheCheckers fails when a 由代码检查 exercise's checker cell does something else than
// call its checker here, when its blank cell no longer ships the blank these tests use, when an
// exercise has no reference solution in exerciseTests, or when a checker here is used by no lesson.
func TestLessonsCallTheCheckers(t *testing.T) {
	exercises := readLessonExercises(t)
	seen := map[string]string{} // checked exercise id → lesson
	for _, e := range exercises {
		if !e.checked {
			continue
		}
		where := e.file + " 练习 " + e.id
		if prev, dup := seen[e.id]; dup {
			t.Errorf("%s: exercise number already used in %s", where, prev)
			continue
		}
		seen[e.id] = e.file
		if chapter, _, _ := strings.Cut(e.id, "."); !strings.HasPrefix(e.file, lessonPrefix(chapter)) {
			t.Errorf("%s: exercise number does not match the chapter", where)
		}
		if len(e.cells) < 2 {
			t.Errorf("%s: want a blank cell and a checker cell, found %d Go cells", where, len(e.cells))
			continue
		}
		call := "exercises." + checkerName(e.id) + "("
		checker := e.cells[len(e.cells)-1]
		body, ok := mainPart(checker)
		if !ok || len(body) != 1 || !strings.Contains(body[0], call) {
			t.Errorf("%s: the last Go cell must be a main cell (%%%%) whose only statement calls %s…).Print(); it is:\n%s", where, call, checker)
		}
		if !strings.Contains(checker, `"github.com/bert2gpt/bert2gpt/lessons/exercises"`) {
			t.Errorf("%s: the checker cell must import github.com/bert2gpt/bert2gpt/lessons/exercises", where)
		}
		test, ok := exerciseTests[e.id]
		switch {
		case !ok:
			t.Errorf("%s: no reference solution in exerciseTests", where)
		case !strings.Contains(e.cells[0], test.blank):
			t.Errorf("%s: the blank cell no longer contains %q, the blank TestCheckers runs:\n%s", where, test.blank, e.cells[0])
		}
	}
	for id := range exerciseTests {
		if _, ok := seen[id]; !ok {
			t.Errorf("exerciseTests has exercise %s, which no lesson marks （由代码检查）", id)
		}
	}
	for _, name := range exportedCheckers(t) {
		id := strings.ReplaceAll(strings.TrimPrefix(name, "Check"), "_", ".")
		if _, ok := seen[id]; !ok {
			t.Errorf("%s is called by no lesson: no 由代码检查 exercise %s", name, id)
		}
	}
}

// lessonPrefix is how the lesson file of a chapter starts: "2" → "02-".
func lessonPrefix(chapter string) string {
	n, _ := strconv.Atoi(chapter)
	return fmt.Sprintf("%02d-", n)
}

// exportedCheckers lists the package's exported top-level functions named Check… (test files
// excluded).
func exportedCheckers(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() && strings.HasPrefix(fn.Name.Name, "Check") {
				names = append(names, fn.Name.Name)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no Check… functions found in package exercises")
	}
	return names
}

// exerciseLess orders exercise numbers by chapter, then by number: "2.1" < "10.1".
func exerciseLess(a, b string) bool {
	pa, pb := strings.SplitN(a, ".", 2), strings.SplitN(b, ".", 2)
	for i := range 2 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return a < b
}

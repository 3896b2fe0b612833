package article

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The audit page lessons/errata.md is checked against itself and against the lessons it points to:
// entries numbered E1…En without gaps, each with exactly one status marker from the legend, the
// statistics table equal to the markers counted, and every "chapter, section heading" pointer naming
// a heading that exists in that lesson (a renamed section would otherwise leave the audit pointing
// nowhere).

var (
	entryRe  = regexp.MustCompile(`(?m)^\*\*E(\d+)\*\*`)
	markerRe = regexp.MustCompile(`【(已演示|文字勘误|待补)[^】]*】`)
	// A link to a lesson followed by one or more quoted section headings: [09-x.md](09-x.md)"3. 标题"与"4. 标题".
	pointerRe = regexp.MustCompile(`\]\(((?:\d\d-[a-z0-9-]+)\.md)\)((?:[与和、及或]?"[^"]+")+)`)
	quotedRe  = regexp.MustCompile(`"([^"]+)"`)
	statRe    = regexp.MustCompile(`(?m)^\| 【(已演示|文字勘误|待补)】[^|]*\| (\d+) \|`)
)

func readErrata(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "errata.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestErrataEntriesAndStatistics(t *testing.T) {
	text := readErrata(t)
	stats := strings.Index(text, "## 统计")
	if stats < 0 {
		t.Fatal("errata.md has no statistics section (## 统计)")
	}
	body := text[:stats]
	locs := entryRe.FindAllStringSubmatchIndex(body, -1)
	if len(locs) == 0 {
		t.Fatal("errata.md has no entries (**E1** …)")
	}
	counted := map[string]int{}
	for i, loc := range locs {
		n, _ := strconv.Atoi(body[loc[2]:loc[3]])
		if n != i+1 {
			t.Errorf("entry %d is numbered E%d: entries must run E1, E2, … without gaps", i+1, n)
		}
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		entry := body[loc[0]:end]
		if h := strings.Index(entry, "\n## "); h >= 0 { // the entry ends at the next section heading
			entry = entry[:h]
		}
		markers := markerRe.FindAllStringSubmatch(entry, -1)
		if len(markers) != 1 {
			t.Errorf("E%d has %d status markers (want exactly one of 【已演示】【文字勘误】【待补…】)", n, len(markers))
			continue
		}
		counted[markers[0][1]]++
	}
	if !strings.Contains(text[stats:], "**"+strconv.Itoa(len(locs))+"**") {
		t.Errorf("the statistics section does not state the number of entries (**%d**)", len(locs))
	}
	table := statRe.FindAllStringSubmatch(text[stats:], -1)
	if len(table) != 3 {
		t.Fatalf("statistics table: found %d rows for the three markers, want 3", len(table))
	}
	for _, row := range table {
		if n, _ := strconv.Atoi(row[2]); n != counted[row[1]] {
			t.Errorf("statistics table says 【%s】 %d, the entries carry it %d times", row[1], n, counted[row[1]])
		}
	}
}

func TestErrataPointsAtRealSections(t *testing.T) {
	text := readErrata(t)
	headings := map[string]map[string]bool{} // lesson file → its headings (without the #s)
	lessonHeadings := func(file string) map[string]bool {
		if h, ok := headings[file]; ok {
			return h
		}
		h := map[string]bool{}
		b, err := os.ReadFile(filepath.Join("..", file))
		if err != nil {
			t.Errorf("errata.md links to %s, which does not exist", file)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "#") {
				h[strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
			}
		}
		headings[file] = h
		return h
	}
	pointers := 0
	for _, m := range pointerRe.FindAllStringSubmatch(text, -1) {
		h := lessonHeadings(m[1])
		for _, q := range quotedRe.FindAllStringSubmatch(m[2], -1) {
			pointers++
			if !h[q[1]] {
				t.Errorf("errata.md points at %s \"%s\": no such heading in that lesson", m[1], q[1])
			}
		}
	}
	if pointers < 50 {
		t.Errorf("found only %d chapter/section pointers in errata.md; the pattern no longer matches its links?", pointers)
	}
}

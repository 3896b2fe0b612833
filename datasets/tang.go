package datasets

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/pkg/errors"
)

// ChinesePoetry pins the npm package the poems come from. Its integrity is the registry's
// dist.integrity for chinese-poetry@2.0.1 (`npm view chinese-poetry@2.0.1 dist.integrity`).
//
// The package's dist/quantangshi/poet.{tang,song}.*.json hold 57,607 Tang and 254,248 Song
// poems in traditional characters (繁体); the package has no simplified variant of these
// files, so the text is kept as published. After dropping poems without any text, 57,603
// Tang and 254,225 Song poems remain.
var ChinesePoetry = NpmPackage{
	Spec:      "chinese-poetry@2.0.1",
	Integrity: "sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg==",
	RelPath:   "chinese-poetry/chinese-poetry-2.0.1.tgz",
}

// Dynasty selects a collection of chinese-poetry's quantangshi directory.
type Dynasty string

// The two collections of dist/quantangshi.
const (
	Tang Dynasty = "tang"
	Song Dynasty = "song"
)

// poemFileRE matches the poem files inside the tarball, e.g. package/dist/quantangshi/poet.tang.1000.json.
var poemFileRE = regexp.MustCompile(`^package/dist/quantangshi/poet\.(tang|song)\.(\d+)\.json$`)

// extractedDir is the cache directory with the normalized poems.
const extractedDir = "chinese-poetry/2.0.1"

// extractManifest records the sha256 of each normalized file, written last.
type extractManifest struct {
	Source string            `json:"source"`
	Files  map[string]string `json:"files"` // name -> sha256
	Counts map[string]int    `json:"counts"`
}

// TangPoems returns the normalized Tang poems (57,603) using a [Fetcher] from [NewFetcher].
func TangPoems(ctx context.Context) ([]Poem, error) {
	f, err := NewFetcher()
	if err != nil {
		return nil, err
	}
	return f.Poems(ctx, Tang)
}

// Poems returns the normalized poems of a dynasty from chinese-poetry@2.0.1: the tarball is
// fetched with npm (or found in the data directory / cache), verified, and its
// dist/quantangshi/poet.<dynasty>.*.json files are normalized once into JSON-lines files in
// the cache, whose hashes are checked on every load (a corrupted file is re-extracted).
// Records keep the source order (files by number, poems in file order); lines are trimmed
// and empty lines and poems without lines dropped.
func (f *Fetcher) Poems(ctx context.Context, d Dynasty) ([]Poem, error) {
	if d != Tang && d != Song {
		return nil, errors.Errorf("unknown dynasty %q (want %q or %q)", d, Tang, Song)
	}
	dir := filepath.Join(f.CacheDir, filepath.FromSlash(extractedDir))
	name := string(d) + ".jsonl"
	if poems, err := readPoemsVerified(dir, name); err == nil {
		return poems, nil
	}
	tgz, err := f.NpmTarball(ctx, ChinesePoetry)
	if err != nil {
		return nil, err
	}
	f.logf("bert2gpt: extracting poems from %s", tgz)
	if err := ExtractPoems(tgz, dir); err != nil {
		return nil, err
	}
	return readPoemsVerified(dir, name)
}

func readPoemsVerified(dir, name string) ([]Poem, error) {
	mp := filepath.Join(dir, "manifest.json")
	mb, err := boundedread.ReadFile(mp, boundedread.ConfigLimit)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(mb)
	if err != nil {
		return nil, errors.WithMessagef(err, "parsing %s", mp)
	}
	if _, ok := m.Files[name]; !ok {
		return nil, errors.Errorf("%s not in manifest", name)
	}
	p := filepath.Join(dir, name)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return verifiedPoems(m, name, data, p)
}

// verifiedPoems reads the poems of file name (its content data, at path p) if the manifest's sum
// is the file's.
func verifiedPoems(m extractManifest, name string, data []byte, p string) ([]Poem, error) {
	want, ok := m.Files[name]
	if !ok {
		return nil, errors.Errorf("%s not in manifest", name)
	}
	if got := SHA256Hex(data); got != want {
		return nil, errors.Errorf("%s: sha256 %s does not match manifest %s", p, got, want)
	}
	return ReadPoemsJSONL(bytes.NewReader(data), p)
}

// parseManifest reads and checks a manifest.json: file names without directories, sha256 sums of
// 64 hexadecimal digits, counts ≥ 0.
func parseManifest(data []byte) (extractManifest, error) {
	var m extractManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return m, err
	}
	for name, sum := range m.Files {
		if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
			return m, errors.Errorf("file name %q is not a plain file name", name)
		}
		if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
			return m, errors.Errorf("file %q: sha256 %q is not 64 hexadecimal digits", name, sum)
		}
	}
	for name, n := range m.Counts {
		if n < 0 {
			return m, errors.Errorf("count of %q is %d, negative", name, n)
		}
	}
	return m, nil
}

// ReadPoemsJSONL reads poems written one JSON object per line; name is used in errors.
func ReadPoemsJSONL(r io.Reader, name string) ([]Poem, error) {
	var poems []Poem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var p Poem
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, errors.Wrapf(err, "%s:%d", name, lineNo)
		}
		poems = append(poems, p)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrapf(err, "reading %s", name)
	}
	return poems, nil
}

// sourcePoem is the JSON layout of a chinese-poetry poem.
type sourcePoem struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Author     string   `json:"author"`
	Paragraphs []string `json:"paragraphs"`
}

type poemFile struct {
	dynasty string
	index   int
	poems   []Poem
}

// ExtractPoems reads a chinese-poetry tarball (.tgz), normalizes the Tang and Song poem
// files and writes tang.jsonl, song.jsonl and manifest.json into dir, each atomically
// (the manifest last). Errors name the tarball entry that could not be read.
func ExtractPoems(tgzPath, dir string) error {
	fh, err := os.Open(tgzPath)
	if err != nil {
		return err
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		return errors.Wrapf(err, "%s is not a gzip file", tgzPath)
	}
	tr := tar.NewReader(gz)
	var files []poemFile
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errors.Wrapf(err, "reading tar %s", tgzPath)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		m := poemFileRE.FindStringSubmatch(path.Clean(hdr.Name))
		if m == nil {
			continue
		}
		idx, _ := strconv.Atoi(m[2])
		var src []sourcePoem
		if err := json.NewDecoder(tr).Decode(&src); err != nil {
			return errors.Wrapf(err, "%s: parsing %s", tgzPath, hdr.Name)
		}
		pf := poemFile{dynasty: m[1], index: idx}
		for i, sp := range src {
			p, ok := normalizePoem(sp)
			if !ok {
				continue
			}
			if p.ID == "" {
				p.ID = fmt.Sprintf("%s-%d-%d", m[1], idx, i)
			}
			pf.poems = append(pf.poems, p)
		}
		files = append(files, pf)
	}
	if len(files) == 0 {
		return errors.Errorf("%s has no dist/quantangshi/poet.*.json files", tgzPath)
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].dynasty != files[j].dynasty {
			return files[i].dynasty > files[j].dynasty // tang before song
		}
		return files[i].index < files[j].index
	})
	man := extractManifest{Source: ChinesePoetry.Spec, Files: map[string]string{}, Counts: map[string]int{}}
	for _, d := range []string{string(Tang), string(Song)} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for _, pf := range files {
			if pf.dynasty != d {
				continue
			}
			for _, p := range pf.poems {
				if err := enc.Encode(p); err != nil {
					return err
				}
				man.Counts[d]++
			}
		}
		name := d + ".jsonl"
		man.Files[name] = SHA256Hex(buf.Bytes())
		if err := writeFileAtomic(filepath.Join(dir, name), func(out *os.File) error {
			_, err := out.Write(buf.Bytes())
			return err
		}); err != nil {
			return err
		}
	}
	mb, _ := json.MarshalIndent(man, "", "  ")
	return writeFileAtomic(filepath.Join(dir, "manifest.json"), func(out *os.File) error {
		_, err := out.Write(mb)
		return err
	})
}

func normalizePoem(sp sourcePoem) (Poem, bool) {
	p := Poem{ID: strings.TrimSpace(sp.ID), Title: strings.TrimSpace(sp.Title), Author: strings.TrimSpace(sp.Author)}
	for _, l := range sp.Paragraphs {
		if l = strings.TrimSpace(l); l != "" {
			p.Lines = append(p.Lines, l)
		}
	}
	return p, len(p.Lines) > 0
}

// Package article holds what the course measured about the article's own code, for the chapters'
// 勘误 sections to display.
//
// The article's §4 PyTorch code often does not run as written, or runs and does something else than
// its text says. scripts/reference/article_repro.py runs a minimal reproduction of each such
// expression in PyTorch (written for the course, not the article's code) and records the outcome
// in repro.json, embedded here, so a chapter's claim "this raises X" shows the error PyTorch
// really raised:
//
//	article.ShowRepro("attn_sqrt_int", "attn_scale_multiplies") // in a GoNB cell
package article

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/bert2gpt/bert2gpt/lessons/viz"
)

//go:embed repro.json
var reproJSON []byte

// Case is one reproduction: the article's expression under test, the PyTorch code that exercises it,
// and what happened when it ran.
type Case struct {
	ID         string `json:"id"`
	Section    string `json:"section"`    // every section of the article where the expression occurs
	Expression string `json:"expression"` // the article's expression, quoted
	Repro      string `json:"repro"`      // the minimal reproduction that ran
	Outcome    string `json:"outcome"`    // "error" or "runs"
	ErrorType  string `json:"error_type"` // the exception's class, for "error"
	Message    string `json:"message"`    // str(exception), or what the reproduction printed
	NoteZh     string `json:"note_zh"`    // one sentence: what it shows
}

// Repros is the whole fixture: the PyTorch and Python versions it was recorded with, and the cases.
type Repros struct {
	TorchVersion  string `json:"torch_version"`
	PythonVersion string `json:"python_version"`
	Cases         []Case `json:"cases"`
}

// Load decodes the embedded fixture.
func Load() (*Repros, error) {
	var r Repros
	if err := json.Unmarshal(reproJSON, &r); err != nil {
		return nil, fmt.Errorf("article: decoding repro.json: %w", err)
	}
	return &r, nil
}

// Find returns the cases with the given ids, in that order; an unknown id is an error naming it and
// the ids that exist.
func (r *Repros) Find(ids ...string) ([]Case, error) {
	byID := make(map[string]Case, len(r.Cases))
	known := make([]string, 0, len(r.Cases))
	for _, c := range r.Cases {
		byID[c.ID] = c
		known = append(known, c.ID)
	}
	out := make([]Case, 0, len(ids))
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("article: no reproduction %q in repro.json (have: %s)", id, strings.Join(known, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

// HTML renders cases as a table: section, the article's expression, the reproduction, and PyTorch's
// answer (the exception, or the printed output).
func (r *Repros) HTML(cases []Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div><b>原文代码的最小复现</b>（PyTorch %s，scripts/reference/article_repro.py 实际运行的结果）`, html.EscapeString(r.TorchVersion))
	b.WriteString(`<table style="border-collapse:collapse;font-size:90%">`)
	b.WriteString(`<tr><th style="text-align:left">原文</th><th style="text-align:left">复现代码</th><th style="text-align:left">PyTorch 的结果</th></tr>`)
	for _, c := range cases {
		result := html.EscapeString(strings.TrimSpace(c.Message))
		if c.Outcome == "error" {
			result = `<span style="color:#b00">` + html.EscapeString(c.ErrorType) + `: ` + result + `</span>`
		} else {
			result = `运行，输出：<pre style="margin:0">` + result + `</pre>`
		}
		fmt.Fprintf(&b, `<tr style="border-top:1px solid #ccc;vertical-align:top"><td>%s<br><code>%s</code></td><td><pre style="margin:0">%s</pre></td><td>%s<br>%s</td></tr>`,
			html.EscapeString(c.Section), html.EscapeString(c.Expression), html.EscapeString(strings.TrimRight(c.Repro, "\n")),
			result, html.EscapeString(c.NoteZh))
	}
	b.WriteString(`</table></div>`)
	return b.String()
}

// Text renders cases as plain text, one block per case (what a cell prints outside a notebook).
func (r *Repros) Text(cases []Case) string {
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "%s  %s\n", c.Section, c.Expression)
		if c.Outcome == "error" {
			fmt.Fprintf(&b, "  PyTorch %s: %s: %s\n", r.TorchVersion, c.ErrorType, strings.TrimSpace(c.Message))
		} else {
			fmt.Fprintf(&b, "  PyTorch %s runs it: %s\n", r.TorchVersion, strings.ReplaceAll(strings.TrimSpace(c.Message), "\n", "\n    "))
		}
		fmt.Fprintf(&b, "  %s\n", c.NoteZh)
	}
	return b.String()
}

// ShowRepro displays the named reproductions in a notebook cell (a table) or prints them (plain text)
// elsewhere. It panics on an unknown id: a chapter naming a case that does not exist is a bug.
func ShowRepro(ids ...string) {
	r, err := Load()
	if err != nil {
		panic(err)
	}
	cases, err := r.Find(ids...)
	if err != nil {
		panic(err)
	}
	if viz.InNotebook() {
		viz.Show(r.HTML(cases))
		return
	}
	fmt.Print(r.Text(cases))
}

// Package hubtest is a fake Hugging Face hub for tests: an httptest server answering in the hub's
// URL layout, which go-huggingface's client (and so pretrained.Fetch, bert.FromPretrained,
// gpt.FromPretrained and the CLI) talks to as to the real one:
//
//	GET  /api/models/<owner>/<name>/revision/<revision>   {"id", "sha": commit, "siblings": [{"rfilename"}]}
//	HEAD /<owner>/<name>/resolve/<commit>/<file>          ETag (git blob SHA-1) or X-Linked-Etag (SHA-256, LFS files)
//	GET  /<owner>/<name>/resolve/<commit>/<file>          the content
//
// Faults (a truncated body, damaged bytes, a listed file that is not served) are set per file.
package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Fault is what the server does wrong when serving one file's content.
type Fault int

const (
	// NoFault serves the file as it is.
	NoFault Fault = iota
	// Truncate declares the full Content-Length but sends only the first half, then closes.
	Truncate
	// Damage sends the full length with one byte changed.
	Damage
	// Missing lists the file in the repository but answers 404 for it.
	Missing
)

// Server is a fake hub. Add repositories with Add; URL is its endpoint (pretrained.Options.Endpoint,
// or HF_ENDPOINT).
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	repos    map[string]*repo
	faults   map[string]Fault // "<id>/<file>" → fault
	requests []string         // "METHOD path", in order
}

type repo struct {
	refs    map[string]string            // branch or tag → commit
	commits map[string]map[string][]byte // commit → file name → content
}

// New starts a server that is closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{repos: map[string]*repo{}, faults: map[string]Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Add publishes files as a new commit of repository id and points revision (a branch or tag
// name, e.g. "main") at it. It returns the commit hash (40 hex digits, derived from the content).
func (s *Server) Add(id, revision string, files map[string][]byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%s\x00", id, revision)
	for _, name := range sortedNames(files) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	commit := hex.EncodeToString(h.Sum(nil))
	r := s.repos[id]
	if r == nil {
		r = &repo{refs: map[string]string{}, commits: map[string]map[string][]byte{}}
		s.repos[id] = r
	}
	r.commits[commit] = files
	r.refs[revision] = commit
	return commit
}

// SetFault makes the server misbehave when serving file of repository id.
func (s *Server) SetFault(id, file string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[id+"/"+file] = f
}

// Requests returns the requests served so far ("GET /api/models/…"), in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Count returns how many requests so far had the method and a path containing part.
func (s *Server) Count(method, part string) int {
	n := 0
	for _, r := range s.Requests() {
		if m, p, _ := strings.Cut(r, " "); m == method && strings.Contains(p, part) {
			n++
		}
	}
	return n
}

// LFS reports whether the hub stores a file with Git LFS (its ETag is then the SHA-256 of the
// content): weights and other large binaries.
func LFS(name string) bool {
	for _, ext := range []string{".safetensors", ".bin", ".h5", ".msgpack", ".onnx", ".pt"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// ETag is the hub's ETag of a file: SHA-256 of the content for LFS files, else the git blob hash.
func ETag(name string, data []byte) string {
	if LFS(name) {
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	}
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
		s.serveInfo(w, rest)
		return
	}
	s.serveFile(w, r)
}

// serveInfo answers /api/models/<id>/revision/<revision>.
func (s *Server) serveInfo(w http.ResponseWriter, rest string) {
	id, revision, ok := strings.Cut(rest, "/revision/")
	s.mu.Lock()
	rp := s.repos[id]
	var commit string
	var files map[string][]byte
	if rp != nil {
		commit = revision
		if c, isRef := rp.refs[revision]; isRef {
			commit = c
		}
		files = rp.commits[commit]
	}
	s.mu.Unlock()
	if !ok || rp == nil {
		w.Header().Set("X-Error-Message", "Repository not found")
		http.Error(w, `{"error":"Repository not found"}`, http.StatusNotFound)
		return
	}
	if files == nil {
		w.Header().Set("X-Error-Message", "Invalid rev id: "+revision)
		http.Error(w, `{"error":"Invalid rev id"}`, http.StatusNotFound)
		return
	}
	var siblings []map[string]string
	for _, name := range sortedNames(files) {
		siblings = append(siblings, map[string]string{"rfilename": name})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "modelId": id, "sha": commit, "siblings": siblings})
}

// serveFile answers HEAD and GET /<id>/resolve/<commit>/<file>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	id, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/resolve/")
	commit, name, ok2 := strings.Cut(rest, "/")
	s.mu.Lock()
	var data []byte
	found := false
	if rp := s.repos[id]; ok && ok2 && rp != nil {
		data, found = rp.commits[commit][name]
	}
	fault := s.faults[id+"/"+name]
	s.mu.Unlock()
	if !found || fault == Missing {
		w.Header().Set("X-Error-Message", "Entry not found")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	etag := ETag(name, data)
	if LFS(name) {
		w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	w.Header().Set("X-Repo-Commit", commit)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	switch fault {
	case Truncate:
		_, _ = w.Write(data[:len(data)/2])
		// Returning with fewer bytes than Content-Length makes net/http close the connection:
		// the client sees the body end early.
		return
	case Damage:
		data = append([]byte(nil), data...)
		data[len(data)/2] ^= 0xff
	}
	_, _ = w.Write(data)
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

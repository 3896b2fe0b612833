// Package docker holds the notebook image's recipe. No Docker engine runs on the CI machines, so this
// test checks the recipe itself: everything the Dockerfile copies or runs exists in the checkout, the
// image runs as a non-root user, and its Go version matches go.mod. CI runs scripts/setup.sh — the
// command the image runs — on the CI machine itself.
package docker

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDockerfileRecipe(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var lines []string
	sc := bufio.NewScanner(f)
	for cont := ""; sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		lines = append(lines, cont+line)
		cont = ""
	}

	scriptRef := regexp.MustCompile(`\bscripts/[\w./-]+`)
	var user, from string
	copies, scripts := 0, 0
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			from = rest
		case "USER":
			user = rest
		case "COPY":
			var srcs []string
			for _, w := range strings.Fields(rest) {
				if !strings.HasPrefix(w, "--") {
					srcs = append(srcs, w)
				}
			}
			for _, src := range srcs[:len(srcs)-1] { // the last word is the destination
				copies++
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("COPY %s: not in the checkout: %v", src, err)
				}
			}
		case "RUN", "CMD":
			for _, s := range scriptRef.FindAllString(rest, -1) {
				scripts++
				st, err := os.Stat(filepath.Join(root, strings.TrimRight(s, `"],`)))
				if err != nil {
					t.Errorf("%s runs %s, which is not in the checkout", instr, s)
				} else if st.Mode()&0o111 == 0 {
					t.Errorf("%s runs %s, which is not executable", instr, s)
				}
			}
		}
	}
	if copies == 0 || scripts == 0 {
		t.Fatalf("parsed %d COPY sources and %d script references: the Dockerfile parser is broken", copies, scripts)
	}
	if user == "" || user == "root" || user == "0" {
		t.Errorf("the image must run as a non-root user, USER is %q", user)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	if goVersion == nil || !strings.Contains(from, "golang:"+string(goVersion[1])) {
		t.Errorf("base image %q does not match go.mod's Go %s", from, goVersion[1])
	}
	if !strings.Contains(strings.Join(lines, "\n"), "scripts/setup.sh") {
		t.Error("the image must be installed by scripts/setup.sh, like make lab and CI")
	}
}

// TestImageDefaults: the base image is pinned by digest, the documented `docker run` publishes the
// lab on the host's loopback only, and the lab settings that scripts/setup.sh installs turn off
// JupyterLab's news pop-up and update checks (checked against the installed JupyterLab's schema
// when the venv exists).
func TestImageDefaults(t *testing.T) {
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^FROM golang:[\w.-]+@sha256:[0-9a-f]{64}\b`).Match(dockerfile) {
		t.Error("the base image is not pinned by digest (FROM golang:…@sha256:…)")
	}
	for _, doc := range []string{"Dockerfile", "README.md", "../README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range regexp.MustCompile(`docker run [^\n]*`).FindAll(b, -1) {
			if p := regexp.MustCompile(`-p (\S+)`).FindSubmatch(run); p == nil || !strings.HasPrefix(string(p[1]), "127.0.0.1:") {
				t.Errorf("%s: %q publishes the lab beyond the loopback interface", doc, run)
			}
		}
	}
	raw, err := os.ReadFile("../scripts/lab-settings/overrides.json")
	if err != nil {
		t.Fatal(err)
	}
	var overrides map[string]map[string]any
	if err := json.Unmarshal(raw, &overrides); err != nil {
		t.Fatal(err)
	}
	n := overrides["@jupyterlab/apputils-extension:notification"]
	if n["fetchNews"] != "false" || n["checkForUpdates"] != false {
		t.Errorf("lab settings %v: want fetchNews \"false\" and checkForUpdates false", n)
	}
	setup, _ := os.ReadFile("../scripts/setup.sh")
	if !strings.Contains(string(setup), `scripts/lab-settings/overrides.json" "$VENV/share/jupyter/lab/settings/overrides.json"`) {
		t.Error("scripts/setup.sh does not install scripts/lab-settings/overrides.json into the venv's JupyterLab")
	}
	schemas, _ := filepath.Glob("../.venv/share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json")
	if len(schemas) == 0 {
		t.Skip("no JupyterLab installed (run scripts/setup.sh): the schema is not checked")
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	b, _ := os.ReadFile(schemas[0])
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	for k := range n {
		if _, ok := schema.Properties[k]; !ok {
			t.Errorf("the installed JupyterLab has no notification setting %q", k)
		}
	}
}

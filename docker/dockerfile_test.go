// Package docker holds the notebook image's recipe. No Docker engine runs on the CI machines, so this
// test checks the recipe itself: everything the Dockerfile copies or runs exists in the checkout, the
// image runs as a non-root user, and its Go version matches go.mod. CI runs scripts/setup.sh — the
// command the image runs — on the CI machine itself.
package docker

import (
	"bufio"
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

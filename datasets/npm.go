package datasets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/pkg/errors"
)

// NpmPackage pins an npm package tarball: Spec is "name@version" as given to `npm pack`,
// Integrity the registry's dist.integrity ("sha512-…"), RelPath where the tarball is kept
// in the cache (and looked for under $BERT2GPT_DATA_DIR).
type NpmPackage struct {
	Spec      string
	Integrity string
	RelPath   string
}

// RunNpmPack runs `npm pack <spec>` with dir as working directory and returns the path
// of the tarball it wrote. npm uses the user's own configuration (registry, proxy, cache),
// so no registry is named here.
func RunNpmPack(ctx context.Context, spec, dir string) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.Errorf("the npm client is needed to fetch %s but was not found on PATH; install Node.js/npm", spec)
	}
	cmd := exec.CommandContext(ctx, npm, "pack", spec)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outBytes, err := cmd.Output()
	if err != nil {
		return "", errors.Wrapf(err, "npm pack %s failed: %s", spec, strings.TrimSpace(stderr.String()))
	}
	// npm prints the file name as the last line of stdout.
	lines := strings.Split(strings.TrimSpace(string(outBytes)), "\n")
	name := strings.TrimSpace(lines[len(lines)-1])
	p := filepath.Join(dir, name)
	if name == "" || !strings.HasSuffix(name, ".tgz") {
		// Fall back to looking for the one .tgz in dir.
		matches, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
		if len(matches) != 1 {
			return "", errors.Errorf("npm pack %s: cannot find the tarball it wrote (stdout %q)", spec, string(outBytes))
		}
		p = matches[0]
	}
	if _, err := os.Stat(p); err != nil {
		return "", errors.Wrapf(err, "npm pack %s: tarball not found", spec)
	}
	return p, nil
}

// npmTempPrefix starts the names of the temporary directories npm pack runs in.
const npmTempPrefix = ".npm-pack-"

// cleanNpmTemps removes the temporary directories of npm pack runs that were killed (kill -9 skips
// their deferred removal), so they do not accumulate in the cache.
func cleanNpmTemps(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && e.IsDir() && atomicfile.StaleDir(e.Name(), npmTempPrefix, info.ModTime()) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// NpmTarball returns a local, verified path of the package's tarball: from the data
// directory, else the cache, else by running f.NpmPack in a temporary directory inside the
// cache and moving the verified tarball into place.
func (f *Fetcher) NpmTarball(ctx context.Context, pkg NpmPackage) (string, error) {
	rf := RemoteFile{RelPath: pkg.RelPath, URL: "npm:" + pkg.Spec, Checksum: Checksum{Integrity: pkg.Integrity}}
	if p, ok, err := f.existing(rf, pkg.Spec+"'s integrity"); ok || err != nil {
		return p, err
	}
	cached := f.CachePath(rf)
	hint := func(cause error) error {
		return errors.Errorf("%s is not available: %v; run `npm pack %s` and put the tarball at %s (or under $%s as %s)",
			pkg.Spec, cause, pkg.Spec, cached, EnvDataDir, pkg.RelPath)
	}
	if f.Offline {
		return "", hint(errors.Errorf("offline ($%s is set)", EnvOffline))
	}
	pack := f.NpmPack
	if pack == nil {
		pack = RunNpmPack
	}
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		return "", errors.Wrapf(err, "creating cache directory")
	}
	cleanNpmTemps(filepath.Dir(cached))
	tmpDir, err := os.MkdirTemp(filepath.Dir(cached), npmTempPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", errors.Wrapf(err, "creating temporary directory")
	}
	defer os.RemoveAll(tmpDir)
	f.logf("bert2gpt: fetching %s with npm pack (this may take a minute)", pkg.Spec)
	tgz, err := pack(ctx, pkg.Spec, tmpDir)
	if err != nil {
		return "", hint(err)
	}
	if err := rf.Checksum.Verify(tgz); err != nil {
		return "", hint(err)
	}
	// Same directory tree, so the rename is atomic; sync first so the content is durable.
	if fh, err := os.Open(tgz); err == nil {
		_ = fh.Sync()
		_ = fh.Close()
	}
	if err := os.Rename(tgz, cached); err != nil {
		return "", errors.Wrapf(err, "moving %s to %s", tgz, cached)
	}
	return cached, nil
}

package release

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/internal/version"
)

// TestReleaseModules builds the repository's modules the way a dependent
// does once version.Version is tagged: a module proxy (a file:// directory)
// serves the checkout's root and server modules at that version, and
// outside any workspace, with a module cache of its own,
//
//   - a copy of server/ and of example/ resolves its go.mod requirements
//     from the proxy: go mod tidy must not change the go.mod (a go.mod that
//     is not tidy against the release fails here), then go vet and go build;
//   - a new module requires the released modules, runs the generator as a
//     go tool, builds and runs what it generated; parsec-gen version prints
//     exactly version.Version.
//
// The modules hold the files git tracks or would track (git ls-files
// --cached --others --exclude-standard), as a tag would publish them.
func TestReleaseModules(t *testing.T) {
	if testing.Short() {
		t.Skip("builds modules with the go command; skipped in -short mode")
	}
	goBin := goTool(t)
	repo := testenv.RepoRoot(t)
	files := repoFiles(t, repo)
	proxy := t.TempDir()
	writeModule(t, proxy, rootModule, repo, moduleFiles(files, ""))
	writeModule(t, proxy, serverModule, filepath.Join(repo, "server"), moduleFiles(files, "server"))

	modcache := strings.TrimSpace(baseEnv().run(t, repo, goBin, "env", "GOMODCACHE"))
	upstream := strings.TrimSpace(baseEnv().run(t, repo, goBin, "env", "GOPROXY"))
	// The dependencies come from the module cache's download directory (a
	// proxy in its own right) and else from the usual proxy; the modules of
	// this repository only from the release proxy, and not from the checksum
	// database, which has never seen them.
	e := baseEnv(
		"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(modcache, "cache", "download"))+","+upstream,
		"GOMODCACHE="+filepath.Join(t.TempDir(), "modcache"),
		"GONOSUMDB="+rootModule,
		// -trimpath keys the build cache by module path and version, not by
		// the directory of this run's module cache: a second run compiles
		// nothing it compiled before.
		"GOFLAGS=-modcacherw -trimpath",
	)

	for _, dir := range []string{"server", "example"} {
		t.Run(dir, func(t *testing.T) {
			copyDir := filepath.Join(t.TempDir(), dir)
			copyFiles(t, repo, copyDir, dir, moduleFiles(files, dir))
			before, err := os.ReadFile(filepath.Join(copyDir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			e.run(t, copyDir, goBin, "mod", "tidy")
			after, err := os.ReadFile(filepath.Join(copyDir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(before), string(after)); diff != "" {
				t.Fatalf("%s/go.mod is not tidy against the release %s: go mod tidy there changes it (-committed +tidy):\n%s", dir, version.Version, diff)
			}
			e.run(t, copyDir, goBin, "vet", "./...")
			e.run(t, copyDir, goBin, "build", "./...")
		})
	}

	t.Run("dependent", func(t *testing.T) {
		shop := t.TempDir()
		e.run(t, shop, goBin, "mod", "init", "example.com/shop")
		e.run(t, shop, goBin, "mod", "edit",
			"-require="+rootModule+"@"+version.Version,
			"-require="+serverModule+"@"+version.Version,
			"-tool="+rootModule+"/cmd/parsec-gen")
		writeFiles(t, shop, consumerFiles)
		// The embedded server is a dependency like any other: use it.
		writeFiles(t, shop, map[string]string{"server.go": "package main\n\nimport _ \"" + serverModule + "\"\n"})
		e.run(t, shop, goBin, "mod", "tidy")
		e.run(t, shop, goBin, "generate", "./...")
		checkConsumer(t, e, goBin, shop)
		if got, want := e.run(t, shop, goBin, "tool", "parsec-gen", "version"), "parsec-gen "+version.Version+"\n"; got != want {
			t.Errorf("go tool parsec-gen version printed %q, want %q", got, want)
		}
		gomod, err := os.ReadFile(filepath.Join(shop, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{rootModule, serverModule} {
			if !strings.Contains(string(gomod), "\t"+m+" "+version.Version+"\n") {
				t.Errorf("the dependent's go.mod does not require %s %s:\n%s", m, version.Version, gomod)
			}
		}
	})
}

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

// repoFiles lists the repository's files, slash-separated and relative to
// its root, as a commit of the working tree would hold them.
func repoFiles(t *testing.T, repo string) []string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git is not on PATH")
	}
	out := baseEnv().run(t, repo, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f == "" {
			continue
		}
		// A tracked file deleted in the working tree is not published.
		if st, err := os.Lstat(filepath.Join(repo, filepath.FromSlash(f))); err == nil && st.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	return files
}

// moduleFiles returns the files of the module in directory dir ("" for the
// root), relative to dir: those below it and not inside a nested module.
func moduleFiles(files []string, dir string) []string {
	nested := map[string]bool{}
	for _, f := range files {
		if d := filepath.ToSlash(filepath.Dir(f)); strings.HasSuffix(f, "/go.mod") && d != dir {
			nested[d] = true
		}
	}
	var out []string
next:
	for _, f := range files {
		rel := f
		if dir != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(f, dir+"/"); !ok {
				continue
			}
		}
		for d := f; d != "."; {
			d = filepath.ToSlash(filepath.Dir(d))
			if d == dir || d == "." {
				break
			}
			if nested[d] {
				continue next
			}
		}
		out = append(out, rel)
	}
	return out
}

// writeModule writes module mod at version.Version into the proxy
// directory: its list, .info, .mod and .zip (paths under mod@version/).
func writeModule(t *testing.T, proxy, mod, dir string, files []string) {
	t.Helper()
	base := filepath.Join(proxy, filepath.FromSlash(mod), "@v")
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(mod + "@" + version.Version + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, base, map[string]string{
		"list":                    version.Version + "\n",
		version.Version + ".info": fmt.Sprintf(`{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version.Version),
		version.Version + ".mod":  string(gomod),
		version.Version + ".zip":  buf.String(),
	})
}

// copyFiles copies the files (relative to repo/dir) into to.
func copyFiles(t *testing.T, repo, to, dir string, files []string) {
	t.Helper()
	m := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(dir), filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = string(data)
	}
	writeFiles(t, to, m)
}

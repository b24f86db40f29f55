package cli

import (
	"bufio"
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen"
)

// missingRequirements returns the go.mod file governing dir and the import
// paths of files that no module it names (the module itself or a
// requirement, indirect ones included) provides: what "go mod tidy" must add
// before the generated package builds. It returns "" when there is no go.mod
// or nothing is missing; it never fails (the note it feeds is advice).
func missingRequirements(dir string, files gen.Files) (string, []string) {
	gomod := findGoMod(dir)
	if gomod == "" {
		return "", nil
	}
	src, err := os.ReadFile(gomod)
	if err != nil {
		return "", nil
	}
	mods := modulePaths(src)
	seen := map[string]bool{}
	var missing []string
	for _, f := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, im := range parsed.Imports {
			p, err := strconv.Unquote(im.Path.Value)
			if err != nil || seen[p] || !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				continue // standard library
			}
			seen[p] = true
			if !providedBy(p, mods) {
				missing = append(missing, p)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) == 0 {
		return "", nil
	}
	return gomod, missing
}

// findGoMod returns the go.mod file in dir or its nearest parent, or "".
func findGoMod(dir string) string {
	for {
		p := filepath.Join(dir, "go.mod")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// modulePaths returns the module path and every required module path of a
// go.mod file (a line scan: "module X", "require X v", and the lines of a
// "require (...)" block).
func modulePaths(src []byte) []string {
	var mods []string
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock:
			mods = append(mods, unquote(f[0]))
		case f[0] == "module" && len(f) > 1:
			mods = append(mods, unquote(f[1]))
		case f[0] == "require" && len(f) > 1 && f[1] == "(":
			inBlock = true
		case f[0] == "require" && len(f) > 1:
			mods = append(mods, unquote(f[1]))
		}
	}
	return mods
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// providedBy reports whether the import path p lies in one of mods.
func providedBy(p string, mods []string) bool {
	for _, m := range mods {
		if p == m || strings.HasPrefix(p, m+"/") {
			return true
		}
	}
	return false
}

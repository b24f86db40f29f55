package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen"
)

// change is one file the output directory needs: verb is "change", "add" or
// "remove".
type change struct {
	name    string
	verb    string
	content []byte
}

// plan is the set of changes that brings an output directory in line with a
// generation result. It is computed before anything is written.
type plan struct {
	dir   string
	items []change // sorted by name
	// foreign are files the generation would overwrite that do not carry
	// the parsec-gen header: someone else wrote them, so nothing is written.
	foreign []string
}

func (p plan) changes() []change { return p.items }

// planOutput compares files with the contents of dir. It reads only: a
// missing dir means every file is added.
func planOutput(dir string, files gen.Files) (plan, error) {
	p := plan{dir: dir}
	want := map[string]bool{}
	for _, f := range files {
		if err := checkName(f.Name); err != nil {
			return p, fmt.Errorf("internal error: generator returned %v", err)
		}
		if want[f.Name] {
			return p, fmt.Errorf("internal error: generator returned the file %q twice", f.Name)
		}
		want[f.Name] = true
		old, err := os.ReadFile(filepath.Join(dir, f.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.items = append(p.items, change{name: f.Name, verb: "add", content: f.Content})
		case err != nil:
			return p, fmt.Errorf("%s: %w", filepath.Join(dir, f.Name), err)
		case !bytes.Equal(old, f.Content) && !startsWithHeader(old):
			p.foreign = append(p.foreign, f.Name)
		case !bytes.Equal(old, f.Content):
			p.items = append(p.items, change{name: f.Name, verb: "change", content: f.Content})
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return p, err
	}
	for _, de := range entries {
		name := de.Name()
		if want[name] || !de.Type().IsRegular() || !strings.HasSuffix(name, Suffix) {
			continue
		}
		ours, err := hasHeader(filepath.Join(dir, name))
		if err != nil {
			return p, err
		}
		if ours {
			p.items = append(p.items, change{name: name, verb: "remove"})
		}
	}
	sort.Slice(p.items, func(i, j int) bool { return p.items[i].name < p.items[j].name })
	sort.Strings(p.foreign)
	return p, nil
}

// checkName accepts a plain file name: no directory part, nothing special.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		return fmt.Errorf("the file name %q, want a plain file name", name)
	}
	return nil
}

// hasHeader reports whether the file at p starts with the parsec-gen header
// line.
func hasHeader(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close() // read-only: a close error cannot lose data
	buf := make([]byte, len(Header)+2)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	return startsWithHeader(buf[:n]), nil
}

// startsWithHeader reports whether content starts with the parsec-gen
// header line.
func startsWithHeader(content []byte) bool {
	return bytes.HasPrefix(content, []byte(Header+"\n")) || bytes.HasPrefix(content, []byte(Header+"\r\n"))
}

// apply writes the plan: each file through a temporary file renamed into
// place, so a reader never sees half a file.
func (p plan) apply() error {
	if len(p.items) == 0 {
		return nil
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	for _, c := range p.items {
		target := filepath.Join(p.dir, c.name)
		if c.verb == "remove" {
			if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			continue
		}
		if err := writeFile(target, c.content); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(target string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(content)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		if rerr := os.Remove(tmp.Name()); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("%s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		if rerr := os.Remove(tmp.Name()); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

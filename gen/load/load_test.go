package load

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

func TestParseIndex(t *testing.T) {
	src := "{\n  \"b\": 1,\n  \"a\": {\"x/y\": [true, null]},\n  \"c~\": \"s\\u00e9\"\n}"
	v, ix, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ix.Keys(""), ","); got != "b,a,c~" {
		t.Errorf("key order = %q, want b,a,c~", got)
	}
	for ptr, want := range map[string]Pos{
		"":          {1, 1},
		"/b":        {2, 8},
		"/a/x~1y/1": {3, 23},
		"/c~0":      {4, 9},
	} {
		if got, ok := ix.Pos(ptr); !ok || got != want {
			t.Errorf("Pos(%q) = %v, %v; want %v", ptr, got, ok, want)
		}
	}
	if s := v.(map[string]any)["c~"]; s != "sé" {
		t.Errorf("escaped string decoded to %q", s)
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"{\n  \"a\": 1,\n}":        "3:1: unexpected '}', want an object key",
		`{"a": 1, "a": 2}`:         `1:10: duplicate key "a"`,
		"[1, 2":                    "1:6: unexpected end of input",
		`{"a": 01}`:                "1:8: unexpected '1', want ',' or '}'",
		`{"a": tru}`:               `1:7: invalid literal, want "true"`,
		"\"abc":                    "1:1: unterminated string",
		strings.Repeat("[", 20000): "nesting deeper than",
	} {
		_, _, err := Parse([]byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.20q) error = %v, want %q", src, err, want)
		}
	}
}

func TestLoadRefsAndPlaces(t *testing.T) {
	fsys := fstest.MapFS{
		"s/a.json":      {Data: []byte(`{"properties": {"b": {"$ref": "sub/b.json#/$defs/x"}}}`)},
		"s/sub/b.json":  {Data: []byte(`{"$defs": {"x": {"type": "string"}}}`)},
		"s/remote.json": {Data: []byte("{\n \"properties\": {\"r\": {\"$ref\": \"https://example.com/x.json\"}}}")},
		"s/bad.json":    {Data: []byte("{\"type\": 5}")},
		"s/null.json":   {Data: []byte(`{"description": null, "const": {"description": null}}`)},
		"s/d4.json":     {Data: []byte(`{"id": "https://example.com/d4.json", "properties": {"n": {"type": "number", "minimum": 0, "exclusiveMinimum": true}}}`)},
		"s/id.json":     {Data: []byte(`{"$id": "https://example.com/s/id.json", "properties": {"b": {"$ref": "sub/b.json#/$defs/x"}}}`)},
	}
	set, err := Load(Config{FS: fsys}, []string{"s/a.json", "s/id.json"})
	if err != nil {
		t.Fatal(err)
	}
	b := set.Inputs[0].Schema.Properties["b"].Ref
	d, ptr, ok := set.Locate(b.Location)
	if !ok || d.Path != "s/sub/b.json" || ptr != "/$defs/x" {
		t.Errorf("Locate(%q) = %v %q %v", b.Location, d, ptr, ok)
	}
	b2 := set.Inputs[1].Schema.Properties["b"].Ref
	if d, _, ok := set.Locate(b2.Location); !ok || d.Path != "s/sub/b.json" {
		t.Errorf("ref under $id: Locate(%q) = %v, %v", b2.Location, d, ok)
	}

	_, err = Load(Config{FS: fsys, Display: func(p string) string { return "in/" + p }}, []string{"s/remote.json"})
	if err == nil || !strings.Contains(err.Error(), `in/s/remote.json:2:31: remote $ref "https://example.com/x.json"`) {
		t.Errorf("remote ref error = %v", err)
	}
	_, err = Load(Config{FS: fsys}, []string{"s/bad.json"})
	if err == nil || !strings.Contains(err.Error(), "s/bad.json:1:10: invalid schema") {
		t.Errorf("invalid schema error = %v", err)
	}
	set, err = Load(Config{FS: fsys}, []string{"s/d4.json"})
	if err != nil {
		t.Fatal(err)
	}
	if n := set.Inputs[0].Schema.Properties["n"]; n.ExclusiveMinimum == nil || n.ExclusiveMinimum.Sign() != 0 {
		t.Errorf("draft-04 exclusiveMinimum not read: %v", n.ExclusiveMinimum)
	}
	if len(set.Warnings) != 1 || !strings.Contains(set.Warnings[0], "read as draft-04") {
		t.Errorf("warnings = %q", set.Warnings)
	}
	set, err = Load(Config{FS: fsys}, []string{"s/null.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Warnings) != 1 || !strings.Contains(set.Warnings[0], "s/null.json:1:17: annotation description is null, want a string; treated as absent") {
		t.Errorf("warnings = %q", set.Warnings)
	}
	if got := string(set.Inputs[0].Effective()); got != `{"$schema":"http://json-schema.org/draft-07/schema#","const":{"description":null}}` {
		t.Errorf("effective schema = %s", got)
	}
	if c := *set.Inputs[0].Schema.Const; c.(map[string]any)["description"] != nil || len(c.(map[string]any)) != 1 {
		t.Errorf("const data was changed: %v", c)
	}
}

// TestEffectiveAddsDraft checks that a schema without "$schema" is embedded
// as written with the draft it was read under added first, whatever its
// layout, and under the draft --default-draft names.
func TestEffectiveAddsDraft(t *testing.T) {
	const d7 = `"$schema": "http://json-schema.org/draft-07/schema#"`
	for src, want := range map[string]string{
		"{\n  \"type\": \"string\"\n}\n": "{" + d7 + ",\n  \"type\": \"string\"\n}\n",
		`{"type": "string"}`:             `{` + d7 + `, "type": "string"}`,
		` { }`:                           ` {` + d7 + ` }`,
		"{\n\t\"a\": {}}":                "{" + d7 + ",\n\t\"a\": {}}",
	} {
		set, err := Load(Config{FS: fstest.MapFS{"a.json": {Data: []byte(src)}}}, []string{"a.json"})
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := string(set.Inputs[0].Effective()); got != want {
			t.Errorf("Effective(%q) = %q, want %q", src, got, want)
		}
	}
	set, err := Load(Config{FS: fstest.MapFS{"a.json": {Data: []byte(`{"prefixItems": [{"type": "string"}]}`)}}, DefaultDraft: "2020-12"}, []string{"a.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Inputs[0].Schema.PrefixItems; len(got) != 1 {
		t.Errorf("prefixItems under --default-draft 2020-12: %v", got)
	}
	if _, err := Load(Config{FS: fstest.MapFS{}, DefaultDraft: "draft-5"}, nil); err == nil || !strings.Contains(err.Error(), `unknown draft "draft-5"`) {
		t.Errorf("unknown draft: %v", err)
	}
}

func TestLoadCorpus(t *testing.T) {
	dir := filepath.Join(testenv.Corpus(t), "schemas")
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	failed := 0
	for _, n := range names {
		if _, err := Load(Config{FS: fsys}, []string{filepath.Base(n)}); err != nil {
			failed++
			t.Errorf("%v", err)
		}
	}
	t.Logf("loaded %d/%d corpus schemas", len(names)-failed, len(names))
}

// unreadableDir is a file system whose directory "locked" cannot be listed.
type unreadableDir struct{ fstest.MapFS }

func (u unreadableDir) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "locked" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return u.MapFS.ReadDir(name)
}

// A $ref by $id that the index cannot place says when the search for files
// by $id could not read part of the input, instead of dropping that fact.
func TestRefByIDSaysTheSearchWasIncomplete(t *testing.T) {
	fsys := unreadableDir{fstest.MapFS{
		"a.json":             {Data: []byte(`{"properties": {"c": {"$ref": "https://acme.example/defs/common.json"}}}`)},
		"locked/common.json": {Data: []byte(`{"$id": "https://acme.example/defs/common.json", "type": "string"}`)},
	}}
	_, err := Load(Config{FS: fsys}, []string{"a.json"})
	if err == nil || !strings.Contains(err.Error(), "could not read") || !strings.Contains(err.Error(), "locked") {
		t.Errorf("error = %v, want the unreadable directory named", err)
	}
}

func TestEmbedded(t *testing.T) {
	fsys := fstest.MapFS{
		"a.json": {Data: []byte(`{
  "title": "A",
  "properties": {"description": {"type": "string", "description": "d"}, "n": {"$ref": "defs.json#/definitions/n/examples/0"}}
}`)},
		"defs.json": {Data: []byte(`{"definitions": {"n": {"examples": [{"type": "integer"}], "default": 1}}}`)},
	}
	set, err := Load(Config{FS: fsys}, []string{"a.json"})
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]*Doc{}
	for _, d := range set.byPath {
		docs[d.Path] = d
	}
	want := map[string]string{
		"a.json":    `{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"description":{"type":"string"},"n":{"$ref":"defs.json#/definitions/n/examples/0"}}}`,
		"defs.json": `{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"n":{"examples":[{"type":"integer"}]}}}`,
	}
	for p, w := range want {
		if got := string(docs[p].Embedded()); got != w {
			t.Errorf("%s: Embedded() = %s, want %s", p, got, w)
		}
	}

	set, err = Load(Config{FS: fsys, EmbedSchema: EmbedVerbatim}, []string{"a.json"})
	if err != nil {
		t.Fatal(err)
	}
	if d := set.Inputs[0]; !bytes.Equal(d.Embedded(), d.Effective()) {
		t.Errorf("verbatim: Embedded() = %s, want Effective() %s", d.Embedded(), d.Effective())
	}
	if _, err := Load(Config{FS: fsys, EmbedSchema: "minified"}, []string{"a.json"}); err == nil || !strings.Contains(err.Error(), `"minified"`) {
		t.Errorf("EmbedSchema minified: err %v, want one naming it", err)
	}
}

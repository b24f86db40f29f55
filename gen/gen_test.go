package gen

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// dump renders the IR as indented text, one declaration per block, so tests
// can compare whole models with readable diffs.
func dump(p *ir.Package) string {
	var b strings.Builder
	for _, f := range p.Files {
		root := "<nil>"
		if f.Root != nil {
			root = f.Root.Name
		}
		fmt.Fprintf(&b, "file %s source=%s aspect=%q ref=%q root=%s\n", f.Name, f.Source, f.Aspect, f.SchemaRef, root)
		for _, n := range f.Types {
			fmt.Fprintf(&b, "  type %s @%s = %s", n.Name, n.Loc.Pointer, typ(n.Type))
			for _, r := range n.Residual {
				fmt.Fprintf(&b, " residual(%s)", r.Keyword)
			}
			b.WriteByte('\n')
			switch t := n.Type.(type) {
			case *ir.Struct:
				for _, fl := range t.Fields {
					ind := ""
					if fl.Indirect {
						ind = " *"
					}
					fmt.Fprintf(&b, "    %s %q %s%s %s\n", fl.Name, fl.JSONName, fl.Repr, ind, typ(fl.Type))
				}
				fmt.Fprintf(&b, "    unknown=%s %s\n", t.Unknown, t.AdditionalField)
			case *ir.Enum:
				if t.Open {
					b.WriteString("    open\n")
				}
				for _, v := range t.Values {
					fmt.Fprintf(&b, "    %s = %s\n", v.Name, v.JSON)
				}
			case *ir.Union:
				fmt.Fprintf(&b, "    oneOf=%v by %s %s\n", t.OneOf, t.Strategy, t.Discriminator)
				for _, v := range t.Variants {
					fmt.Fprintf(&b, "    %s %s tag=%s marker=%s\n", v.Name, typ(v.Type), v.Tag, v.Marker)
				}
			}
		}
	}
	return b.String()
}

func typ(t ir.Type) string {
	switch t := t.(type) {
	case *ir.Struct:
		return "struct"
	case *ir.Enum:
		return "enum " + t.Kind.String()
	case *ir.Const:
		return "const " + t.JSON
	case *ir.Primitive:
		return t.Kind.String()
	case *ir.Array:
		return "[]" + typ(t.Elem)
	case *ir.Tuple:
		return fmt.Sprintf("tuple(%d)", len(t.Items))
	case *ir.Map:
		return "map " + typ(t.Value)
	case *ir.Union:
		return "union"
	case *ir.Nullable:
		return "nullable " + typ(t.Elem)
	case *ir.Ref:
		return t.Name
	case *ir.External:
		return t.Path + "." + t.Name
	case *ir.Raw:
		return "raw"
	case *ir.Never:
		return "never"
	default:
		panic(fmt.Sprintf("unreachable: IR type %T", t))
	}
}

func model(t *testing.T, files map[string]string, schemas ...string) (*ir.Package, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return Model(Config{FS: fsys, Schemas: schemas, Package: "events"})
}

func TestModelObject(t *testing.T) {
	p, err := model(t, map[string]string{"schemas/order_placed.json": `{
  "title": "Order placed",
  "type": "object",
  "required": ["order_id", "status", "note"],
  "additionalProperties": false,
  "properties": {
    "order_id": {"type": "string", "format": "uuid"},
    "status": {"enum": ["placed", "in-progress", "done"]},
    "note": {"type": ["string", "null"]},
    "total": {"type": "number", "minimum": 0},
    "coupon": {"type": ["string", "null"]},
    "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}},
    "tags": {"type": "object", "additionalProperties": {"type": "integer"}},
    "kind": {"const": "order"},
    "ttl": {"type": "string", "x-go-type": "time.Duration"},
    "ids": {"type": "array", "items": {"$ref": "#/$defs/ID"}},
    "channel": {"anyOf": [{"enum": ["web", "app"]}, {"type": "string"}]}
  },
  "$defs": {"ID": {"type": "string", "x-go-type": "example.com/ids.ID"}}
}`}, "schemas/order_placed.json")
	if err != nil {
		t.Fatal(err)
	}
	want := `file order_placed.parsec.go source=schemas/order_placed.json aspect="order_placed" ref="schemas/order_placed.json" root=OrderPlaced
  type OrderPlaced @ = struct
    OrderID "order_id" plain uuid
    Status "status" plain OrderPlacedStatus
    Note "note" nullable string
    Total "total" opt float64
    Coupon "coupon" opt+nullable string
    Items "items" opt []OrderPlacedItemsItem
    Tags "tags" opt map int64
    Kind "kind" opt const "order"
    TTL "ttl" opt time.Duration
    IDs "ids" opt []example.com/ids.ID
    Channel "channel" opt OrderPlacedChannel
    unknown=reject 
  type OrderPlacedStatus @/properties/status = enum string
    OrderPlacedStatusPlaced = "placed"
    OrderPlacedStatusInProgress = "in-progress"
    OrderPlacedStatusDone = "done"
  type OrderPlacedItemsItem @/properties/items/items = struct
    Sku "sku" opt string
    unknown=keep AdditionalProperties
  type OrderPlacedChannel @/properties/channel = enum string
    open
    OrderPlacedChannelWeb = "web"
    OrderPlacedChannelApp = "app"
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	root := p.Files[0].Root
	if root.Doc[0] != "OrderPlaced corresponds to the root of schemas/order_placed.json." || root.Doc[2] != "Order placed." {
		t.Errorf("root doc = %q", root.Doc)
	}
}

func TestModelRefsCyclesAndOrder(t *testing.T) {
	files := map[string]string{
		"s/common.json": `{"$defs": {"Money": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "integer"}}}}}`,
		"s/a.json": `{"type": "object", "properties": {
			"price": {"$ref": "common.json#/$defs/Money"},
			"parent": {"$ref": "#"},
			"children": {"type": "array", "items": {"$ref": "#"}},
			"next": {"$ref": "#/$defs/Node"}},
			"$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}, "v": {"type": "boolean"}}}}}`,
		"s/b.json": `{"type": "object", "properties": {"cost": {"$ref": "common.json#/$defs/Money"}}}`,
	}
	p1, err := model(t, files, "s/a.json", "s/b.json")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := model(t, files, "s/b.json", "s/a.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dump(p1), dump(p2)); diff != "" {
		t.Errorf("argument order changed the model:\n%s", diff)
	}
	want := `file a.parsec.go source=s/a.json aspect="a" ref="s/a.json" root=A
  type A @ = struct
    Price "price" opt Money
    Parent "parent" opt * A
    Children "children" opt []A
    Next "next" opt Node
    unknown=keep AdditionalProperties
  type Node @/$defs/Node = struct
    Next "next" opt * Node
    V "v" opt bool
    unknown=keep AdditionalProperties
file b.parsec.go source=s/b.json aspect="b" ref="s/b.json" root=B
  type B @ = struct
    Cost "cost" opt Money
    unknown=keep AdditionalProperties
file common.parsec.go source=s/common.json aspect="" ref="s/common.json" root=<nil>
  type Money @/$defs/Money = struct
    Amount "amount" plain int64
    unknown=keep AdditionalProperties
`
	if diff := cmp.Diff(want, dump(p1)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestModelUnions(t *testing.T) {
	p, err := model(t, map[string]string{"s/shape.json": `{
  "type": "object",
  "properties": {
    "shape": {"oneOf": [
      {"title": "Circle", "type": "object", "required": ["kind", "r"], "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}}},
      {"$ref": "#/definitions/Square"}
    ]},
    "id": {"type": ["string", "integer"]},
    "maybe": {"anyOf": [{"$ref": "#/definitions/Square"}, {"type": "null"}]},
    "pick": {"anyOf": [
      {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
      {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}}
    ]}
  },
  "definitions": {
    "Square": {"type": "object", "required": ["kind", "side"], "properties": {"kind": {"enum": ["square"]}, "side": {"type": "number"}}}
  }
}`}, "s/shape.json")
	if err != nil {
		t.Fatal(err)
	}
	got := dump(p)
	for _, want := range []string{
		"    Shape \"shape\" opt ShapeShape\n",
		"    oneOf=true by discriminator kind\n    ShapeShapeCircle ShapeShapeCircle tag=\"circle\" marker=\n    Square Square tag=\"square\" marker=\n",
		"    ID \"id\" opt ShapeID\n",
		"    oneOf=true by kind \n    ShapeIDInt int64 tag= marker=\n    ShapeIDString string tag= marker=\n",
		"    Maybe \"maybe\" opt+nullable Square\n",
		"    oneOf=false by required \n    ShapePickA ShapePickA tag= marker=a\n    ShapePickB ShapePickB tag= marker=b\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("model lacks\n%s\ngot:\n%s", want, got)
		}
	}
}

func TestModelAllOf(t *testing.T) {
	p, err := model(t, map[string]string{"s/m.json": `{
  "allOf": [
    {"$ref": "#/definitions/Base"},
    {"type": "object", "required": ["extra"], "properties": {"extra": {"type": "boolean"}}}
  ],
  "definitions": {"Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}
}`}, "s/m.json")
	if err != nil {
		t.Fatal(err)
	}
	want := "  type M @ = struct\n    ID \"id\" plain string\n    Extra \"extra\" plain bool\n"
	if got := dump(p); !strings.Contains(got, want) {
		t.Errorf("merged struct missing:\n%s", got)
	}

	_, err = model(t, map[string]string{"s/c.json": `{"allOf": [
  {"type": "object", "properties": {"n": {"type": "string"}}},
  {"type": "object", "properties": {"n": {"type": "integer"}}}
]}`}, "s/c.json")
	if err == nil || !strings.Contains(err.Error(), `s/c.json:3:42: property "n": type Int conflicts with type String at s/c.json:2:42`) {
		t.Errorf("conflict error = %v", err)
	}
}

func TestModelErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"remote ref", map[string]string{"s/x.json": `{"properties": {"a": {"$ref": "http://example.com/a.json"}}}`},
			`s/x.json:1:31: remote $ref "http://example.com/a.json" is not supported`},
		{"missing files", map[string]string{"s/x.json": `{"properties": {"b": {"$ref": "1"}, "a": {"$ref": "nope.json"}}}`},
			"s/x.json:1:31: $ref \"1\": there is no file \"s/1\"\n" +
				"s/x.json:1:51: $ref \"nope.json\": there is no file \"s/nope.json\""},
		{"missing id", map[string]string{"s/x.json": `{"$id": "https://a.example/x.json", "properties": {"b": {"$ref": "y.json"}}}`},
			`s/x.json:1:66: $ref "y.json" resolves to "https://a.example/y.json": no loaded schema has this $id, and there is no file "s/y.json" at the same place under the directory of a loaded schema's $id`},
		{"draft-03 type schema", map[string]string{"s/x.json": `{"$schema": "http://json-schema.org/draft-03/schema#", "properties": {"a": {"type": ["string", {"type": "integer"}]}}}`},
			`s/x.json:1:85: draft-03 "type" with a schema in it is not supported; write it as anyOf`},
		{"missing pointer", map[string]string{"s/x.json": `{"properties": {"a": {"$ref": "#/$defs/nope"}}}`},
			`s/x.json:1:31: $ref "#/$defs/nope": s/x.json has nothing at #/$defs/nope`},
		{"bad x-go-type", map[string]string{"s/x.json": `{"properties": {"a": {"type": "string", "x-go-type": "time."}}}`},
			`s/x.json:1:54: x-go-type "time." is not a Go type name`},
		{"bad x-go-name", map[string]string{"s/x.json": `{"properties": {"a": {"type": "string", "x-go-name": "2a"}}}`},
			`s/x.json:1:54: x-go-name "2a" is not an exported Go identifier`},
		{"malformed", map[string]string{"s/x.json": "{\n  \"a\": ,\n}"}, `s/x.json:2:8: malformed JSON`},
		{"name collision", map[string]string{"s/x.json": `{"properties": {"a_b": {"type": "string"}, "aB": {"type": "string", "x-go-name": "AB"}}}`},
			`Go name "AB" is also used by property "a_b"`},
		{"bad package", map[string]string{"s/x.json": `{}`}, `package name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(text)}
			}
			pkg := "events"
			if tt.name == "bad package" {
				pkg = "func"
			}
			_, err := Model(Config{FS: fsys, Schemas: []string{"s/x.json"}, Package: pkg})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDocsCannotBreakOut(t *testing.T) {
	p, err := model(t, map[string]string{"s/x.json": `{"description": "line one\r\nline two\u2028*/ func init() { panic(1) }\u0000", "type": "object", "properties": {}}`}, "s/x.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := p.Files[0].Root.Doc
	want := []string{"X corresponds to the root of s/x.json.", "", "line one", "line two", "*/ func init() { panic(1) }"}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestModelReservedAndClientNames(t *testing.T) {
	p, err := model(t, map[string]string{"s/client.json": `{"type": "object", "properties": {"a": {"type": "string"}}}`}, "s/client.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Files[0].Root.Name; got != "ClientType" {
		t.Errorf("root of client.json is %q, want ClientType (Client is declared by the typed client)", got)
	}
	_, err = model(t, map[string]string{
		"s/foo.json":         `{"type": "object"}`,
		"s/derived_foo.json": `{"type": "object"}`,
	}, "s/foo.json", "s/derived_foo.json")
	if err == nil || !strings.Contains(err.Error(), `client method "PublishDerivedFoo" would be generated for both`) {
		t.Errorf("error = %v, want the PublishDerived clash", err)
	}
	_, err = model(t, map[string]string{"s/parsec_aspects.json": `{}`}, "s/parsec_aspects.json")
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("error = %v, want the shared file name reserved", err)
	}
}

func TestModelRootNameOverride(t *testing.T) {
	p, err := model(t, map[string]string{"s/r.json": `{"x-go-name": "Refund", "title": "Ignored title",
		"type": "object", "properties": {"line": {"type": "object", "properties": {"n": {"type": "integer"}}}}}`}, "s/r.json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range p.Files[0].Types {
		names = append(names, n.Name)
	}
	if diff := cmp.Diff([]string{"Refund", "RefundLine"}, names); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestModelAddingASchemaRenamesNothing(t *testing.T) {
	files := map[string]string{
		"s/a.json": `{"type": "object", "properties": {"address": {"type": "object", "properties": {"city": {"type": "string"}}},
			"status": {"enum": ["on", "off"]}}, "definitions": {"Address": {"type": "object"}}}`,
		"s/b.json": `{"type": "object", "properties": {"address": {"type": "object"}, "status": {"enum": ["x"]}}}`,
	}
	alone, err := model(t, files, "s/a.json")
	if err != nil {
		t.Fatal(err)
	}
	both, err := model(t, files, "s/b.json", "s/a.json")
	if err != nil {
		t.Fatal(err)
	}
	var fileA *ir.File
	for _, f := range both.Files {
		if f.Path == "s/a.json" {
			fileA = f
		}
	}
	if diff := cmp.Diff(dump(alone), dump(&ir.Package{Files: []*ir.File{fileA}})); diff != "" {
		t.Errorf("adding b.json changed a.json's model:\n%s", diff)
	}
}

// TestDocsAreGofmtStable prints doc lines the way the emitter does and checks
// that gofmt leaves them alone, for text that gofmt would otherwise turn into
// headings, code blocks or reindented lists.
func TestDocsAreGofmtStable(t *testing.T) {
	gofmt, err := exec.LookPath("gofmt")
	if err != nil {
		gofmt = filepath.Join(runtime.GOROOT(), "bin", "gofmt")
	}
	desc := "Money\n\nAn amount.\n    indented code\n- item one\n- item two\n\n1. first\n2. second\n\n[link]: https://example.com\nSee [link].\n\n# Heading\nText"
	p, err := model(t, map[string]string{"s/x.json": fmt.Sprintf(`{"title": "Money", "description": %q, "type": "object",
		"properties": {"a": {"title": "Amount", "description": %q, "deprecated": true, "type": "string"}}}`, desc, desc)}, "s/x.json")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	src.WriteString("package x\n\n")
	printDoc := func(lines []string, indent string) {
		for _, l := range lines {
			if l == "" {
				src.WriteString(indent + "//\n")
			} else {
				src.WriteString(indent + "// " + l + "\n")
			}
		}
	}
	root := p.Files[0].Root
	printDoc(root.Doc, "")
	src.WriteString("type X struct {\n")
	f := root.Type.(*ir.Struct).Fields[0]
	printDoc(f.Doc, "\t")
	src.WriteString("\tA string\n}\n")
	cmd := exec.Command(gofmt)
	cmd.Stdin = strings.NewReader(src.String())
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("gofmt not runnable: %v", err)
	}
	if diff := cmp.Diff(src.String(), string(out)); diff != "" {
		t.Errorf("gofmt changes the doc comments (-ours +gofmt):\n%s", diff)
	}
}

func TestModelNestedUnionsFlatten(t *testing.T) {
	p, err := model(t, map[string]string{"s/u.json": `{"type": "object", "properties": {"v": {"oneOf": [
		{"$ref": "#/$defs/Scalar"}, {"type": "boolean"}]}},
		"$defs": {"Scalar": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}`}, "s/u.json")
	if err != nil {
		t.Fatal(err)
	}
	want := "  type UV @/properties/v = union\n    oneOf=true by kind \n" +
		"    UVString string tag= marker=\n    UVInt int64 tag= marker=\n    UVBool bool tag= marker=\n"
	if got := dump(p); !strings.Contains(got, want) {
		t.Errorf("want\n%s\ngot\n%s", want, got)
	}
}

func TestModelFileNamesAvoidBuildConstraints(t *testing.T) {
	p, err := model(t, map[string]string{
		"s/scan-android.json": `{}`, "s/unit_test.json": `{}`, "s/linux.json": `{}`, "s/order.schema.json": `{}`,
	}, "s/scan-android.json", "s/unit_test.json", "s/linux.json", "s/order.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range p.Files {
		names = append(names, f.Name)
	}
	want := []string{"linux.parsec.go", "order.parsec.go", "scan_android_schema.parsec.go", "unit_test_schema.parsec.go"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestModelAllOfWithUnionDistributes(t *testing.T) {
	p, err := model(t, map[string]string{"s/enc.json": `{
  "type": "object",
  "allOf": [
    {"$ref": "#/$defs/Codec"},
    {"type": "object", "properties": {"except": {"type": "array", "items": {"type": "string"}}}}
  ],
  "$defs": {"Codec": {"oneOf": [
    {"type": "object", "required": ["codec"], "properties": {"codec": {"const": "json"}, "pretty": {"type": "boolean"}}},
    {"type": "object", "required": ["codec"], "properties": {"codec": {"const": "csv"}, "fields": {"type": "array", "items": {"type": "string"}}}}
  ]}}
}`}, "s/enc.json")
	if err != nil {
		t.Fatal(err)
	}
	got := dump(p)
	for _, want := range []string{
		"  type Enc @ = union residual(allOf)\n    oneOf=true by discriminator codec\n" +
			"    EncJSON EncJSON tag=\"json\" marker=\n    EncCsv EncCsv tag=\"csv\" marker=\n",
		"  type EncJSON @/$defs/Codec/oneOf/0 = struct\n    Codec \"codec\" plain const \"json\"\n    Pretty \"pretty\" opt bool\n" +
			"    Except \"except\" opt []string\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("model lacks\n%s\ngot:\n%s", want, got)
		}
	}
}

// TestModelSelfReferences feeds schemas that refer to themselves through
// allOf, anyOf and oneOf: each must end with a model or an error, never hang
// or overflow the stack.
func TestModelSelfReferences(t *testing.T) {
	for _, src := range []string{
		`{"allOf":[{"$ref":"#"},{"$ref":"#"},{"$ref":"#"}],"anyOf":[{"$ref":"#"},{"$ref":"#"}],"oneOf":[{"$ref":"#"},{"$ref":"#"}]}`,
		`{"allOf":[{"$ref":"#"}]}`,
		`{"anyOf":[{"$ref":"#"},{"type":"null"}]}`,
		`{"oneOf":[{"$ref":"#"},{"$ref":"#"}]}`,
		`{"properties":{"a":{"allOf":[{"$ref":"#"},{"$ref":"#/properties/a"}]}}}`,
		`{"type":"object","allOf":[{"$ref":"#/$defs/a"}],"$defs":{"a":{"allOf":[{"$ref":"#"}],"oneOf":[{"$ref":"#"},{"type":"object"}]}}}`,
		`{"type":"object","unevaluatedProperties":false,"allOf":[{"$ref":"#"},{"if":{"$ref":"#"}}]}`,
	} {
		_, err := model(t, map[string]string{"s/x.json": src}, "s/x.json")
		if err != nil && err.Error() == "" {
			t.Errorf("%s: empty error text", src)
		}
	}
}

func TestModelScalarVariantKinds(t *testing.T) {
	p, err := model(t, map[string]string{"s/k.json": `{"type": "object", "properties": {
		"a": {"oneOf": [{"enum": [1, 2]}, {"enum": [3]}]},
		"b": {"anyOf": [{"enum": [1, 2]}, {"type": "number"}]},
		"c": {"anyOf": [{"type": "integer", "minimum": 5}, {"type": "integer", "maximum": 1}]}}}`}, "s/k.json")
	if err != nil {
		t.Fatal(err)
	}
	got := dump(p)
	for _, want := range []string{
		"  type KA @/properties/a = enum int64\n",
		"  type KB @/properties/b = enum float64\n    open\n",
		"  type KC @/properties/c = int64 residual(anyOf)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("model lacks\n%s\ngot:\n%s", want, got)
		}
	}
}

func TestModelAnchorsAndRootRef(t *testing.T) {
	p, err := model(t, map[string]string{
		"s/a.json": `{"type": "object", "properties": {
			"addr": {"$ref": "#home"},
			"again": {"$ref": "#/$defs/address"},
			"self": {"$ref": "#"},
			"other": {"$ref": "b.json#item"}},
			"$defs": {"address": {"$anchor": "home", "type": "object", "properties": {"city": {"type": "string"}}}}}`,
		"s/b.json": `{"$defs": {"it": {"$anchor": "item", "type": "string", "minLength": 1}}}`,
	}, "s/a.json")
	if err != nil {
		t.Fatal(err)
	}
	want := `file a.parsec.go source=s/a.json aspect="a" ref="s/a.json" root=A
  type A @ = struct
    Addr "addr" opt Address
    Again "again" opt Address
    Self "self" opt * A
    Other "other" opt It
    unknown=keep AdditionalProperties
  type Address @/$defs/address = struct
    City "city" opt string
    unknown=keep AdditionalProperties
file b.parsec.go source=s/b.json aspect="" ref="s/b.json" root=<nil>
  type It @/$defs/it = string
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

// TestModelSharedFileNamesIgnoreWhoRefers: a definition of a shared file
// holds its name even while no schema refers to it, so a later schema that
// does cannot rename the types already generated from that file.
func TestModelSharedFileNamesIgnoreWhoRefers(t *testing.T) {
	files := map[string]string{
		"s/common.json": `{"$defs": {
			"A": {"type": "object", "properties": {"bc": {"type": "object", "properties": {"n": {"type": "integer"}}}}},
			"ABc": {"type": "object", "properties": {"m": {"type": "string"}}}}}`,
		"s/one.json": `{"type": "object", "properties": {"a": {"$ref": "common.json#/$defs/A"}}}`,
		"s/two.json": `{"type": "object", "properties": {"abc": {"$ref": "common.json#/$defs/ABc"}}}`,
	}
	names := func(p *ir.Package) map[string]string {
		out := map[string]string{}
		for _, f := range p.Files {
			for _, n := range f.Types {
				out[n.ID] = n.Name
			}
		}
		return out
	}
	alone, err := model(t, files, "s/one.json")
	if err != nil {
		t.Fatal(err)
	}
	both, err := model(t, files, "s/one.json", "s/two.json")
	if err != nil {
		t.Fatal(err)
	}
	a, b := names(alone), names(both)
	for id, name := range a {
		if b[id] != name {
			t.Errorf("%s: named %q alone, %q once two.json refers to the file", id, name, b[id])
		}
	}
	if got := b["s/common.json#/$defs/ABc"]; got != "ABc" {
		t.Errorf("definition ABc named %q, want ABc", got)
	}
	if got := a["s/common.json#/$defs/A/properties/bc"]; got != "ABcType" {
		t.Errorf("property bc of A named %q, want ABcType (ABc belongs to the definition)", got)
	}
}

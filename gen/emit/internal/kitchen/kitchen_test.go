package kitchen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

const full = `{
  "id": "ev-42", "kind": "event", "note": null, "count": 95, "ratio": 2.5, "big": 1, "small": 0.5,
  "day": "2026-05-27", "at": null, "link": "https://example.com/x", "blob": "aGk=",
  "uid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "level": 2, "letter": "b", "odd": {"a": true},
  "mixed": null, "color": "mauve", "lvl": 3, "flag": true, "version": 2,
  "tags": ["x", "y"], "matrix": [[1, null], [], [2.5]], "meta": {"a": "x", "b": null},
  "any": "hello", "payment": {"type": "card", "number": "1234-5678-9012-3456"},
  "value": [ "p", "q" ], "shape": {"side": 2}, "any_shape": {"radius": 1}, "shapes": [{"radius": 3}, {"side": 1}],
  "point": [1, 2, null], "row": ["h", 1, 2, 3],
  "parent": {"id": "ev-1", "kind": "event", "note": "root", "count": 5},
  "children": [{"id": "ev-2", "kind": "event", "note": "kid", "count": 10}],
  "number": 12.50, "num2": 7, "label": "fine", "names": ["a", "b"], "scores": {"abc": 3},
  "maybe": null, "opaque": {"k": [1, 2]}, "alias": {"type": "card", "number": "0000-0000-0000-0000"},
  "strict": {"x-a": "1"}, "typed": {"n": 5}, "loose": {"n-1": 1, "other": "kept"},
  "mixed_holder": {"n-1": 1, "flag": true}, "err": null, "old": "legacy",
  "nulls": {"a": null}, "nevers": {}, "fixed": {"f": "fixed"}, "nested": ["s", 2, ["l"], {"radius": 4}],
  "extra": {"kept": [true]}
}`

func same(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

func TestKitchenRoundTrip(t *testing.T) {
	var e Event
	if err := json.Unmarshal([]byte(full), &e); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !same(t, []byte(full), out) {
		t.Errorf("round trip changed the document:\n got %s", out)
	}
	if err := e.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if e.Parent.Value == nil || e.Parent.Value.Note.Value != "root" {
		t.Errorf("recursive pointer field: %+v", e.Parent)
	}
	if got := MatchPayment(e.Payment.Value, func(c Card) string { return c.Number }, func(Cash) string { return "cash" }); got != "1234-5678-9012-3456" {
		t.Errorf("MatchPayment = %q", got)
	}
	if _, ok := e.Shape.Value.(Square); !ok {
		t.Errorf("Shape = %T, want Square", e.Shape.Value)
	}
	if l, ok := e.Value.Value.(ScalarList); !ok || len(l) != 2 {
		t.Errorf("Value = %#v", e.Value.Value)
	}
	if e.Color.Value != "mauve" || e.Mixed.Value != MixedNull {
		t.Errorf("open enum %q, mixed enum %q", e.Color.Value, e.Mixed.Value)
	}
	if raw, ok := e.Unknown.Get("extra"); !ok || !bytes.Contains(raw, []byte("kept")) {
		t.Error("unknown property lost")
	}
	if raw, ok := e.Loose.Value.Extra.Get("other"); !ok || string(raw) != `"kept"` {
		t.Error("loose extra property lost")
	}
	if n, ok := e.Nested.Value[2].(NestedScalar); !ok || MatchScalar(n.Value, func(ScalarString) int { return 0 }, func(ScalarNumber) int { return 1 }, func(l ScalarList) int { return len(l) }) != 1 {
		t.Errorf("nested union = %#v", e.Nested.Value[2])
	}
	if v, ok := e.Scores.Value.Map().Get("abc"); !ok || v != 3 {
		t.Errorf("Scores.Map().Get = %v, %v", v, ok)
	}
	if v, ok := e.Typed.Value.Extra.Get("n"); !ok || v != 5 {
		t.Error("typed additional property lost")
	}
}

// TestKitchenMinimal checks that absent stays absent and null stays null.
func TestKitchenMinimal(t *testing.T) {
	in := `{"id":"ev-7","kind":"event","note":"n","count":0}`
	var e Event
	if err := json.Unmarshal([]byte(in), &e); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("got %s, want %s", out, in)
	}
}

func TestKitchenRejects(t *testing.T) {
	tests := []struct{ old, new, want string }{
		{`"id": "ev-42"`, `"id": "ev-x"`, `/id: "ev-x" does not match pattern`},
		{`"kind": "event"`, `"kind": "evnt"`, `/kind: "evnt" is not the constant value "event"`},
		{`"count": 95`, `"count": 100`, `/count: 100 is not less than exclusiveMaximum 100`},
		{`"count": 95`, `"count": 93`, `/count: 93 is not a multiple of 5`},
		{`"ratio": 2.5`, `"ratio": 2.25`, `/ratio: 2.25 is not a multiple of 0.5`},
		{`"big": 1`, `"big": 2`, `/big: 2 is greater than maximum 1.5`},
		{`"level": 2`, `"level": 5`, `/level: 5 is not one of the allowed values 1, 2`},
		{`"odd": {"a": true}`, `"odd": {"a": false}`, `/odd: {"a": false} is not one of the allowed values`},
		{`"mixed": null`, `"mixed": 2`, `/mixed: 2 is not one of the allowed values "a", 1, null`},
		{`"lvl": 3`, `"lvl": 2`, `/lvl: 2 is not one of the allowed values 1, 3`},
		{`"version": 2`, `"version": 3`, `/version: 3 is not the constant value 2`},
		{`"tags": ["x", "y"]`, `"tags": ["x", "x"]`, `/tags: items 0 and 1 are equal`},
		{`[[1, null], [], [2.5]]`, `[[1, null], [], [true]]`, `/matrix/2/0: expected a number, found a boolean`},
		{`"meta": {"a": "x", "b": null}`, `"meta": {"A": "x"}`, `/meta/A: property name "A" does not match`},
		{`"any": "hello"`, `"any": "h"`, `/any: length 1 is less than minLength 2`},
		{`"payment": {"type": "card"`, `"payment": {"type": "cheque"`, `/payment/type: "cheque" is not one of the allowed values "card", "cash"`},
		{`"shape": {"side": 2}`, `"shape": {"side": 2, "radius": 1}`, `/shape: value matches no variant`},
		{`"any_shape": {"radius": 1}`, `"any_shape": {"r": 1}`, `/any_shape: value matches no variant: it has none of the properties "radius", "side"`},
		{`"point": [1, 2, null]`, `"point": [1]`, `/point: expected at least 2 items, found 1`},
		{`"row": ["h", 1, 2, 3]`, `"row": ["h", 1, 2, 3, 4]`, `/row: 5 items is more than maxItems 4`},
		{`"children": [{"id": "ev-2"`, `"children": [{"id": "ev-2x"`, `/children/0/id: "ev-2x" does not match`},
		{`"label": "fine"`, `"label": "forbidden"`, `/label: `},
		{`"1234-5678-9012-3456"`, `"9999-9999-9999-9999"`, `/payment: `},
		{`"shape": {"side": 2}`, `"shape": {"side": 13}`, `/shape: `},
		{`"shapes": [{"radius": 3}, {"side": 1}]`, `"shapes": [{"radius": 3}, {"side": 13}]`, `/shapes/1: `},
		{`"names": ["a", "b"]`, `"names": ["a", "a"]`, `/names: items 0 and 1 are equal`},
		{`"scores": {"abc": 3}`, `"scores": {"ABC": 3}`, `/scores/ABC: property name "ABC"`},
		{`"strict": {"x-a": "1"}`, `"strict": {"y": "1"}`, `/strict/y: property is not allowed`},
		{`"typed": {"n": 5}`, `"typed": {"n": "5"}`, `/typed/n: expected an integer, found a string`},
		{`"loose": {"n-1": 1`, `"loose": {"n-1": "one"`, `/loose/n-1: expected an integer, found a string`},
		{`"mixed_holder": {"n-1": 1, "flag": true}`, `"mixed_holder": {"n-1": 1, "flag": 1}`, `/mixed_holder/flag: expected a boolean, found a number`},
		{`"err": null`, `"err": 0`, `/err: expected null, found a number`},
		{`"nested": ["s", 2`, `"nested": ["s", true`, `/nested/1: expected a number or a string or an array or an object, found a boolean`},
		{`"nulls": {"a": null}`, `"nulls": {"a": 1}`, `/nulls/a: expected null, found a number`},
		{`"nevers": {}`, `"nevers": {"a": 1}`, `/nevers/a: no value is allowed here`},
		{`"fixed": {"f": "fixed"}`, `"fixed": {"f": "other"}`, `/fixed/f: "other" is not the constant value "fixed"`},
		{`"day": "2026-05-27", `, `"day": "2026-05-27", "never": 1, `, `/never: no value is allowed here`},
		{`"uid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", `, ``, `(root): property "day" requires property "uid"`},
		{`"note": null, `, ``, `(root): missing required property "note"`},
	}
	for _, tt := range tests {
		doc := strings.Replace(full, tt.old, tt.new, 1)
		if doc == full {
			t.Fatalf("test input %q not found", tt.old)
		}
		var e Event
		err := json.Unmarshal([]byte(doc), &e)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s -> %s:\n err = %v\nwant %q", tt.old, tt.new, err, tt.want)
		}
	}
}

func TestKitchenValidateBuilt(t *testing.T) {
	e := Event{ID: "bad", Color: parsec.NewOpt[Color]("any")}
	e.Payment.SetTo(Card{Number: "12"})
	e.Lvl.SetTo(Level(9))
	e.Matrix.SetTo([][]parsec.Nullable[float64]{{parsec.Null[float64]()}})
	err := e.Validate()
	for _, want := range []string{`/id: "bad" does not match`, "/payment/number", "/lvl: 9 is not one of"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v\nwant it to contain %q", err, want)
		}
	}
	var bad Event
	bad.Shape.SetTo(Square{Side: 13})
	bad.Alias.SetTo(Card{Number: "9999-9999-9999-9999"})
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "/shape: ") || !strings.Contains(err.Error(), "/alias: ") {
		t.Errorf("residual keywords not checked by Validate: %v", err)
	}
	var holders Event
	holders.Loose.Value.Extra.Set("n-1", []byte(`"one"`))
	holders.Loose.Set = true
	holders.Strict.Value.Extra.Set("y", "1")
	holders.Strict.Set = true
	holders.MixedHolder.Value.Extra.Set("flag", []byte(`1`))
	holders.MixedHolder.Set = true
	herr := holders.Validate()
	for _, want := range []string{"/loose/n-1: expected an integer", "/strict/y: property is not allowed", "/mixed_holder/flag: expected a boolean"} {
		if herr == nil || !strings.Contains(herr.Error(), want) {
			t.Errorf("Validate() = %v\nwant it to contain %q", herr, want)
		}
	}
	if strings.Contains(err.Error(), "/color") {
		t.Error("open enum value rejected")
	}
}

// TestUnionRootAspect decodes through the Aspects table, as consumers that
// know only the aspect name do; the root of shape_root is a union.
func TestUnionRootAspect(t *testing.T) {
	var root func() any
	for _, a := range Aspects {
		if a.Name == "shape_root" {
			root = a.New
		}
	}
	if root == nil {
		t.Fatal("no aspect shape_root")
	}
	v := root()
	if err := json.Unmarshal([]byte(`{"radius": 2}`), v); err != nil {
		t.Fatal(err)
	}
	h, ok := v.(*parsec.Union[Shape])
	if !ok {
		t.Fatalf("New() = %T", v)
	}
	if c, ok := h.Value.(Circle); !ok || c.Radius != 2 || h.Validate() != nil {
		t.Errorf("Value = %#v", h.Value)
	}
	if out, err := json.Marshal(v); err != nil || string(out) != `{"radius":2}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"side": 13}`), root()); err == nil {
		t.Error("residual keyword of the union not checked")
	}
}

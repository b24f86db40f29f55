package parsecimpl

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-faster/jx"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// TestErrorHelpers pins the messages generated decoders report.
func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{Missing([]uint64{0b101}, "a", "", "c", "d"), `(root): missing required property "d"`},
		{Missing([]uint64{0b001}, "a", ""), `(root): missing required property`},
		{UnknownProperty([]byte("x/y")), `/x~1y: property is not allowed (additionalProperties is false)`},
		{DependencyError("card", "cvv"), `(root): property "card" requires property "cvv"`},
		{EnumError([]byte("fax"), `"web"`, `"pos"`), `(root): "fax" is not one of the allowed values "web", "pos"`},
		{EnumError(int64(5), "1", "2"), `(root): 5 is not one of the allowed values 1, 2`},
		{ConstError(RawJSON(`{"a":1}`), `{"a":2}`), `(root): {"a":1} is not the constant value {"a":2}`},
		{NeverError(), `(root): no value is allowed here (the schema is false)`},
		{KindError("an object", jx.Array), `(root): expected an object, found an array`},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got %v, want %s", tt.err, tt.want)
		}
	}
}

func TestDecodeFormatsAndRaw(t *testing.T) {
	var props parsec.RawProperties
	err := Unmarshal([]byte(`{"u":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","r":"urn:isbn:1","b":"aGk=","k":[1, 2],"n":null}`), func(d *Decoder) error {
		it, err := ObjIter(d)
		if err != nil {
			return err
		}
		for it.Next() {
			switch string(it.Key()) {
			case "u":
				u, err := DecodeUUID(d)
				if err != nil || u.String() != "6ba7b810-9dad-11d1-80b4-00c04fd430c8" || u.IsZero() {
					return Errorf("uuid %v %v", u, err)
				}
			case "r":
				u, err := DecodeURI(d)
				if err != nil || u.String() != "urn:isbn:1" || u.IsZero() {
					return Errorf("uri %v %v", u, err)
				}
			case "b":
				b, err := DecodeBytes(d)
				if err != nil || string(b.Data()) != "hi" || b.IsZero() {
					return Errorf("bytes %v %v", b, err)
				}
			case "n":
				if !d.IsNull() {
					return Errorf("IsNull is false for null")
				}
				if err := DecodeNever(d); err == nil {
					return Errorf("DecodeNever accepted a value")
				}
			default:
				if err := DecodeRawProperty(d, &props, it.Key()); err != nil {
					return err
				}
			}
		}
		return IterErr(it.Err())
	})
	if err != nil {
		t.Fatal(err)
	}
	if raw, ok := props.Get("k"); !ok || string(raw) != "[1, 2]" || !props.Has("k") || props.IsZero() {
		t.Errorf("raw property = %s, %v", raw, ok)
	}
	if err := Unmarshal([]byte(`7`), func(d *Decoder) error { return Expect(d, jx.String, "a string") }); err == nil || !strings.Contains(err.Error(), "expected a string, found a number") {
		t.Errorf("Expect: %v", err)
	}
	if err := Unmarshal([]byte(`"a\nb"`), func(d *Decoder) error {
		b, err := DecodeStringBytes(d)
		if err == nil && string(b) != "a\nb" {
			return Errorf("got %q", b)
		}
		return err
	}); err != nil {
		t.Error(err)
	}
	if (parsec.Date{}).IsZero() != true || (parsec.DateTime{}).IsZero() != true || (parsec.URI{}).IsZero() != true || (parsec.Bytes{}).IsZero() != true {
		t.Error("zero format values are not zero")
	}
	if p := NewPattern("^a$"); p.String() != "^a$" {
		t.Errorf("Pattern.String = %q", p.String())
	}
}

func TestValidationErrorsUnwrap(t *testing.T) {
	inner := Errorf("x")
	var es parsec.ValidationErrors
	es.Add(inner)
	es.Add(Errorf("y"))
	var target *parsec.ValidationError
	if !errors.As(es.Err(), &target) || !errors.Is(es.Err(), inner) {
		t.Error("ValidationErrors does not unwrap to its members")
	}
}

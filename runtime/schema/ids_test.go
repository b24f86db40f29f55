package schema

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// TestDocumentsByIDAndPath registers documents the way generated code does
// (a document with an $id under its $id, with its path beside it) and checks
// that every way of naming one resolves: a relative path from a document
// without an $id, a relative path under another document's $id, a nested
// resource's $id with and without a fragment, and an $id ending in "#".
func TestDocumentsByIDAndPath(t *testing.T) {
	common := `{"$id": "https://acme.example/defs/common.json", "$defs": {
		"VehicleID": {"type": "string", "pattern": "^V[0-9]+$"},
		"Pos": {"$id": "pos", "type": "object", "required": ["lat"], "properties": {"lat": {"maximum": 90}}}}}`
	geo := `{"$defs": {"Zone": {"enum": ["north", "south"]}}}`
	aspects := []Aspect{
		{Name: "trip", SchemaRef: "trip.json", Schema: []byte(`{"properties": {
			"vehicle": {"$ref": "defs/common.json#/$defs/VehicleID"},
			"pos": {"$ref": "https://acme.example/defs/pos"},
			"lat": {"$ref": "https://acme.example/defs/pos#/properties/lat"}}}`)},
		{Name: "route", SchemaRef: "https://acme.example/aspects/route.json#", Path: "aspects/route.json",
			Schema: []byte(`{"$id": "https://acme.example/aspects/route.json#", "properties": {
			"zone": {"$ref": "../defs/geo.json#/$defs/Zone"},
			"vehicle": {"$ref": "../defs/common.json#/$defs/VehicleID"}}}`)},
	}
	resources := []Resource{
		{Ref: "https://acme.example/defs/common.json", Path: "defs/common.json", Schema: []byte(common)},
		{Ref: "defs/geo.json", Schema: []byte(geo)},
	}
	v, err := NewValidator(ModeStrict, aspects, WithResources(resources...))
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	for _, c := range []struct {
		aspect, payload string
		ok              bool
	}{
		{"trip", `{"vehicle": "V1", "pos": {"lat": 1}, "lat": 2}`, true},
		{"trip", `{"vehicle": "X"}`, false},
		{"trip", `{"pos": {}}`, false},
		{"trip", `{"lat": 91}`, false},
		{"route", `{"zone": "north", "vehicle": "V2"}`, true},
		{"route", `{"zone": "east"}`, false},
		{"route", `{"vehicle": "car"}`, false},
	} {
		err := v.Validate(&envelope.Envelope{Aspect: c.aspect, Payload: json.RawMessage(c.payload)})
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidPayload)) {
			t.Errorf("%s %s: %v, want ok=%v", c.aspect, c.payload, err, c.ok)
		}
	}
	if _, ok := v.Registry().ByRef("https://acme.example/aspects/route.json"); !ok {
		t.Error(`ByRef without the empty fragment does not find the aspect registered with "#"`)
	}
	set := NewSet(aspects, resources)
	if err := set.Validate("https://acme.example/aspects/route.json#", "/properties/zone", []byte(`"west"`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("Set.Validate by the $id with its empty fragment: %v, want ErrInvalidPayload", err)
	}
}

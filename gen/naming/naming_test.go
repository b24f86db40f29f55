package naming

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"user_id", []string{"user", "id"}},
		{"HTTPServer", []string{"HTTP", "Server"}},
		{"api-url", []string{"api", "url"}},
		{"fooBarBaz", []string{"foo", "Bar", "Baz"}},
		{"v2Config", []string{"v2", "Config"}},
		{"  ", nil},
		{"$schema", []string{"schema"}},
		{"ÀBC déf", []string{"ÀBC", "déf"}},
		{"ABC", []string{"ABC"}},
		{"a.b/c", []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Split(tt.in)); diff != "" {
			t.Errorf("Split(%q) -want +got:\n%s", tt.in, diff)
		}
	}
}

func TestExported(t *testing.T) {
	n := New(nil)
	tests := []struct {
		in, want string
	}{
		{"user_id", "UserID"},
		{"api-url", "APIURL"},
		{"ids", "IDs"},
		{"userIds", "UserIDs"},
		{"HTTPServer", "HTTPServer"},
		{"http_server", "HTTPServer"},
		{"NAME", "Name"},
		{"iPhone", "IPhone"},
		{"2fa", "X2fa"},
		{"_private", "Private"},
		{"日本", "X日本"},
		{"type", "Type"},
		{"$ref", "Ref"},
		{"utf8", "UTF8"},
		{"/", "Slash"},
		{"_", "Underscore"},
		{"<=", "LessEquals"},
		{"\u00a7", "U00A7"},
	}
	for _, tt := range tests {
		got, err := n.Exported(tt.in)
		if err != nil {
			t.Errorf("Exported(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Exported(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !IsExportedIdent(got) {
			t.Errorf("Exported(%q) = %q is not an exported identifier", tt.in, got)
		}
	}
	if _, err := n.Exported(""); err == nil || !strings.Contains(err.Error(), "x-go-name") {
		t.Errorf("Exported(%q) error = %v, want one suggesting x-go-name", "", err)
	}
}

func TestInitialismsConfigurable(t *testing.T) {
	none := New([]string{})
	if got, _ := none.Exported("user_id"); got != "UserId" {
		t.Errorf("no initialisms: got %q, want UserId", got)
	}
	custom := New([]string{"SKU"})
	if got, _ := custom.Exported("item_sku"); got != "ItemSKU" {
		t.Errorf("custom initialisms: got %q, want ItemSKU", got)
	}
	if got, _ := custom.Exported("user_id"); got != "UserId" {
		t.Errorf("custom initialisms replace the default: got %q, want UserId", got)
	}
}

func TestValue(t *testing.T) {
	n := New(nil)
	tests := []struct{ in, want string }{
		{`"in-progress"`, "InProgress"},
		{`"id"`, "ID"},
		{`3`, "3"},
		{`-1.5`, "Minus1_5"},
		{`null`, "Null"},
		{`true`, "True"},
		{`""`, "Empty"},
		{`"+"`, "Plus"},
		{`"<="`, "LessEquals"},
	}
	for _, tt := range tests {
		if got := n.Value(tt.in); got != tt.want {
			t.Errorf("Value(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	s := NewScope("Validate")
	if err := s.Claim("Validate", "a.json#/properties/validate"); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("claiming a reserved name: err = %v", err)
	}
	if err := s.Claim("Name", "a.json:3:5"); err != nil {
		t.Fatal(err)
	}
	err := s.Claim("Name", "b.json:7:1")
	if err == nil || !strings.Contains(err.Error(), "a.json:3:5") {
		t.Errorf("collision error = %v, want it to name the first place", err)
	}
	got, err := s.ClaimFirstFree("c.json:1:1", "Name", "NameValue")
	if err != nil || got != "NameValue" {
		t.Errorf("ClaimFirstFree = %q, %v; want NameValue", got, err)
	}
	if _, err := s.ClaimFirstFree("d.json:1:1", "Name", "NameValue"); err == nil {
		t.Error("ClaimFirstFree with every candidate taken succeeded")
	}
}

func TestIsReserved(t *testing.T) {
	for _, s := range []string{"type", "func", "string", "any", "nil"} {
		if !IsReserved(s) {
			t.Errorf("IsReserved(%q) = false", s)
		}
	}
	if IsReserved("Type") {
		t.Error(`IsReserved("Type") = true`)
	}
}

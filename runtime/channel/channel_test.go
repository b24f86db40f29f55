package channel

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Segment // nil: an error containing err
		err  string
	}{
		{in: "sessions", want: []Segment{{Kind: Literal, Text: "sessions"}}},
		{in: "sessions:{id}", want: []Segment{{Kind: Literal, Text: "sessions"}, {Kind: Var, Text: "id", Sep: ':'}}},
		{in: "metrics.*.cpu", want: []Segment{{Kind: Literal, Text: "metrics"}, {Kind: Star, Sep: '.'}, {Kind: Literal, Text: "cpu", Sep: '.'}}},
		{in: "logs:**", want: []Segment{{Kind: Literal, Text: "logs"}, {Kind: DoubleStar, Sep: ':'}}},
		{in: "public:parsec.registry.schemas", want: []Segment{{Kind: Literal, Text: "public"}, {Kind: Literal, Text: "parsec", Sep: ':'}, {Kind: Literal, Text: "registry", Sep: '.'}, {Kind: Literal, Text: "schemas", Sep: '.'}}},
		{in: "{a}.{b_2}", want: []Segment{{Kind: Var, Text: "a"}, {Kind: Var, Text: "b_2", Sep: '.'}}},
		{in: "**", want: []Segment{{Kind: DoubleStar}}},
		{in: "", err: "empty"},
		{in: "a..b", err: "segment 2: empty segment"},
		{in: "a:", err: "segment 2: empty segment"},
		{in: ".a", err: "segment 1: empty segment"},
		{in: "user*", err: "mixes a literal"},
		{in: "{id}x", err: "mixes a literal"},
		{in: "a{id}", err: "mixes a literal"},
		{in: "***", err: "mixes a literal"},
		{in: "{}", err: `variable name ""`},
		{in: "{1d}", err: `variable name "1d"`},
		{in: "{a-b}", err: `variable name "a-b"`},
		{in: "a.**.b", err: "** must be the last segment"},
		{in: "{id}.{id}", err: `variable "id" appears twice`},
	} {
		p, err := Parse(tc.in)
		if tc.want == nil {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error = %v, want one containing %q wrapping ErrSyntax", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, p.Segments()); diff != "" {
			t.Errorf("Parse(%q) segments (-want +got):\n%s", tc.in, diff)
		}
		if p.String() != tc.in {
			t.Errorf("Parse(%q).String() = %q", tc.in, p.String())
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, channel string
		want             Bindings // nil: no match
	}{
		{"sessions", "sessions", Bindings{}},
		{"sessions", "sessions:1", nil},
		{"sessions:{id}", "sessions:42", Bindings{"id": "42"}},
		{"sessions:{id}", "sessions.42", nil}, // the separator is part of the pattern
		{"sessions:{id}", "sessions:", nil},
		{"sessions:{id}", "sessions:4.2", nil},
		{"sessions:{id}", "session:42", nil},
		{"sessions:{id}:typing", "sessions:a-b:typing", Bindings{"id": "a-b"}},
		{"{org}.{team}", "acme.core", Bindings{"org": "acme", "team": "core"}},
		{"metrics.*.cpu", "metrics.host1.cpu", Bindings{}},
		{"metrics.*.cpu", "metrics..cpu", nil},
		{"metrics.*.cpu", "metrics.a.b.cpu", nil},
		{"logs:**", "logs:a", Bindings{}},
		{"logs:**", "logs:a.b:c", Bindings{}},
		{"logs:**", "logs", nil}, // ** matches one or more
		{"logs:**", "logs:", nil},
		{"logs:**", "logs:a..b", nil},
		{"logs:**", "logs:a.", nil},
		{"logs:**", "logs.a", nil},
		{"**", "x", Bindings{}},
		{"**", "", nil},
		{"t:{id}:**", "t:9:x.y", Bindings{"id": "9"}},
	} {
		got, ok := MustParse(tc.pattern).Match(tc.channel)
		if ok != (tc.want != nil) {
			t.Errorf("%q.Match(%q) ok = %v, want %v", tc.pattern, tc.channel, ok, tc.want != nil)
			continue
		}
		if diff := cmp.Diff(tc.want, got); ok && diff != "" {
			t.Errorf("%q.Match(%q) bindings (-want +got):\n%s", tc.pattern, tc.channel, diff)
		}
	}
}

func TestBuild(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		values  []string
		want    string
		err     string
	}{
		{pattern: "sessions:{id}", values: []string{"42"}, want: "sessions:42"},
		{pattern: "sessions", want: "sessions"},
		{pattern: "m.*.{k}:**", values: []string{"h", "cpu", "a.b"}, want: "m.h.cpu:a.b"},
		{pattern: "sessions:{id}", values: []string{"4:2"}, err: `value "4:2" for {id}`},
		{pattern: "sessions:{id}", values: []string{""}, err: `value "" for {id}`},
		{pattern: "m.*", values: []string{"a.b"}, err: `value "a.b" for *`},
		{pattern: "m.**", values: []string{"a..b"}, err: `value "a..b" for **`},
		{pattern: "m.**", values: []string{""}, err: `value "" for **`},
		{pattern: "sessions:{id}", err: "0 values for 1 wildcard segments"},
	} {
		p := MustParse(tc.pattern)
		got, err := p.Build(tc.values...)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q.Build(%q) = %q, %v; want an error containing %q", tc.pattern, tc.values, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q.Build(%q) = %q, %v; want %q", tc.pattern, tc.values, got, err, tc.want)
		}
		if _, ok := p.Match(got); !ok {
			t.Errorf("%q does not match its own build %q", tc.pattern, got)
		}
	}
}

func TestSpecificityAndBest(t *testing.T) {
	score := map[string]int{"a.b": 8, "a.{x}": 6, "a.*": 5, "a.**": 4, "{x}.*": 3, "**": 0}
	for pat, want := range score {
		if got := MustParse(pat).Specificity(); got != want {
			t.Errorf("%q.Specificity() = %d, want %d", pat, got, want)
		}
	}
	// Listed in an order that is neither the winning order nor its reverse.
	srcs := []string{"a.*", "**", "a.b", "a.{y}", "a.**", "a.{x}", "{x}.*"}
	var ps []*Pattern
	for _, s := range srcs {
		ps = append(ps, MustParse(s))
	}
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, Compare)
	var order []string
	for _, p := range sorted {
		order = append(order, p.String())
	}
	if diff := cmp.Diff([]string{"a.b", "a.{x}", "a.{y}", "a.*", "a.**", "{x}.*", "**"}, order); diff != "" {
		t.Errorf("sorted (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		channel, want string
		bind          Bindings
	}{
		{"a.b", "a.b", Bindings{}},
		{"a.c", "a.{x}", Bindings{"x": "c"}}, // ties with a.{y}: the smaller string wins
		{"a.c.d", "a.**", Bindings{}},
		{"z.q", "{x}.*", Bindings{"x": "z"}},
		{"z", "**", Bindings{}},
	} {
		i, b := Best(ps, tc.channel)
		if i < 0 || ps[i].String() != tc.want {
			got := "none"
			if i >= 0 {
				got = ps[i].String()
			}
			t.Errorf("Best(%q) = %s, want %s", tc.channel, got, tc.want)
			continue
		}
		if diff := cmp.Diff(tc.bind, b); diff != "" {
			t.Errorf("Best(%q) bindings (-want +got):\n%s", tc.channel, diff)
		}
	}
	if i, _ := Best(ps[:1], "b.c"); i != -1 {
		t.Errorf("Best without a match = %d, want -1", i)
	}
}

package channel

import (
	"strings"
	"testing"
)

// refSplit splits a channel into segments and the separators before them,
// the straightforward way, as an independent check of Match.
func refSplit(s string) (segs []string, seps []byte) {
	start := 0
	var sep byte
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' && s[i] != ':' {
			continue
		}
		segs = append(segs, s[start:i])
		seps = append(seps, sep)
		if i < len(s) {
			sep = s[i]
		}
		start = i + 1
	}
	return segs, seps
}

// refMatch matches by splitting both sides; it returns the values of the
// non-literal segments in order (the ** value as the joined rest).
func refMatch(p *Pattern, channel string) ([]string, Bindings, bool) {
	cs, cseps := refSplit(channel)
	var vals []string
	b := Bindings{}
	for i, seg := range p.segs {
		if i >= len(cs) || cs[i] == "" || cseps[i] != seg.Sep {
			return nil, nil, false
		}
		switch seg.Kind {
		case Literal:
			if cs[i] != seg.Text {
				return nil, nil, false
			}
		case Var:
			b[seg.Text] = cs[i]
			vals = append(vals, cs[i])
		case Star:
			vals = append(vals, cs[i])
		case DoubleStar:
			for _, rest := range cs[i:] {
				if rest == "" {
					return nil, nil, false
				}
			}
			// The rest of the channel after this segment's separator.
			off := 0
			for j := 0; j < i; j++ {
				off += len(cs[j]) + 1
			}
			return append(vals, channel[off:]), b, true
		}
	}
	if len(cs) != len(p.segs) {
		return nil, nil, false
	}
	return vals, b, true
}

func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"sessions:{id}", "sessions:42"}, {"logs:**", "logs:a.b:c"}, {"m.*.cpu", "m.h.cpu"},
		{"a.b", "a.b"}, {"{x}.{y}", "p:q"}, {"user*", "user1"}, {"**", "."}, {"t:{id}:**", "t:1:x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, channel string) {
		p, err := Parse(pattern)
		if err != nil {
			return
		}
		if again, err := Parse(p.String()); err != nil || again.String() != pattern {
			t.Fatalf("Parse(%q).String() does not parse back: %v", pattern, err)
		}
		b, ok := p.Match(channel)
		vals, rb, rok := refMatch(p, channel)
		if ok != rok {
			t.Fatalf("%q.Match(%q) = %v, reference says %v", pattern, channel, ok, rok)
		}
		if !ok {
			return
		}
		if len(b) != len(rb) {
			t.Fatalf("%q.Match(%q) bindings %v, reference %v", pattern, channel, b, rb)
		}
		for k, v := range rb {
			if b[k] != v || v == "" || strings.ContainsAny(v, ".:") {
				t.Fatalf("%q.Match(%q) bindings %v, reference %v", pattern, channel, b, rb)
			}
		}
		built, err := p.Build(vals...)
		if err != nil || built != channel {
			t.Fatalf("%q.Build(%q) = %q, %v; want the matched channel %q", pattern, vals, built, err, channel)
		}
	})
}

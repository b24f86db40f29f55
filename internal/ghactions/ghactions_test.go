package ghactions

import "testing"

func TestEscape(t *testing.T) {
	if got, want := Data("50% off\nnext:line,\r"), "50%25 off%0Anext:line,%0D"; got != want {
		t.Errorf("Data = %q, want %q", got, want)
	}
	if got, want := Property("dir,x/a:b%.json\n"), "dir%2Cx/a%3Ab%25.json%0A"; got != want {
		t.Errorf("Property = %q, want %q", got, want)
	}
}

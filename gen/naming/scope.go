package naming

// Owner returns the place that claimed name in s: "" with true for a
// reserved name, false when the name is free.
func (s *Scope) Owner(name string) (string, bool) {
	place, ok := s.owner[name]
	return place, ok
}

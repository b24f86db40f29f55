package naming

import "strings"

// JoinWords appends suffix to parent for a derived name (<Parent><Field>), writing
// once a word that parent ends with and suffix begins with: "OrderLine" +
// "LineItem" is "OrderLineItem", not "OrderLineLineItem". A suffix that is
// only that word is appended as is ("Reason" + "Reason"): dropping it would
// give the parent's own name.
func JoinWords(parent, suffix string) string {
	if rest := overlapRest(parent, suffix); rest != "" {
		return parent + rest
	}
	return parent + suffix
}

// RepeatsLastWord reports whether suffix is exactly the word parent ends
// with ("RuleOp", "Op"): parent+suffix would say the word twice.
func RepeatsLastWord(parent, suffix string) bool {
	pw, sw := Split(parent), Split(suffix)
	return len(pw) > 1 && len(sw) == 1 && pw[len(pw)-1] == sw[0] && suffix == sw[0]
}

// TrimOverlap returns suffix without a first word that parent ends with
// ("OrderLine", "LineItem" -> "Item"), or suffix itself when there is none
// or nothing would remain.
func TrimOverlap(parent, suffix string) string {
	if rest := overlapRest(parent, suffix); rest != "" {
		return rest
	}
	return suffix
}

// overlapRest returns what follows the first word of suffix when parent
// ends with that word and something exported follows it, else "".
func overlapRest(parent, suffix string) string {
	pw, sw := Split(parent), Split(suffix)
	if len(pw) == 0 || len(sw) < 2 || pw[len(pw)-1] != sw[0] || !strings.HasPrefix(suffix, sw[0]) {
		return ""
	}
	rest := strings.TrimPrefix(suffix, sw[0])
	if !IsExportedIdent(rest) {
		return ""
	}
	return rest
}

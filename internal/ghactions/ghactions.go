// Package ghactions escapes the parts of GitHub Actions workflow commands
// (::error file=F,line=L,col=C::message), which the command line prints so
// that a CI run annotates the schema line it reports on.
package ghactions

import "strings"

var (
	data     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	property = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// Data escapes the message of a workflow command.
func Data(s string) string { return data.Replace(s) }

// Property escapes a property value of a workflow command (file, title).
func Property(s string) string { return property.Replace(s) }

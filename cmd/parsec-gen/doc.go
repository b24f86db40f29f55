// Parsec-gen generates Go types and typed Parsec wrappers from JSON Schema
// aspects: one schema file per message kind.
//
// Usage:
//
//	parsec-gen generate -o DIR [-p PKG] [--check] [--root DIR] [--initialism WORD]...
//	                    [--default-draft D] [--warnings MODE] [--error-format FORMAT] PATH...
//	parsec-gen generate -o DIR [-p PKG] [--check] [flags] (--registry URL | --registry-file FILE)
//	parsec-gen registry pull URL -o FILE [--timeout D]
//	parsec-gen version
//	parsec-gen help [command]
//
// # generate
//
// Each PATH is a schema file, with any extension (".json", ".schema", ...), or
// a directory, in which case every regular "*.json" file directly inside it is
// read; subdirectories are not searched, so shared definitions can live in a
// subdirectory and be reached through "$ref" without becoming aspects
// themselves. A file named twice is read once.
//
// Every schema is one aspect. The aspect name is the schema's
// "x-parsec-aspect", else its file name without ".json" and ".schema"
// ("order_placed.schema.json" is "order_placed"). Its schema ref, which
// travels in every envelope, is the schema's "$id", else its path relative to
// the root (see --root): "order_placed.json" when every PATH is in one
// directory. Give published schemas an "$id", or keep the inputs and --root
// the same from one run to the next. The output holds one .parsec.go file per
// schema, plus the files the package shares, all starting with the header
// line shown below.
//
// Flags:
//
//	-o, --out DIR         output directory (required; created if missing)
//	-p, --package PKG     package name; default $GOPACKAGE (set by go generate),
//	                      else the base name of DIR lower-cased with everything
//	                      but letters, digits and "_" removed
//	    --check           write nothing; list the files that would change, be
//	                      added or be removed, and exit 1 if there are any
//	    --root DIR        directory that relative "$ref"s may reach; default
//	                      the deepest directory holding every PATH
//	    --initialism WORD extra word spelled in upper case in Go names, added
//	                      to golint's list (ID, URL, HTTP, ...); repeatable
//	    --default-draft D draft of a schema without "$schema": draft-03,
//	                      draft-04, draft-06, draft-07 (default), 2019-09 or
//	                      2020-12
//	    --registry URL    generate from the schema registry snapshot served at
//	                      URL (Parsec's GET <prefix>, by default /parsec/schemas)
//	                      instead of PATHs; fetched once
//	    --registry-file FILE
//	                      generate from a committed registry snapshot instead
//	                      of PATHs
//	    --registry-timeout D
//	                      bound on fetching --registry (default 30s)
//	    --warnings MODE   report (default: print warnings, still succeed),
//	                      error (any warning fails the run, nothing is
//	                      written) or off
//	    --error-format F  text (default), json (one object per line with
//	                      severity, file, line, column, pointer, message) or
//	                      github-actions (::error file=F,line=L,col=C::msg
//	                      workflow commands, ::warning and ::notice likewise)
//
// Warnings, on standard error with file:line:col, say what looks wrong without
// stopping generation: a misspelled keyword ("minLenght": did you mean
// "minLength"), bounds no value satisfies ("minimum" above "maximum",
// "minLength" above "maxLength", ...), an empty "enum", a "const" or "enum"
// value that "type" rules out, a "oneOf" two of whose variants accept the same
// value (shown; oneOf rejects it), and a Go name that had to give way to
// another ("FooBar3" because "foo_bar" holds "FooBar").
//
// Each schema is read under the draft its "$schema" names. One without it is
// read under --default-draft, draft-07 by default (the draft most published
// schemas declare), unless it is written in a style only another draft
// accepts: a boolean "required" reads it as draft-03, an "id" without any
// "$id" or a boolean exclusiveMinimum as draft-04, a keyword only 2019-09 or
// later defines ("$anchor", "prefixItems", ...) as 2020-12, each with a
// warning. Draft-03 is translated to draft-04 (a property's "required": true,
// divisibleBy, extends, disallow); a "type" or "disallow" holding a schema is
// an error. The draft is written into the schema the generated code embeds,
// so the runtime validator reads it the same way.
//
// Schemas are read only from the local file system, never the network (but
// for the snapshot --registry fetches, when given). A
// relative "$ref" resolves against the file that contains it and may reach any
// file below the root (see --root); one that climbs above the root fails, with a
// hint to pass --root. Paths in error messages are relative to the working
// directory; paths in generated code (the "// source:" line of each file, doc
// comments) are relative to DIR, so the output is the same bytes on any
// machine and from any working directory: generating from the module root and
// checking from the package directory agree.
//
// After writing, a "note:" on standard error says when the generated code
// imports a module (github.com/go-faster/jx, the runtime) that the go.mod
// governing DIR does not require yet: run go mod tidy.
//
// Writing is all or nothing with respect to generation: if any schema fails,
// the errors are printed to standard error, one per line, sorted by position
// and capped at 20, and nothing is written. Otherwise only files whose bytes
// changed are rewritten (each through a temporary file renamed into place),
// so modification times of unchanged files survive and build caches stay
// warm. A file in DIR that is no longer generated is removed only if its name
// ends in ".parsec.go" and its first line is
//
//	// Code generated by parsec-gen. DO NOT EDIT.
//
// Anything else in DIR is never touched. In particular a file that has the
// name of a generated file but does not start with that line was written by
// someone else: generate (and --check) names it, writes nothing and exits 1.
//
// # Channel patterns and the schema registry
//
// Parsec groups aspects by channel pattern ("sessions:{id}", "metrics.*.cpu",
// "logs:**"). With --registry or --registry-file the input is a snapshot of
// Parsec's schema registry: each pattern aspect with a "payload_schema"
// becomes an aspect named by the pattern's literal segments and the aspect
// ("sessions:{id}" + "data" is SessionsData, file sessions_data.parsec.go),
// whose schema ref is "registry/<pattern>/v<version>/<aspect>.json" (escaped),
// so every envelope says which registry version its code was built from. An
// aspect without a payload schema is published and handled as raw JSON.
// Errors in the snapshot, inside payload schemas too, are located in the
// snapshot file by line:col and JSON pointer. Fetching happens only when
// --registry is given, bounded by --registry-timeout; "parsec-gen registry
// pull URL -o FILE" writes the snapshot as served, to commit and generate
// from with --registry-file (so --check needs no network).
//
// A schema directory declares patterns with "x-parsec-channels" in each aspect
// schema: a list of pattern strings or objects {"pattern": "...",
// "required": true, "version": 2, "description": "..."}; the aspects of one
// pattern may come from several files, and version (default 1) and
// description, when given twice, must agree.
//
// Per pattern the package gets (for "sessions:{id}"): SessionsPattern and
// SessionsPatternVersion, a builder SessionsChannel(id string) string, a
// matcher MatchSessionsChannel(channel) (SessionsBindings, bool), a topic from
// Client.Sessions(channel) whose PublishXxx methods accept only the pattern's
// aspects, a SessionsSubscription with OnXxx for those aspects only, and a
// SessionsHandler interface. "required" means every subscriber of the pattern
// must handle the aspect: SessionsHandler has exactly the required aspects'
// HandleXxx methods, so a handler missing one does not compile; Handle also
// routes the other aspects to the handler when it has their methods. When
// several patterns match a channel the most specific wins (literal 4, {var} 2,
// * 1, ** 0 per segment, ties by pattern string), and Client.Sessions refuses
// a channel a more specific pattern of the package claims. RegistryEntries
// returns the patterns as registry entries, for a server to serve.
//
// # go generate
//
// With the Go 1.24 tool directive (go get -tool
// github.com/parsec-gen/parsec-gen/cmd/parsec-gen):
//
//	//go:generate go tool parsec-gen generate -o . ../schemas
//
// or without it:
//
//	//go:generate go run github.com/parsec-gen/parsec-gen/cmd/parsec-gen generate -o . ../schemas
//
// In CI, "parsec-gen generate --check" with the same arguments fails the build
// when the committed code is out of date. A test in the generated package can
// run its own go:generate line with --check added (exec "go tool parsec-gen
// generate --check ..."); the repository's example/orders/fresh_test.go does
// that with nothing but the go command, so it can be copied into any module.
//
// # version
//
// Prints the version of the parsec-gen module the binary was built from —
// also when it is built through a consumer's go.mod (go tool, go run) — or
// "(devel)" for a build from a working tree.
//
// # Exit codes
//
//	0  success (and, with --check, no drift)
//	1  generation failed, an input could not be read, a write failed, or --check found drift
//	2  usage error: unknown command or flag, missing -o or PATH, invalid package name
package main

// Parsec-gen generates Go types and typed Parsec wrappers from JSON Schema
// aspects: one schema file per message kind.
//
// Usage:
//
//	parsec-gen generate -o DIR [-p PKG] [--check [--diff]] [--root DIR] [--initialism WORD]...
//	                    [--warnings MODE] [--error-format FORMAT]
//	                    [--default-draft D] [--assert-formats]
//	                    [--embed-schema compact|verbatim] PATH...
//	parsec-gen generate -o DIR [-p PKG] [--check [--diff]] [flags] (--registry URL | --registry-file FILE)
//	parsec-gen registry pull URL -o FILE [--timeout D]
//	parsec-gen breaking --against OLD [--mode backward|forward|full] [--policy declared|strict]
//	                    [--format text|json|github-actions] [--initialism WORD]... NEW...
//	parsec-gen version        (or parsec-gen --version)
//	parsec-gen completion bash|zsh|fish|powershell
//	parsec-gen help [command]
//
// An unknown command is reported as such, with the closest command names
// suggested ("parsec-gen generat" suggests "generate").
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
//	    --diff            with --check: print a unified diff (git's format,
//	                      a/ and b/ paths relative to the working directory,
//	                      /dev/null for an added or removed file) instead of
//	                      the file names; "git apply" of it removes the drift
//	    --root DIR        directory that relative "$ref"s may reach; default
//	                      the deepest directory holding every PATH
//	    --initialism WORD extra word spelled in upper case in Go names, added
//	                      to golint's list (ID, URL, HTTP, ...); repeatable
//	    --warnings MODE   report (default: print warnings, still succeed),
//	                      error (any warning fails the run, nothing is
//	                      written) or off
//	    --error-format F  text (default), json (one object per line with
//	                      severity, file, line, column, pointer, message) or
//	                      github-actions (::error file=F,line=L,col=C::msg
//	                      workflow commands, ::warning and ::notice likewise)
//	    --default-draft D draft of a schema without "$schema": draft-03,
//	                      draft-04, draft-06, draft-07 (default), 2019-09 or
//	                      2020-12
//	    --assert-formats  make every known format (email, hostname, ipv4, ...)
//	                      an assertion in every draft, on decode and in the
//	                      package's validators; by default only the formats
//	                      with a Go type assert everywhere and the others in
//	                      draft-04 to -07
//	    --embed-schema F  form of the schema text the generated code embeds:
//	                      compact (default: minified, without title,
//	                      description, examples, default and other
//	                      annotation-only members; validates the same) or
//	                      verbatim (the file as written)
//	    --registry URL    generate from the schema registry snapshot served at
//	                      URL (Parsec's GET <prefix>, by default /parsec/schemas)
//	                      instead of PATHs; fetched once
//	    --registry-file FILE
//	                      generate from a committed registry snapshot instead
//	                      of PATHs
//	    --registry-timeout D
//	                      bound on fetching --registry (default 30s)
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
// # breaking
//
// Compares the aspect schemas NEW (files or directories, read as for generate)
// with an older version OLD and reports every change that breaks their users.
// Each wire finding carries a witness: a JSON instance one version accepts and
// the other rejects, checked with the validator the runtime uses
// (runtime/schema) before it is reported.
//
//	backward  valid under OLD, invalid under NEW: new readers cannot read old data
//	forward   valid under NEW, invalid under OLD: old readers cannot read new data
//	go        the wire stays compatible but Go code using the generated package
//	          breaks: a type, field or constant renamed or removed, a field whose
//	          Go type changed; no witness
//
// An aspect (matched by name) removed is a backward finding; one added is not.
// "$ref"s into shared files are followed, so a change to a shared definition is
// a finding for every aspect that reaches it.
//
// Flags:
//
//	--against OLD     the old version (required): schema files or
//	                  directories, or git:REF[:PATH] read from git without
//	                  touching the work tree; PATH is relative to the
//	                  repository root, and without it the NEW paths are
//	                  looked up in REF
//	--mode MODE       backward (default), forward, or full (both)
//	--policy POLICY   declared (default): a witness uses only the properties
//	                  the schema it is valid under declares, so adding an
//	                  optional property to an open object breaks nothing;
//	                  strict: any instance the schema accepts
//	--format FORMAT   text (default), json or github-actions
//	--initialism WORD as for generate, so Go names match the generated code
//
// A property is declared when a schema applying at its place lists it in
// "properties", matches it with "patternProperties", or sets
// "additionalProperties" or "unevaluatedProperties" to anything but false; an
// object schema declaring no properties at all is free-form.
//
// Text output is one line per finding, "file:line:col: direction rule (aspect
// a): message", then the witness on an indented line, then a summary. The
// position is in the NEW schema (for a forward finding, the deepest part of the
// old keyword's place that the new file still has). json prints
//
//	{"findings":[{"aspect":...,"direction":"backward"|"forward"|"go","rule":...,
//	  "pointer":...,"file":...,"line":...,"col":...,"message":...,"witness":...}]}
//
// where rule is the JSON Schema keyword that rejects the witness ("required",
// "maximum", "additionalProperties", ...), "aspect-removed", or a go rule
// ("type-renamed", "field-removed", "field-type-changed", ...), pointer the
// JSON pointer of that place in file, and witness null for go findings.
// github-actions prints one "::error file=...,line=...,col=...::" workflow
// command per finding. Output is deterministic; nothing is read from the
// network.
//
// The search for witnesses is bounded, so on very large schemas it may miss a
// break; it never reports one whose witness the validator does not confirm.
//
// # version
//
// "parsec-gen version" and "parsec-gen --version" print the release version
// of the parsec-gen module ("parsec-gen v0.1.0"). When the build information
// says the binary was built from something else, that follows: "(devel)"
// for go build, go run or go install in a working tree of this repository,
// "(module v0.1.1-0.20260101...)" for a pseudo-version. Through a
// consumer's go.mod (go tool, go run), also with a replace directive to a
// checkout, it is the required version.
//
// # completion
//
// "parsec-gen completion SHELL" prints a completion script for bash, zsh,
// fish or powershell; "parsec-gen completion SHELL --help" says where to
// install it.
//
// # Exit codes
//
//	0    success (and, with --check, no drift; with breaking, nothing breaks)
//	1    generation failed, an input could not be read, a write failed, or --check found drift
//	2    usage error: unknown command or flag, missing -o or PATH, invalid package name
//	100  breaking found a break
package main

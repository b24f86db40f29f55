package breaking

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen/build"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// JudgeDrift judges a payload schema the registry changed at run time for a
// client that uses compiled in direction dir, under PolicyDeclared. It has
// the type of client.DriftJudge:
//
//	client.WithRegistryDrift(url, pkg.RegistryEntries(),
//		client.WithDriftJudge(breaking.JudgeDrift),
//		client.WithDriftDirection(registry.Publishes))
//
// See DriftJudge.
func JudgeDrift(compiled, live json.RawMessage, dir registry.Direction) (*registry.Verdict, error) {
	return DriftJudge(PolicyDeclared)(compiled, live, dir)
}

// DriftJudge returns a judge of run-time schema drift under policy. A client
// that publishes with its compiled schema C to readers on the live schema L
// breaks when an instance valid under C is invalid under L (the backward
// check with old C and new L); a client that reads with C breaks when an
// instance valid under L is invalid under C (the forward check). Each Break
// carries the finding's message and its verified witness. Both schemas must
// be self-contained (a $ref into another file does not resolve).
func DriftJudge(policy Policy) func(compiled, live json.RawMessage, dir registry.Direction) (*registry.Verdict, error) {
	return func(compiled, live json.RawMessage, dir registry.Direction) (*registry.Verdict, error) {
		if dir&registry.PublishesAndReads == 0 || dir&^registry.PublishesAndReads != 0 {
			return nil, fmt.Errorf("breaking: unknown direction %v", dir)
		}
		c, err := loadText("compiled", compiled)
		if err != nil {
			return nil, err
		}
		l, err := loadText("live", live)
		if err != nil {
			return nil, err
		}
		verdict := &registry.Verdict{Direction: dir}
		for _, use := range []struct {
			dir       registry.Direction
			from, rej *Version
			findings  string
		}{
			{registry.Publishes, c, l, Backward},
			{registry.Reads, l, c, Forward},
		} {
			if dir&use.dir == 0 {
				continue
			}
			fs, err := search(use.from, use.rej, l, driftAspect, use.findings, policy)
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				verdict.Breaks = append(verdict.Breaks, registry.Break{Direction: use.dir, Message: driftWords.Replace(f.Message), Witness: f.Witness})
			}
		}
		return verdict, nil
	}
}

// driftWords names the versions of a finding's message as drift sees them.
var driftWords = strings.NewReplacer("the old schema", "the compiled schema", "the new schema", "the live schema",
	"the old one", "the compiled one", "the new one", "the live one")

// driftAspect names the one aspect of a version loaded from a schema text,
// whatever its x-parsec-aspect says, so that both sides compare.
const driftAspect = "payload"

// loadText loads one self-contained payload schema; which ("compiled" or
// "live") names it in errors.
func loadText(which string, text json.RawMessage) (*Version, error) {
	const file = driftAspect + ".json"
	display := func(string) string { return which + " payload schema" }
	set, err := load.Load(load.Config{FS: fstest.MapFS{file: {Data: text}}, Display: display}, []string{file})
	if err != nil {
		return nil, err
	}
	p, err := build.Build(set, build.Config{Package: "schemas", Namer: naming.New(nil),
		Inputs: map[string]build.Input{file: {Aspect: driftAspect, Name: "JudgedAspect"}}})
	if err != nil {
		return nil, err
	}
	return newVersion(p)
}

package naming_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/runtime/client"
)

// exported returns the exported method set of t, sorted.
func exported(t reflect.Type) []string {
	var names []string
	for i := range t.NumMethod() {
		names = append(names, t.Method(i).Name)
	}
	slices.Sort(names)
	return names
}

// The reserved lists are exactly the runtime types' method sets: a method
// the runtime adds (or drops) fails here until the list follows, so no
// aspect can ever generate a method that hides it.
func TestRuntimeMethodListsMatchRuntime(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  reflect.Type
		list []string
	}{
		{"*client.Client", reflect.TypeFor[*client.Client](), naming.RuntimeClientMethods()},
		{"*client.Subscription", reflect.TypeFor[*client.Subscription](), naming.RuntimeSubscriptionMethods()},
	} {
		got := slices.Sorted(slices.Values(c.list))
		if diff := cmp.Diff(exported(c.typ), got); diff != "" {
			t.Errorf("the list for %s in gen/naming/runtime.go differs from the runtime's methods (-runtime +list):\n%s", c.name, diff)
		}
	}
}

func TestHiddenRuntimeMethods(t *testing.T) {
	cases := map[string][]string{
		"Error":          {"Subscription.OnError"},
		"Gap":            {"Subscription.OnGap"},
		"Envelope":       {"Client.PublishEnvelope", "Subscription.OnEnvelope"},
		"Aspect":         {"Client.PublishAspect", "Subscription.OnAspect", "Subscription.PublishDerivedAspect"},
		"GapReport":      {"Subscription.OnGapReport"},
		"Payload":        {"Client.PublishPayload", "Client.PublishDerivedPayload", "Subscription.PublishDerivedPayload"},
		"Derived":        {"Client.PublishDerived"},
		"DerivedPayload": {"Client.PublishDerivedPayload"},
		"OrderPlaced":    nil,
		"ErrorReport":    nil,
	}
	for root, want := range cases {
		var got []string
		for _, h := range naming.HiddenRuntimeMethods(root) {
			got = append(got, h.Generated)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("root %s (-want +got):\n%s", root, diff)
		}
	}
}

// The typed wrappers' own fixed methods: Client.Subscribe replaces the
// runtime's on purpose (it returns the typed Subscription, which embeds the
// runtime's); Subscription.Handle(Handler) must hide nothing.
func TestFixedTypedMethods(t *testing.T) {
	if _, ok := reflect.TypeFor[*client.Subscription]().MethodByName("Handle"); ok {
		t.Errorf("the runtime's *client.Subscription has a Handle method, which the typed Subscription.Handle(Handler) hides")
	}
	if _, ok := reflect.TypeFor[*client.Client]().MethodByName("Subscribe"); !ok {
		t.Errorf("the runtime's *client.Client lost Subscribe, which the typed Client.Subscribe wraps")
	}
}

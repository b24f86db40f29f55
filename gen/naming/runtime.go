package naming

import "slices"

// The typed Client and Subscription that generated code declares embed the
// runtime's *client.Client and *client.Subscription. A generated method with
// the name of a runtime method would hide it (an aspect "error" would turn
// Subscription.OnError(func(error)) into a typed handler registration), so
// such names are refused. The lists are the exported method sets of the
// runtime types; a test compares them with the runtime by reflection, so a
// method the runtime gains fails that test until it is listed here.
var (
	runtimeClientMethods = []string{"Close", "Connect", "History", "Presence", "Publish", "PublishAspect",
		"PublishDerived", "PublishDerivedPayload", "PublishEnvelope", "PublishPayload", "Subscribe"}
	runtimeSubscriptionMethods = []string{"Channel", "Done", "Err", "HandleAspect", "HandleEnvelope", "History",
		"OnAspect", "OnEnvelope", "OnError", "OnGap", "OnGapReport", "Position", "Presence", "PublishDerived",
		"PublishDerivedAspect", "PublishDerivedPayload", "ResumeState", "Start", "Stats", "Unsubscribe"}
)

// RuntimeClientMethods returns the exported methods of the runtime's
// *client.Client, which the typed Client embeds.
func RuntimeClientMethods() []string { return slices.Clone(runtimeClientMethods) }

// RuntimeSubscriptionMethods returns the exported methods of the runtime's
// *client.Subscription, which the typed Subscription embeds.
func RuntimeSubscriptionMethods() []string { return slices.Clone(runtimeSubscriptionMethods) }

// ClientMethodPrefixes are the prefixes of the typed Client's methods for an
// aspect; SubscriptionMethodPrefixes those of the typed Subscription.
func ClientMethodPrefixes() []string { return []string{"Publish", "PublishDerived"} }

// SubscriptionMethodPrefixes: see ClientMethodPrefixes.
func SubscriptionMethodPrefixes() []string { return []string{"On", "PublishDerived"} }

// HiddenMethod is a generated method that would hide a runtime method of the
// same name.
type HiddenMethod struct {
	// Method is the name both share, e.g. "OnError".
	Method string
	// Generated is the typed method, e.g. "Subscription.OnError".
	Generated string
	// Runtime is the runtime method it would hide, e.g.
	// "(*client.Subscription).OnError".
	Runtime string
}

// HiddenRuntimeMethods returns the runtime methods that the typed methods of
// an aspect whose root type is root would hide, in a fixed order.
func HiddenRuntimeMethods(root string) []HiddenMethod {
	var out []HiddenMethod
	for _, recv := range []struct {
		typ, runtime string
		prefixes     []string
		methods      []string
	}{
		{"Client", "client.Client", ClientMethodPrefixes(), runtimeClientMethods},
		{"Subscription", "client.Subscription", SubscriptionMethodPrefixes(), runtimeSubscriptionMethods},
	} {
		for _, p := range recv.prefixes {
			m := p + root
			if slices.Contains(recv.methods, m) {
				out = append(out, HiddenMethod{Method: m, Generated: recv.typ + "." + m, Runtime: "(*" + recv.runtime + ")." + m})
			}
		}
	}
	return out
}

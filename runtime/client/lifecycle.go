package client

import "fmt"

// subState is where a Subscription is in its life. Subscription.mu guards
// it, together with the stream of the current generation; it changes only
// through Subscription.enter, which refuses a transition subTransitions does
// not list:
//
//	subscribing   -> waiting        Subscribe got the first stream
//	waiting       -> running        the first envelope handler (without WithManualStart), or Start
//	waiting       -> stopped        Unsubscribe or Close before dispatch began, or the
//	                                client closed while Subscribe ran
//	running       -> resubscribing  the stream closed without Unsubscribe or Close
//	running       -> stopped        Unsubscribe or Close
//	resubscribing -> running        a new stream, one generation later
//	resubscribing -> failed         every attempt failed (Err wraps ErrResumeFailed)
//	resubscribing -> stopped        Unsubscribe or Close
//	failed        -> stopped        Unsubscribe or Close
//
// stopped is final. The dispatch goroutine exists from running until it
// returns in resubscribing (the subscription's context ended), failed or
// stopped; Done is closed when it has returned, or at once when the
// subscription stops in waiting.
type subState uint8

const (
	subSubscribing   subState = iota // Subscribe is asking the transport for the first stream
	subWaiting                       // the stream is open; dispatch waits for a handler or Start
	subRunning                       // the dispatch goroutine reads the current stream
	subResubscribing                 // the stream closed; the dispatch goroutine subscribes again
	subFailed                        // resubscribing gave up; dispatch ended
	subStopped                       // Unsubscribe or Close; final
)

var subStateNames = [...]string{
	subSubscribing:   "subscribing",
	subWaiting:       "waiting",
	subRunning:       "running",
	subResubscribing: "resubscribing",
	subFailed:        "failed",
	subStopped:       "stopped",
}

func (st subState) String() string {
	if int(st) < len(subStateNames) {
		return subStateNames[st]
	}
	return fmt.Sprintf("subState(%d)", st)
}

// subTransitions lists, for each state, the states it may move to.
var subTransitions = [...][]subState{
	subSubscribing:   {subWaiting},
	subWaiting:       {subRunning, subStopped},
	subRunning:       {subResubscribing, subStopped},
	subResubscribing: {subRunning, subFailed, subStopped},
	subFailed:        {subStopped},
	subStopped:       nil,
}

// canEnter reports whether subTransitions allows st -> to.
func (st subState) canEnter(to subState) bool {
	if int(st) >= len(subTransitions) {
		return false
	}
	for _, t := range subTransitions[st] {
		if t == to {
			return true
		}
	}
	return false
}

// dispatching reports whether the dispatch goroutine was started (it may
// have returned since).
func (st subState) dispatching() bool {
	return st == subRunning || st == subResubscribing || st == subFailed
}

// enter moves the subscription to state to. A transition subTransitions does
// not allow is a bug in this package: it panics. The caller holds s.mu.
func (s *Subscription) enter(to subState) {
	if !s.state.canEnter(to) {
		panic(fmt.Sprintf("parsec: subscription %q: invalid lifecycle transition %s -> %s", s.channel, s.state, to))
	}
	s.state = to
}

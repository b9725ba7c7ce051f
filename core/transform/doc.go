// Package transform runs JavaScript transform scripts with goja: a script
// defines `function transform(event, context)` and returns the payload to send
// (or a connector's input), or null to skip the event.
//
// # Using it
//
//	e := transform.New(transform.Options{})          // limits; Close stops the watchdog
//	defer e.Close()
//	p, err := transform.Compile("vip.js", source)    // once per script version; EINVALID naming line:column
//	res, err := e.Run(ctx, p, transform.Input{Event: ev, Target: target, Attempt: 1})
//
// The delivery engine uses Runner, the core.TransformRunner that loads a
// script's latest version from a core.ScriptStore and caches its compiled
// program per version.
//
// # The sandbox
//
//   - Compiled once (goja.Compile), run on pooled runtimes, one run per
//     runtime at a time; Interrupt from a time.AfterFunc (default 50 ms, at
//     most 1 s) and from context.AfterFunc, ClearInterrupt before reuse.
//   - Nothing one run writes (a top-level let, globalThis.x,
//     Object.prototype.x) is seen by the next, whichever account it belongs
//     to. The global object and every builtin reachable from it are frozen
//     when the runtime is made, and scripts run in strict mode. A script's
//     top level is either evaluated anew by each run (its source is wrapped
//     in a function) or, when it cannot hold state, once per runtime:
//   - Reused top level (Program.ReusesTopLevel): decided at compile time from
//     the AST. The top level may only declare functions and let/const/var
//     bindings of literals (flat arrays and objects of them), function
//     expressions or names; nothing may assign to, increment or delete
//     through a top-level name; a top-level array or object may only be
//     read (indexed, iterated, spread, or the receiver of join, indexOf,
//     map...); no eval or arguments. After the first evaluation the bindings
//     are deep-frozen, so a write the rule did not foresee throws instead of
//     leaking. A script with a top-level counter, cache, regexp or call is
//     not refused: it gets a fresh scope per run, correct and about a third
//     slower. Every shipped script takes the fast path (a test holds them to
//     it).
//   - Only a small named set of host functions: console.log/info/warn/error/
//     debug (captured, capped in lines and bytes), bellhop.sha256(string) and
//     bellhop.skip(reason). No require, no network, no timers, no file system.
//   - Call-stack depth limit; input (1 MiB) and output (256 KiB) caps.
//   - One regular-expression match may take at most 50 ms (maxMatchTime):
//     backtracking patterns run in regexp2, which no interrupt reaches.
//
// # The event object
//
// The event and its data.object are goja dynamic objects over the event's
// JSON (jsonObject): a member is made into a goja value when the script first
// reads it, because an ordinary goja object costs a map and half a dozen
// allocations per object whether the script reads it or not. The context
// and its target and headers are dynamic objects too. They act as
// JSON.parse's objects do (same key order, reads, writes, deletes, additions,
// spreading, JSON.stringify; a test holds them to it), with one difference:
// Object.freeze, Object.seal and Object.preventExtensions on them, and
// Object.defineProperty of anything but a plain writable enumerable value,
// throw a TypeError. A script that needs that copies first ({...o}).
//
// # Memory
//
// goja has no memory limit, and a Go program cannot survive running out of
// memory, so the engine stops unbounded allocation in two complementary ways:
//
//  1. Guards on the builtins that can turn a small input into a huge result
//     in one native call, which no interrupt can stop: String.prototype.repeat,
//     padStart, padEnd, concat, replace, replaceAll; Array.prototype.join
//     (reimplemented with a bounded builder); every Array.prototype method
//     that loops over `length` (a sparse array may claim a length of 1e9);
//     Array.from, Function.prototype.apply, Reflect.apply/construct; and
//     JSON.stringify (a counting replacer, so one object shared a million
//     times cannot expand into gigabytes). Typed arrays and ArrayBuffer are
//     removed. A guard throws a RangeError the script sees.
//  2. A watchdog that, every millisecond while runs are in flight, reads the
//     process's cumulative heap allocations from runtime/metrics (no
//     stop-the-world) and interrupts a run during which the process
//     allocated more than Options.MemoryBudget (default 64 MiB). Go cannot
//     attribute allocations to a goroutine, so the count includes what other
//     goroutines allocated meanwhile: when several runs are over budget it
//     stops only the one running longest and starts the others' counts
//     afresh (see watchdog); a run stopped while others ran beside it runs
//     once more on a count of its own, so that a neighbour that merely
//     waited for a core is not failed for another's growth. It stops the step-by-step growth the guards
//     cannot see: an ever-growing array, a string doubled in a loop.
//
// Native loops over an iterator (spreading [...a] or f(...a), for-of,
// new Set(a), Promise.all(a)) are not method calls on the array, and no
// interrupt reaches them, so the iterators of arrays and strings themselves
// are guarded: one may walk at most 64Ki elements or characters
// (maxIterated), about the default time limit at a microsecond a step.
//
// # Script code only runs inside a bounded run
//
// A script's code runs not only in its transform function but wherever the
// engine reads what it made: getters, Proxy traps, toJSON, toString and
// valueOf while the result and context.headers are encoded, and the name
// and message of what it threw. All of it runs inside the run (vm.guard),
// under the same time, memory and stack limits, before the timers stop;
// promise jobs it queued run there too. Nothing a script does escapes as a
// panic, and a runtime that was interrupted or panicked is never pooled
// again, so no half-unwound state reaches another tenant's run.
//
// # Errors
//
// A script error, a timeout or a broken limit is an EINVALID error whose
// message starts with "<name>:<line>:<column>:" and whose Reason (also
// TransformResult.Failure) says what stopped the run:
// core.TransformTimeout, core.TransformMemoryLimit or
// core.TransformScriptError. The delivery engine fails the delivery for
// good on a script error (fix the script, replay the event) and retries it
// on its schedule after a time or memory limit, which other tenants' load
// can move. A cancelled context is returned as is.
package transform

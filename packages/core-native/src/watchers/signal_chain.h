// The process-wide signal chain behind evkit's Signal watchers.
//
// libev's ev_signal is never used: it replaces Node's sigaction, resets the
// signal to SIG_DFL on stop, and aborts when two loops watch one signal
// (Debian's libev keeps its asserts). Instead:
// - Per signal and per env, evkit owns one uv_signal_t on the env's Node loop
//   (unref'd, no-op callback). libuv therefore keeps its own handler
//   registered, and `process.on(sig)`/`off` never call sigaction while evkit
//   watches the signal.
// - The first time evkit takes a signal (process-wide), the sigaction in force
//   before is saved; once libuv's handler is in, evkit's chain handler is
//   installed over it. The handler (async-signal-safe) ev_async_send's every
//   registered watcher, in any loop and any env, then calls libuv's handler so
//   Node's listeners fire.
// - On the last stop (process-wide) libuv's handler is put back and evkit's
//   uv_signal_t closed; when libuv had no other handle (it then resets the
//   signal to SIG_DFL) the saved action is restored.
// Every table is behind one mutex. The handler reads a published snapshot
// without locking; a writer swaps in a new snapshot and waits for handlers
// inside the old one before freeing it (or the watchers it names).
//
// Lock order: a loop mutex may be held while calling in here; nothing in here
// takes a loop mutex.
#pragma once

#include <napi.h>
#include <uv.h>

#include "ev_config.h"

namespace evkit {
namespace signal_chain {

// Why evkit refuses to watch `signum`, or null when it may. Also covers the
// range (1 .. NSIG-1).
const char* RefusalReason(int signum);

// Starts `w` on `loop` (ev_async_start) and registers it for `signum`, taking
// the signal on `uv` (the env's Node loop) if this env has not yet. Returns 0,
// or a negative libuv error code (the watcher is then not started).
int Start(uv_loop_t* uv, int signum, struct ev_loop* loop, ev_async* w);

// Unregisters `w` (when registered) and stops it (ev_async_stop). Runs on the
// env's JS thread, also from destructors and env cleanup.
void Stop(struct ev_loop* loop, ev_async* w);

// binding.signalChainState(signum): the chain's bookkeeping for one signal
// (a read-only diagnostic, like debugCounts), or null for a non-signal.
Napi::Value State(const Napi::CallbackInfo& info);

}  // namespace signal_chain
}  // namespace evkit

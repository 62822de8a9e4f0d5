// LoopCore's async contexts: a watcher started on an attached loop runs its
// callbacks in the async context of that start() (its AsyncLocalStorage
// stores, and async_hooks sees one resource per start), as Node's timers do.
//
// The context is made natively (napi_async_init) while start() is on the
// stack, and each attached delivery passes it to napi_make_callback in place
// of the loop's own. Entering a JS AsyncResource around the callback instead
// costs each delivery a second context switch in JS (runInAsyncScope): about
// 1 us of a lone message's wake-up to callback here, cold. A blocking run()
// after detach() delivers such a watcher in a batch: JS then asks for its
// callback to be made in the context here (CallInContext), so JS keeps no
// context of its own beside it (an AsyncResource per start: ~0.45 us of a
// timer re-armed from its callback).
//
// Contexts live in a map beside the watchers, not in them: only watchers
// started while attached have one, and a field would grow every watcher.
// JS thread only.
#include "loop_core.h"
#include "watcher.h"

namespace evkit {

void LoopCore::UseContext(WatcherBase* w, bool capture) {
  DropContext(w);
  if (!capture || jsDead_ || destroyRequested_) return;
  napi_env env = env_->env();
  napi_value name;
  napi_async_context context = nullptr;
  // No resource object given: Node makes one and holds it as long as the context.
  if (napi_create_string_latin1(env, "evkit.Watcher", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, nullptr, name, &context) != napi_ok) {
    return;
  }
  contexts_.emplace(w, context);
  w->hasContext_ = true;
}

void LoopCore::DropContext(WatcherBase* w) {
  if (!w->hasContext_) return;
  w->hasContext_ = false;
  auto it = contexts_.find(w);
  napi_async_context context = it->second;
  contexts_.erase(it);
  // The callback running now may be this watcher's: its scope closes first
  // (CallJs destroys it then).
  if (callDepth_ > 0) {
    retiredContexts_.push_back(context);
  } else {
    napi_async_destroy(env_->env(), context);
  }
}

napi_value LoopCore::CallInContext(const WatcherBase* w, napi_value recv, napi_value fn, size_t argc,
                                   const napi_value* argv) noexcept {
  napi_env env = env_->env();
  napi_value result = nullptr;
  napi_async_context context = ContextOf(w);
  napi_status status;
  {
    JsCallScope scope(this);  // `context` outlives the call if the callback drops it
    status = context != nullptr ? napi_make_callback(env, context, recv, fn, argc, argv, &result)
                                : napi_call_function(env, recv, fn, argc, argv, &result);
  }
  return status == napi_ok ? result : nullptr;
}

napi_async_context LoopCore::ContextOf(const WatcherBase* w) const {
  if (!w->hasContext_) return nullptr;
  return contexts_.find(w)->second;
}

void LoopCore::DestroyRetiredContexts() noexcept {
  for (napi_async_context context : retiredContexts_) napi_async_destroy(env_->env(), context);
  retiredContexts_.clear();
}

}  // namespace evkit

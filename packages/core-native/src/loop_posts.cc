// LoopCore's posts: functions of other addons (include/evkit.h's `post`) that
// a native watcher callback, running wherever the loop runs, hands to the JS
// thread. They ride the same hand-off as evkit's own callbacks: a blocking
// run calls them after each batch; an attached loop's thread hands them off
// as a batch (or the JS thread's own pass runs them), and each is called as a
// Node callback: promise reactions and nextTicks settle after it.
#include "env_state.h"
#include "loop_core.h"

namespace evkit {

void LoopCore::Post(napi_env env, PostFn fn, void* data) {
  posts_.push_back(Posted{env, fn, data});
  // Posted outside a batch (from the JS thread, or a callback of a later
  // phase): the loop must not go to sleep on it.
  if (loop_ != nullptr && !destroyRequested_) PollWithoutBlocking();
}

size_t LoopCore::DeliverPosts() noexcept {
  if (posts_.empty()) return 0;
  auto keep = shared_from_this();
  std::vector<Posted> posts;
  posts.swap(posts_);
  size_t ran = 0;
  for (; ran < posts.size() && !destroyRequested_; ran++) CallPosted(posts[ran]);
  // A post destroyed the loop: the rest are cancelled with the loop's own.
  if (ran < posts.size()) posts_.insert(posts_.begin(), posts.begin() + ran, posts.end());
  return ran;
}

void LoopCore::CallPosted(const Posted& posted) noexcept {
  napi_env env = posted.env;
  if (jsDead_ || env_->exiting) {
    posted.fn(nullptr, posted.data);
    return;
  }
  napi_handle_scope handles;
  if (napi_open_handle_scope(env, &handles) != napi_ok) {
    posted.fn(nullptr, posted.data);
    return;
  }
  // As CallJs: a Node callback when attached, a plain call when blocking.
  const bool attached = attached_ && asyncContext_ != nullptr;
  napi_callback_scope scope = nullptr;
  if (attached) {
    // evkit's own env, whose async context this is (the addon's env counts
    // its callback scopes apart and would refuse to close this one).
    napi_value resource;
    napi_get_global(env_->env(), &resource);
    if (napi_open_callback_scope(env_->env(), resource, asyncContext_, &scope) != napi_ok) scope = nullptr;
  }
  {
    JsCallScope call(this);
    posted.fn(env, posted.data);
  }
  // What the function left thrown is reported as a callback's error: taken
  // before the scope closes, so that the scope still settles ticks.
  bool pending = false;
  napi_value exc = nullptr;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_get_and_clear_last_exception(env, &exc);
  }
  if (scope != nullptr) napi_close_callback_scope(env_->env(), scope);
  if (exc != nullptr) {
    // A destroyed loop has no run() left to throw from.
    if (attached || loop_ == nullptr) {
      napi_fatal_exception(env, exc);
    } else {
      StashException(exc);
    }
  }
  napi_close_handle_scope(env, handles);
}

void LoopCore::FlushPosts() noexcept {
  while (!posts_.empty()) {
    std::vector<Posted> posts;
    posts.swap(posts_);
    for (const Posted& posted : posts) CallPosted(posted);
  }
}

}  // namespace evkit

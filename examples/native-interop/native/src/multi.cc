#include "multi.h"

#include <cstring>

namespace curl_example {
namespace {

size_t Append(char* data, size_t size, size_t count, void* transfer) {
  static_cast<Transfer*>(transfer)->body.append(data, size * count);
  return size * count;
}

napi_value MakeError(napi_env env, const char* message) {
  napi_value text, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, nullptr, text, &error);
  return error;
}

}  // namespace

Multi* Multi::Create(napi_env env, struct ev_loop* loop) {
  CURLM* handle = curl_multi_init();
  if (handle == nullptr) return nullptr;
  auto* self = new Multi(env, loop);
  self->multi_ = handle;
  curl_multi_setopt(handle, CURLMOPT_SOCKETFUNCTION, OnSocket);
  curl_multi_setopt(handle, CURLMOPT_SOCKETDATA, self);
  curl_multi_setopt(handle, CURLMOPT_TIMERFUNCTION, OnTimeoutChange);
  curl_multi_setopt(handle, CURLMOPT_TIMERDATA, self);
  ev_init(&self->timeout_, OnTimeout);
  self->timeout_.data = self;
  // Told when the loop is destroyed under us, to settle what is in flight.
  ev_cleanup_init(&self->cleanup_, OnLoopDestroyed);
  self->cleanup_.data = self;
  ev_cleanup_start(loop, &self->cleanup_);
  return self;
}

Multi::~Multi() {
  // Watchers are stopped through evkit before their memory goes, even when
  // the loop is gone (then that only marks them stopped).
  ev_timer_stop(loop_, &timeout_);
  ev_cleanup_stop(loop_, &cleanup_);
}

napi_value Multi::Fetch(napi_env env, const char* url) {
  if (closed_ || loopGone_) {
    napi_throw_error(env, "ERR_CURL_CLOSED", closed_ ? "the multi handle is closed" : "its evkit loop was destroyed");
    return nullptr;
  }
  auto* transfer = new Transfer(this);
  transfer->easy = curl_easy_init();
  if (transfer->easy == nullptr) {
    delete transfer;
    napi_throw_error(env, nullptr, "curl_easy_init failed");
    return nullptr;
  }
  CURL* easy = transfer->easy;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // curl runs on the loop thread too
  napi_value promise;
  napi_create_promise(env, &transfer->deferred, &promise);
  // The loop thread may be inside curl right now (a callback): take the loop.
  evkit_api_current->lock(loop_);
  CURLMcode added = curl_multi_add_handle(multi_, easy);  // curl arms its timeout through OnTimeoutChange
  if (added == CURLM_OK) inFlight_.insert(transfer);
  evkit_api_current->unlock(loop_);
  if (added != CURLM_OK) {
    napi_reject_deferred(env, transfer->deferred, MakeError(env, curl_multi_strerror(added)));
    curl_easy_cleanup(easy);
    delete transfer;
    return promise;
  }
  // While a promise is unsettled the loop (and, attached, Node) stays alive.
  if (unsettled_++ == 0) evkit_api_current->hold(loop_);
  return promise;
}

int Multi::OnSocket(CURL*, curl_socket_t fd, int what, void* self, void* socket) {
  auto* multi = static_cast<Multi*>(self);
  auto* watched = static_cast<Socket*>(socket);
  if (what == CURL_POLL_REMOVE) {
    // curl closes the socket right after this: the watcher goes first.
    if (watched != nullptr) {
      ev_io_stop(multi->loop_, &watched->io);
      multi->sockets_.erase(watched);
      delete watched;
    }
    return 0;
  }
  int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
  if (watched == nullptr) {
    watched = new Socket{{}, multi};
    ev_init(&watched->io, OnIo);
    watched->io.data = watched;
    multi->sockets_.insert(watched);
    curl_multi_assign(multi->multi_, fd, watched);
  } else {
    ev_io_stop(multi->loop_, &watched->io);
  }
  ev_io_set(&watched->io, fd, events);
  ev_io_start(multi->loop_, &watched->io);
  return 0;
}

int Multi::OnTimeoutChange(CURLM*, long timeoutMs, void* self) {
  auto* multi = static_cast<Multi*>(self);
  ev_timer_stop(multi->loop_, &multi->timeout_);
  if (timeoutMs >= 0) {
    ev_timer_set(&multi->timeout_, timeoutMs / 1000.0, 0.);
    ev_timer_start(multi->loop_, &multi->timeout_);
  }
  return 0;
}

void Multi::OnIo(struct ev_loop*, ev_io* w, int revents) {
  auto* socket = static_cast<Socket*>(w->data);
  socket->multi->Act(w->fd, revents);  // may free `socket`
}

void Multi::OnTimeout(struct ev_loop*, ev_timer* w, int) {
  static_cast<Multi*>(w->data)->Act(CURL_SOCKET_TIMEOUT, 0);
}

void Multi::Act(curl_socket_t fd, int revents) {
  int mask = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0) |
             (revents & EV_ERROR ? CURL_CSELECT_ERR : 0);
  int running = 0;
  curl_multi_socket_action(multi_, fd, mask, &running);
  CollectFinished();
}

void Multi::CollectFinished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode result = message->data.result;  // `message` dies with the handle's removal
    Transfer* transfer = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&transfer));
    curl_multi_remove_handle(multi_, easy);
    inFlight_.erase(transfer);
    Hand(transfer, result);
  }
}

// A callback runs on the loop thread, or on the JS thread inside the loop's
// own machinery: either way no Node-API here; the result goes to JS by post.
void Multi::Hand(Transfer* transfer, CURLcode result) {
  transfer->result = result;
  // Cannot fail: the loop is alive while its callbacks run (or is being
  // destroyed, when posts still run right after the cleanup watchers).
  evkit_api_current->post(loop_, env_, Settle, transfer);
}

void Multi::Settle(napi_env env, void* data) {
  auto* transfer = static_cast<Transfer*>(data);
  Multi* self = transfer->multi;
  if (env != nullptr) {
    if (transfer->result == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
      napi_value result, value;
      napi_create_object(env, &result);
      napi_create_int32(env, static_cast<int32_t>(status), &value);
      napi_set_named_property(env, result, "status", value);
      napi_create_buffer_copy(env, transfer->body.size(), transfer->body.data(), nullptr, &value);
      napi_set_named_property(env, result, "body", value);
      napi_resolve_deferred(env, transfer->deferred, result);
    } else {
      const char* why = transfer->error[0] != '\0' ? transfer->error : curl_easy_strerror(transfer->result);
      napi_reject_deferred(env, transfer->deferred, MakeError(env, why));
    }
  }
  curl_easy_cleanup(transfer->easy);
  delete transfer;
  self->Unsettle();
}

void Multi::Unsettle() {
  if (--unsettled_ > 0) return;
  evkit_api_current->release(loop_);  // -ENOENT once the loop is gone
  if (abandoned_) delete this;
}

void Multi::Abandon(napi_env env) {
  abandoned_ = true;
  if (unsettled_ > 0) return;  // the last settled promise frees it
  Close(env);
  delete this;
}

// Libev runs cleanup watchers on the JS thread while it frees the loop (evkit
// has stopped our io and timer watchers by then): end every transfer.
void Multi::OnLoopDestroyed(struct ev_loop*, ev_cleanup* w, int) {
  auto* self = static_cast<Multi*>(w->data);
  self->loopGone_ = true;
  for (Transfer* transfer : self->inFlight_) {
    curl_multi_remove_handle(self->multi_, transfer->easy);
    std::strncpy(transfer->error, "the evkit loop was destroyed", CURL_ERROR_SIZE - 1);
    self->Hand(transfer, CURLE_ABORTED_BY_CALLBACK);
  }
  self->inFlight_.clear();
  self->FreeCurl();
}

void Multi::Close(napi_env env) {
  if (closed_) return;
  closed_ = true;
  evkit_api_current->lock(loop_);
  std::unordered_set<Transfer*> aborted;
  aborted.swap(inFlight_);
  for (Transfer* transfer : aborted) curl_multi_remove_handle(multi_, transfer->easy);
  FreeCurl();
  evkit_api_current->unlock(loop_);
  for (Transfer* transfer : aborted) {
    napi_reject_deferred(env, transfer->deferred, MakeError(env, "the multi handle was closed"));
    curl_easy_cleanup(transfer->easy);
    delete transfer;
    if (--unsettled_ == 0) evkit_api_current->release(loop_);
  }
}

// The loop held or gone. curl_multi_cleanup reports removed sockets first.
void Multi::FreeCurl() {
  if (multi_ == nullptr) return;
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  for (Socket* socket : sockets_) {
    ev_io_stop(loop_, &socket->io);
    delete socket;
  }
  sockets_.clear();
  ev_timer_stop(loop_, &timeout_);
}

}  // namespace curl_example

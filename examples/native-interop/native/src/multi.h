// libcurl's multi interface on an evkit loop: curl tells which sockets to
// watch and when to time out (its socket and timer callbacks), libev watchers
// started through evkit's C API watch them, and each finished transfer settles
// its promise on the JS thread through evkit's `post`.
#pragma once

#include <curl/curl.h>
#include <node_api.h>

#include <string>
#include <unordered_set>

#include "evkit_libev.h"

namespace curl_example {

class Multi;

// One request: its easy handle, what it received, and the promise it settles.
struct Transfer {
  explicit Transfer(Multi* owner) : multi(owner) {}
  Multi* multi;
  CURL* easy = nullptr;
  napi_deferred deferred = nullptr;
  std::string body;
  CURLcode result = CURLE_OK;
  char error[CURL_ERROR_SIZE] = {0};
};

// A curl socket and the io watcher on it.
struct Socket {
  ev_io io;
  Multi* multi;
};

class Multi {
 public:
  // On the JS thread. Null when curl cannot make a multi handle.
  static Multi* Create(napi_env env, struct ev_loop* loop);

  // JS thread: a promise of { status, body }; null with a JS error thrown.
  napi_value Fetch(napi_env env, const char* url);
  // JS thread: rejects what is in flight and frees curl's side.
  void Close(napi_env env);
  // JS thread: its JS object was collected; it frees itself now, or once the
  // last promise it made is settled (those stay valid without it).
  void Abandon(napi_env env);
  int unsettled() const { return unsettled_; }

 private:
  Multi(napi_env env, struct ev_loop* loop) : env_(env), loop_(loop) {}
  ~Multi();

  // curl's callbacks, on whichever thread is in curl_multi_*.
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket);
  static int OnTimeoutChange(CURLM* multi, long timeoutMs, void* self);
  // libev's, on whichever thread runs the loop.
  static void OnIo(struct ev_loop* loop, ev_io* w, int revents);
  static void OnTimeout(struct ev_loop* loop, ev_timer* w, int revents);
  static void OnLoopDestroyed(struct ev_loop* loop, ev_cleanup* w, int revents);
  // evkit's post: the JS thread.
  static void Settle(napi_env env, void* transfer);

  void Act(curl_socket_t fd, int revents);
  void CollectFinished();
  void Hand(Transfer* transfer, CURLcode result);  // to Settle
  void FreeCurl();
  void Unsettle();  // a promise was settled

  napi_env env_;
  struct ev_loop* loop_;
  CURLM* multi_ = nullptr;
  ev_timer timeout_;
  ev_cleanup cleanup_;
  std::unordered_set<Transfer*> inFlight_;  // in curl's multi
  std::unordered_set<Socket*> sockets_;
  int unsettled_ = 0;  // promises not settled yet (in flight or posted)
  bool closed_ = false;
  bool loopGone_ = false;
  bool abandoned_ = false;
};

}  // namespace curl_example

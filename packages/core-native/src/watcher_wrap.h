// WatcherWrap<Self, EvT>: binds WatcherBase to a JS class. Every kind's JS
// class gets the same verbs from BaseMethods(); a kind adds only its own.
//
// JS: new binding.<Kind>(loop: binding.Loop, owner: object, ...kindArgs)
#pragma once

#include <napi.h>

#include <type_traits>
#include <utility>
#include <vector>

#include "loop_wrap.h"
#include "type_tags.h"
#include "watcher.h"

namespace evkit {

template <class Self, class EvT>
class WatcherWrap : public Napi::ObjectWrap<Self>, public WatcherBase {
 public:
  using Wrap = Napi::ObjectWrap<Self>;
  using Property = typename Wrap::PropertyDescriptor;

  // Member pointers of this base, converted to the kind's type for DefineClass.
  static Property Method(const char* name, void (WatcherWrap::*method)(const Napi::CallbackInfo&)) {
    return Wrap::InstanceMethod(name, static_cast<void (Self::*)(const Napi::CallbackInfo&)>(method));
  }
  static Property Method(const char* name,
                         Napi::Value (WatcherWrap::*method)(const Napi::CallbackInfo&)) {
    return Wrap::InstanceMethod(name,
                                static_cast<Napi::Value (Self::*)(const Napi::CallbackInfo&)>(method));
  }

  static std::vector<Property> BaseMethods() {
    return {
        Method("start", &WatcherWrap::JsStart),
        Method("stop", &WatcherWrap::JsStop),
        Method("feed", &WatcherWrap::JsFeed),
        Method("close", &WatcherWrap::JsClose),
        Method("active", &WatcherWrap::JsActive),
        Method("pending", &WatcherWrap::JsPending),
        Method("priority", &WatcherWrap::JsPriority),
        Method("setPriority", &WatcherWrap::JsSetPriority),
        Method("setKeepalive", &WatcherWrap::JsSetKeepalive),
        Method("keepalive", &WatcherWrap::JsKeepalive),
    };
  }

  static Napi::Function DefineKind(Napi::Env env, const char* name,
                                   std::vector<Property> extra = {}) {
    std::vector<Property> props = BaseMethods();
    props.insert(props.end(), extra.begin(), extra.end());
    return Wrap::DefineClass(env, name, props);
  }

 protected:
  explicit WatcherWrap(const Napi::CallbackInfo& info)
      : Wrap(info),
        WatcherBase(info.Env(), LoopWrap::CoreOf(info.Env(), info[0]),
                    reinterpret_cast<ev_watcher*>(&ev_)) {
    ev_init(&ev_, nullptr);
    ev_.cb = reinterpret_cast<decltype(ev_.cb)>(&WatcherBase::Trampoline);
    SetWatcherData(&ev_, static_cast<WatcherBase*>(this));
    if (core() == nullptr) return;  // CoreOf threw
    if (info.Length() < 2 || !info[1].IsObject()) {
      Napi::TypeError::New(info.Env(), "watcher owner must be an object")
          .ThrowAsJavaScriptException();
      return;
    }
    BindOwner(info[1]);
    Tag(info.Env(), info.This(), kWatcherTag);
  }

  // The GC collected the JS object. A kind that overrides OnLeavingLoop calls
  // Leave() first in its own destructor, while its part of the object exists.
  ~WatcherWrap() override { Leave(); }

  // Kinds call this at the end of their constructor when their arguments were
  // rejected, so the half-made watcher is inert.
  void Reject() { Close(); }

  EvT ev_;

 private:
  // Kinds provide `void StartIn(struct ev_loop*)` and a static
  // `StopIn(struct ev_loop*, EvT*)`: stopping must not need the kind's members,
  // because it also runs while the object is being destroyed.
  // StartIn may return void (it cannot fail) or int (0, or its failure status).
  int EvStart(struct ev_loop* loop) final {
    if constexpr (std::is_void_v<decltype(std::declval<Self&>().StartIn(loop))>) {
      static_cast<Self*>(this)->StartIn(loop);
      return 0;
    } else {
      return static_cast<Self*>(this)->StartIn(loop);
    }
  }
  void EvStop(struct ev_loop* loop) final { Self::StopIn(loop, &ev_); }

  // start(): 0, or the kind's failure status (JS builds the error).
  Napi::Value JsStart(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), Start()); }
  void JsStop(const Napi::CallbackInfo&) { Stop(); }
  void JsFeed(const Napi::CallbackInfo& info) {
    Feed(info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0);
  }
  void JsClose(const Napi::CallbackInfo&) { Close(); }
  Napi::Value JsActive(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Active());
  }
  Napi::Value JsPending(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Pending());
  }
  Napi::Value JsPriority(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Priority());
  }
  Napi::Value JsSetPriority(const Napi::CallbackInfo& info) {
    int priority = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
    if (priority < EV_MINPRI || priority > EV_MAXPRI) return Napi::Boolean::New(info.Env(), false);
    return Napi::Boolean::New(info.Env(), SetPriority(priority));
  }
  void JsSetKeepalive(const Napi::CallbackInfo& info) {
    SetKeepalive(info[0].ToBoolean().Value());
  }
  Napi::Value JsKeepalive(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), keepalive());
  }
};

}  // namespace evkit

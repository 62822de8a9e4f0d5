// The example addon's JS surface:
//   init(nativeApi)               checks and keeps evkit's C API (once per process)
//   checkApi(nativeApi, v, r)     the same check for a given version (tests)
//   new Multi(loop.ptr)           a curl multi handle on that evkit loop
//   multi.fetch(url)              Promise<{ status: number, body: Buffer }>
//   multi.close()                 rejects what is in flight
//   multi.pending                 promises not settled yet
#include <node_api.h>

#include <mutex>
#include <string>

#include "multi.h"

const struct evkit_api* evkit_api_current = nullptr;

namespace curl_example {
namespace {


napi_value Undefined(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

napi_value Init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const struct evkit_api* api = evkit_api_get(env, argc > 0 ? argv[0] : Undefined(env));
  if (api == nullptr) return nullptr;
  // The table is the same for every thread of the process.
  evkit_api_current = api;
  static std::once_flag once;
  static CURLcode initialised = CURLE_OK;
  std::call_once(once, [] { initialised = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (initialised != CURLE_OK) {
    napi_throw_error(env, nullptr, "curl_global_init failed");
    return nullptr;
  }
  return Undefined(env);
}

napi_value CheckApi(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t version = 0, revision = 0;
  napi_get_value_uint32(env, argv[1], &version);
  napi_get_value_uint32(env, argv[2], &revision);
  if (evkit_api_check(env, argv[0], version, revision) == nullptr) return nullptr;
  napi_value yes;
  napi_get_boolean(env, true, &yes);
  return yes;
}

Multi* Unwrap(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  napi_value self;
  void* multi = nullptr;
  napi_get_cb_info(env, info, argc, argv, &self, nullptr);
  if (napi_unwrap(env, self, &multi) != napi_ok || multi == nullptr) {
    napi_throw_type_error(env, nullptr, "not a Multi");
    return nullptr;
  }
  return static_cast<Multi*>(multi);
}

napi_value New(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  napi_get_cb_info(env, info, &argc, argv, &self, nullptr);
  if (evkit_api_current == nullptr) {
    napi_throw_error(env, nullptr, "call init(nativeApi) first");
    return nullptr;
  }
  struct ev_loop* loop = evkit_api_current->loop_from_value(env, argc > 0 ? argv[0] : Undefined(env));
  if (loop == nullptr) return nullptr;  // evkit threw
  Multi* multi = Multi::Create(env, loop);
  if (multi == nullptr) {
    napi_throw_error(env, nullptr, "curl_multi_init failed");
    return nullptr;
  }
  napi_wrap(
      env, self, multi, [](napi_env env, void* data, void*) { static_cast<Multi*>(data)->Abandon(env); }, nullptr,
      nullptr);
  return self;
}

napi_value Fetch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Multi* multi = Unwrap(env, info, &argc, argv);
  if (multi == nullptr) return nullptr;
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fetch(url: string)");
    return nullptr;
  }
  std::string url(length, '\0');
  napi_get_value_string_utf8(env, argv[0], url.data(), length + 1, &length);
  return multi->Fetch(env, url.c_str());
}

napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Multi* multi = Unwrap(env, info, &argc, nullptr);
  if (multi == nullptr) return nullptr;
  multi->Close(env);
  return Undefined(env);
}

napi_value Pending(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Multi* multi = Unwrap(env, info, &argc, nullptr);
  if (multi == nullptr) return nullptr;
  napi_value count;
  napi_create_int32(env, multi->unsettled(), &count);
  return count;
}

napi_value Register(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"fetch", nullptr, Fetch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pending", nullptr, nullptr, Pending, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value multi;
  napi_define_class(env, "Multi", NAPI_AUTO_LENGTH, New, nullptr, 3, methods, &multi);
  napi_property_descriptor exported[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"checkApi", nullptr, CheckApi, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"Multi", nullptr, nullptr, nullptr, nullptr, multi, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 3, exported);
  return exports;
}

}  // namespace
}  // namespace curl_example

NAPI_MODULE_INIT() { return curl_example::Register(env, exports); }

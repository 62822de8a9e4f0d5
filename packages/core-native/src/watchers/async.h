#pragma once
#include <napi.h>
namespace evkit {
// Exports `Async` (the watcher class) and `asyncSend(id)` (any thread).
void InitAsync(Napi::Env env, Napi::Object exports);
}

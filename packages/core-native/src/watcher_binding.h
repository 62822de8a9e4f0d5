#pragma once
#include <napi.h>
namespace evkit {
// Exports the watcher verbs every kind shares (watcherStart, watcherStop, ...).
void InitWatcherBinding(Napi::Env env, Napi::Object exports);
}

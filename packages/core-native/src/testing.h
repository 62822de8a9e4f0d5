#pragma once
#include <napi.h>
namespace evkit {
// Adds the test-only helpers to exports.testing (creating it if needed).
Napi::Object TestingExports(Napi::Env env, Napi::Object exports);
}

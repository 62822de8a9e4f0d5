// The C API for other addons (include/evkit.h), exported to JS as
// `nativeApi`: an external carrying the table, type-tagged.
#pragma once

#include <node_api.h>

namespace evkit {

napi_value NativeApiValue(napi_env env);

}  // namespace evkit

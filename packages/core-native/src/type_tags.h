// Type tags let the binding reject foreign objects (or objects from another
// copy of the addon) with a TypeError instead of unwrapping garbage.
#pragma once

#include <napi.h>

namespace evkit {

inline constexpr napi_type_tag kLoopTag = {0x6576'6b69'745f'6c6fULL, 0x6f70'0001'0000'0001ULL};

inline bool HasTag(napi_env env, napi_value value, const napi_type_tag& tag) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object) return false;
  bool result = false;
  napi_check_object_type_tag(env, value, &tag, &result);
  return result;
}

inline void Tag(napi_env env, napi_value value, const napi_type_tag& tag) {
  napi_type_tag_object(env, value, &tag);
}

}  // namespace evkit

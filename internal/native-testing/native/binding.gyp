{
  "variables": {
    "libev_include%": "",
    "libev_library%": ""
  },
  "targets": [
    {
      "target_name": "evkit_testing",
      "sources": ["src/testing.cc", "src/api_probe.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      # evkit's C API (include/evkit.h) for api_probe.cc.
      "cflags": ["-isystem<(libev_include)", "-isystem<!(node -p \"require('@evkit/core-native/include').dir\")"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["<(libev_library)"],
      "conditions": [
        ["OS=='linux'", {
          "ldflags": ["-Wl,--exclude-libs,ALL"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CFLAGS": ["-isystem<(libev_include)"]
          }
        }]
      ]
    }
  ]
}

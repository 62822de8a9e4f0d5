{
  "targets": [
    {
      "target_name": "curl_multi",
      "sources": ["src/addon.cc", "src/multi.cc"],
      "include_dirs": [
        "<!(node -p \"require('@evkit/core-native/include').dir\")"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-strict-aliasing"],
      "libraries": ["<!@(curl-config --libs)"]
    }
  ]
}

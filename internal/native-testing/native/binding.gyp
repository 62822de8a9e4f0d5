{
  "targets": [
    {
      "target_name": "evkit_testing",
      "sources": ["src/testing.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["<!@(pkg-config --libs libev 2>/dev/null || echo -lev)"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CFLAGS": ["<!@(pkg-config --cflags libev 2>/dev/null || echo -I/opt/homebrew/include -I/usr/local/include)"]
          },
          "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib"]
        }]
      ]
    }
  ]
}

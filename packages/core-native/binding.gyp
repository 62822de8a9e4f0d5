{
  "variables": {
    "libev_check": "<!(node scripts/check-libev.mjs --gyp)",
    "evkit_sanitize%": ""
  },
  "targets": [
    {
      "target_name": "evkit",
      "sources": [
        "src/addon.cc",
        "src/env_state.cc",
        "src/loop_attached.cc",
        "src/loop_blocking.cc",
        "src/loop_core.cc",
        "src/loop_wrap.cc",
        "src/registry.cc",
        "src/watcher.cc",
        "src/watcher_binding.cc",
        "src/watchers/async.cc",
        "src/watchers/io.cc",
        "src/watchers/prepare_check.cc",
        "src/watchers/signal.cc",
        "src/watchers/signal_chain.cc",
        "src/watchers/fork.cc",
        "src/watchers/stat.cc",
        "src/watchers/timer.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "src"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["<!@(pkg-config --libs libev 2>/dev/null || echo -lev)"],
      "conditions": [
        ["evkit_sanitize!=''", {
          "cflags_cc": ["-fsanitize=<(evkit_sanitize)", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all", "-O1", "-g"],
          "ldflags": ["-fsanitize=<(evkit_sanitize)"]
        }],
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

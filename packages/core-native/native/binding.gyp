{
  "variables": {
    "evkit_libev%": "static",
    "evkit_sanitize%": ""
  },
  "targets": [
    {
      "target_name": "evkit",
      "sources": [
        "../src/addon.cc",
        "../src/block_pool.cc",
        "../src/env_state.cc",
        "../src/loop_attached.cc",
        "../src/loop_blocking.cc",
        "../src/loop_contexts.cc",
        "../src/loop_core.cc",
        "../src/loop_js_pass.cc",
        "../src/loop_posts.cc",
        "../src/loop_wrap.cc",
        "../src/native_api.cc",
        "../src/registry.cc",
        "../src/watcher.cc",
        "../src/watcher_binding.cc",
        "../src/watchers/async.cc",
        "../src/watchers/io.cc",
        "../src/watchers/prepare_check.cc",
        "../src/watchers/signal.cc",
        "../src/watchers/signal_chain.cc",
        "../src/watchers/fork.cc",
        "../src/watchers/stat.cc",
        "../src/watchers/timer.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../src"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      # include/: evkit.h, the C API for other addons (its ev.h is libev's own).
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-isystem<(module_root_dir)/../include"],
      "conditions": [
        ["evkit_libev=='static'", {
          # -isystem: libev's own headers, not /usr/include's, without their warnings.
          "cflags": ["-isystem<!(node ../scripts/libev-source.mjs --include)"],
          "xcode_settings": {
            "OTHER_CFLAGS": ["-isystem<!(node ../scripts/libev-source.mjs --include)"]
          },
          "libraries": ["<!(node ../scripts/libev-source.mjs --library)"],
          "conditions": [
            ["OS=='linux'", {
              "ldflags": ["-Wl,--exclude-libs,ALL"]
            }],
            # Shipped builds need no GLIBCXX. libgcc stays shared (node itself
            # needs libgcc_s.so.1): its static unwinder would need glibc 2.35.
            # --gc-sections drops libstdc++'s unused random_device (glibc 2.36).
            # A sanitizer build keeps libstdc++ shared so ASan sees operator new.
            ["OS=='linux' and evkit_sanitize==''", {
              "ldflags": ["-static-libstdc++", "-Wl,--gc-sections"]
            }]
          ]
        }],
        ["evkit_libev=='system'", {
          "cflags_cc": ["<!@(node ../scripts/check-libev.mjs --gyp-cflags)"],
          "libraries": ["<!@(node ../scripts/check-libev.mjs --gyp-libs)"],
          "xcode_settings": {
            "OTHER_CFLAGS": ["<!@(node ../scripts/check-libev.mjs --gyp-cflags)"]
          }
        }],
        ["OS=='linux'", {
          "ldflags": ["-Wl,--version-script=<(module_root_dir)/../native/exports.map"]
        }],
        ["evkit_sanitize!=''", {
          "cflags_cc": ["-fsanitize=<(evkit_sanitize)", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all", "-O1", "-g"],
          "ldflags": ["-fsanitize=<(evkit_sanitize)"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            # As exports.map on Linux: the Node-API entry points and no ev_* symbol.
            "OTHER_LDFLAGS": ["-Wl,-exported_symbols_list,<(module_root_dir)/../native/exports.darwin"]
          }
        }]
      ]
    }
  ]
}

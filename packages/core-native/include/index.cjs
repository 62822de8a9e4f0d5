// For binding.gyp: "include_dirs": ["<!(node -p \"require('@evkit/core-native/include').dir\")"]
exports.dir = __dirname;

#!/usr/bin/env node
// Writes one package per prebuilt platform (scripts/platforms.mjs) under
// packages/core-native-<id>/: its package.json (name, os/cpu/libc, what it
// packs and the prepack check of its binary), README and .gitignore; the
// fields every package shares come from scripts/sync-manifests.mjs at the
// root. `--check` changes nothing and exits 1, listing what differs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS, requirement } from './platforms.mjs';

const check = process.argv.includes('--check');
const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function manifest(platform, existing) {
  const dir = `packages/core-native-${platform.id}`;
  return {
    name: `@evkit/core-native-${platform.id}`,
    version: existing?.version ?? '0.0.0',
    description:
      `The prebuilt native addon of @evkit/core-native for ${platform.title}, libev 4.33 linked in (needs ${requirement(platform)}). ` +
      'Installed by @evkit/core-native as an optional dependency; not meant to be installed directly.',
    license: 'MIT',
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    files: ['dist', '!dist/*.tsbuildinfo', 'src', 'README.md', 'CHANGELOG.md', 'LICENSE', 'evkit.node', 'LIBEV-LICENSE'],
    scripts: { prepack: `node ../core-native/scripts/build-prebuild.mjs --check --target ${platform.id}` },
    keywords: ['libev', 'evkit', 'prebuilt', 'native', 'addon'],
    author: 'evkit contributors',
    repository: { type: 'git', url: 'git+https://github.com/evkit/evkit.git', directory: dir },
    homepage: `https://github.com/evkit/evkit/tree/main/${dir}#readme`,
    bugs: { url: 'https://github.com/evkit/evkit/issues' },
    engines: { node: '>=20.19' },
    publishConfig: { access: 'public' },
  };
}

function readme(platform) {
  const others = PLATFORMS.filter((p) => p !== platform).map((p) => p.id).join(', ');
  const runtime =
    platform.os === 'darwin'
      ? 'libev 4.33 is linked in; it loads only the system\n  libraries every macOS program loads'
      : 'libev 4.33 and libstdc++ are linked in; the only shared\n  libraries it loads are the C library and `libgcc_s`, both of which Node itself needs';
  return `# @evkit/core-native-${platform.id}

The prebuilt native addon of [\`@evkit/core-native\`](../core-native) for **${platform.title}**. Do not
install it yourself: \`@evkit/core-native\` lists it as an optional dependency, and npm, pnpm and yarn
install it only on a matching system (${platform.libc ? '\`os\`, \`cpu\` and \`libc\`' : '\`os\` and \`cpu\`'} in its package.json). It contains one file
that matters, \`evkit.node\`; nothing runs at install time.

## What it needs

- **${requirement(platform)}**${platform.libc === 'glibc' ? GLIBC_SYSTEMS : '.'}
- Node ≥ 20.19 (the addon uses Node-API 8, so later Node versions load the same binary).
- Nothing else: no compiler and no libev. ${runtime}.

## What is inside

\`evkit.node\` is \`@evkit/core-native\`'s C++ built with libev 4.33 linked in statically (Debian's
\`libev_4.33.orig.tar.gz\`, built with \`-O2 -fPIC\` and libev's asserts on, as Debian builds it), with
libev's symbols hidden, so it never clashes with a libev another module loads. It is built by the release
workflow's prebuild job for ${platform.id}, and the checks \`build-prebuild.mjs\` runs on it before it can be
packed: it exports its two Node-API entry points and nothing else (no \`ev_*\` symbol) and links neither
libev nor libstdc++ dynamically${platform.libc === 'glibc' ? `, with no glibc symbol version newer than ${platform.glibc}` : ''}.

## Another platform

Prebuilt packages exist for ${others} as well; Windows is not
supported. Elsewhere \`@evkit/core-native\` stops at load with an error that lists what it tried and the command that builds the
addon from source against the system libev, from your project:

\`\`\`sh
apt-get install -y python3 make g++ libev-dev   # Fedora: libev-devel; macOS: brew install libev
node node_modules/@evkit/core-native/scripts/build-native.mjs --system
\`\`\`

## License

MIT (\`LICENSE\`). The libev linked into \`evkit.node\` is © Marc Alexander Lehmann under the 2-clause BSD
license (or, at your choice, the GPL 2 or later); its notice is in \`LIBEV-LICENSE\`.
`;
}

const GLIBC_SYSTEMS = `: Debian 12, Ubuntu 22.04, RHEL / Rocky / AlmaLinux 9, Fedora 35, Amazon Linux 2023,
  and later releases of each. Older systems (Debian 11, Ubuntu 20.04, RHEL 8, Amazon Linux 2) build from
  source instead (below).`;
const GITIGNORE = '# Written by `pnpm prepare-release` (packages/core-native/scripts/build-prebuild.mjs).\nevkit.node\nLIBEV-LICENSE\n';

const problems = [];
for (const platform of PLATFORMS) {
  const dir = path.join(packagesDir, `core-native-${platform.id}`);
  const manifestFile = path.join(dir, 'package.json');
  const existing = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : undefined;
  const files = {
    'package.json': `${JSON.stringify(manifest(platform, existing), null, 2)}\n`,
    'README.md': readme(platform),
    '.gitignore': GITIGNORE,
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    if (check) {
      problems.push(`${path.relative(process.cwd(), file)}: missing or not what platform-packages.mjs writes`);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
}
if (problems.length > 0) {
  console.error(`${problems.join('\n')}\nRun \`node packages/core-native/scripts/platform-packages.mjs\` to fix.`);
  process.exit(1);
}

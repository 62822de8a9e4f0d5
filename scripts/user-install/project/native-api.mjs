// An addon author's view of an installed @evkit/core-native: the C API table
// is exported, and the include dir a binding.gyp names holds evkit.h and the
// ev.h of the libev evkit carries.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { includeDir, nativeApi } from '@evkit/core-native';

const { dir } = createRequire(import.meta.url)('@evkit/core-native/include');
const failures = [];
if (dir !== includeDir) failures.push(`include dir ${dir} is not includeDir ${includeDir}`);
for (const header of ['evkit.h', 'ev.h']) {
  if (!existsSync(path.join(dir, header))) failures.push(`${header} missing from ${dir}`);
}
if (!/EV_VERSION_MINOR 33/.test(readFileSync(path.join(dir, 'ev.h'), 'utf8'))) failures.push('ev.h is not libev 4.33');
if (typeof nativeApi !== 'object') failures.push(`nativeApi is a ${typeof nativeApi}`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('native api ok');

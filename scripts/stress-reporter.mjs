// A vitest reporter for scripts/stress.mjs: writes one JSON file per vitest
// process into $EVKIT_STRESS_REPORT_DIR with every failed test, every test that
// needed a retry, and every error outside a test. It prints nothing; the
// default reporter runs beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const clean = (text) => String(text ?? '').replace(/\x1b\[[0-9;]*m/g, '');

const describeError = (error) => {
  const name = clean(error?.name) || 'Error';
  const message = clean(error?.message).split('\n')[0];
  return message.startsWith(name) ? message : `${name}: ${message}`;
};

export default class StressReporter {
  onInit(vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules, unhandledErrors, reason) {
    const dir = process.env.EVKIT_STRESS_REPORT_DIR;
    if (!dir) return;
    const root = this.vitest?.config?.root ?? process.cwd();
    const tests = [];
    const moduleErrors = [];
    for (const testModule of testModules) {
      const file = path.relative(root, testModule.moduleId);
      for (const error of testModule.errors()) moduleErrors.push({ file, message: describeError(error) });
      for (const testCase of testModule.children.allTests()) {
        const result = testCase.result();
        const { retryCount = 0 } = testCase.diagnostic() ?? {};
        if (result.state !== 'failed' && retryCount === 0) continue;
        tests.push({
          file,
          name: testCase.fullName.replaceAll(' > ', ' › '),
          state: result.state,
          retries: retryCount,
          messages: (result.errors ?? []).map(describeError),
        });
      }
    }
    const project = path.basename(root);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `${project}-${process.pid}.json`),
      JSON.stringify({
        project,
        reason,
        tests,
        moduleErrors,
        unhandledErrors: unhandledErrors.map(describeError),
      }, null, 2),
    );
  }
}

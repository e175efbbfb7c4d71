import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CALIBRATION_DEFAULTS } from '../../src/astig/calibrateAstigmatism.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { QUEUE_WORKER_DEFAULTS } from '../../src/cluster/startQueueWorker.js';
import { EVALUATE_DEFAULTS } from '../../src/evaluate/evaluateLocalizations.js';
import { PNG_DEFAULTS } from '../../src/render/encodePng.js';
import { RENDER_DEFAULTS } from '../../src/render/SuperResolutionImage.js';
import { BEAD_STACK_DEFAULTS } from '../../src/simulate/simulateBeadStack.js';
import { PATCH_DEMO_DEFAULTS } from '../../src/simulate/simulatePatches.js';
import { SIMULATE_DEFAULTS } from '../../src/simulate/simulateStack.js';
import { CLI_DOCS_PATH, cliDocs } from '../build/cliDocs.js';

test('docs/cli.md is in step with the flag tables (npm run docs writes it)', async () => {
  assert.equal(readFileSync(CLI_DOCS_PATH, 'utf8'), await cliDocs(), 'docs/cli.md: run npm run docs');
});

test("every command's help ends with its flag table, and docs/cli.md has every flag", async () => {
  const docs = await cliDocs();
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = await entry.load();
    assert.ok(command.help.endsWith(command.flags.help()), `${name}: its help ends with its FlagTable's`);
    assert.ok(docs.includes(`## ${name}\n`), `docs/cli.md has a section for ${name}`);
    for (const flag of command.flags.flags) {
      assert.ok(docs.includes(`--${flag.name}`), `docs/cli.md names ${name} --${flag.name}`);
    }
  }
});

test('the defaults in help are the defaults of the code that uses them', async () => {
  // [command, flag, the library's default]: one home for each, shown as it is.
  const cases: [string, string, string | number][] = [
    ['evaluate', 'tolerance', EVALUATE_DEFAULTS.toleranceNm],
    ['render', 'pixel', RENDER_DEFAULTS.pixelNm],
    ['render', 'mode', RENDER_DEFAULTS.mode],
    ['render', 'colormap', PNG_DEFAULTS.colormap],
    ['render', 'bit-depth', PNG_DEFAULTS.bitDepth],
    ['render', 'percentile', PNG_DEFAULTS.percentile],
    ['simulate', 'width', SIMULATE_DEFAULTS.width],
    ['simulate', 'frames', SIMULATE_DEFAULTS.frames],
    ['simulate', 'psf-sigma', SIMULATE_DEFAULTS.psfSigmaNm],
    ['simulate', 'density', SIMULATE_DEFAULTS.density],
    ['simulate', 'read-noise', SIMULATE_DEFAULTS.readNoiseAdu],
    ['simulate', 'z-start', BEAD_STACK_DEFAULTS.zStartNm],
    ['fit-demo', 'count', PATCH_DEMO_DEFAULTS.count],
    ['fit-demo', 'sigma', PATCH_DEMO_DEFAULTS.sigmaPx],
    ['calibrate-3d', 'box', CALIBRATION_DEFAULTS.boxPx],
    ['worker', 'concurrency', QUEUE_WORKER_DEFAULTS.concurrency],
  ];
  for (const [name, flag, value] of cases) {
    const command = await COMMANDS[name].load();
    const f = command.flags.flags.find((candidate) => candidate.name === flag);
    assert.equal(f?.default, String(value), `${name} --${flag}`);
    // The help as one line (its wrapping aside) shows the flag with that default.
    assert.ok(command.help.replace(/\s+/g, ' ').includes(`--${flag} ${f?.value} ${f?.help} (default: ${value})`), `${name} --help shows --${flag}'s default`);
  }
});

test("the README's generated tables are optional: only those it has markers for are made", async () => {
  const { generatedTables } = await import('../build/readmeTables.js');
  assert.deepEqual(generatedTables('# a README without generated tables\n'), {});
  const marked = generatedTables('<!-- localize-options: generated -->\nold\n<!-- /localize-options -->\n');
  assert.deepEqual(Object.keys(marked), ['localize-options']);
  assert.match(marked['localize-options'], /^\| flag \| what \| default \|/);
});

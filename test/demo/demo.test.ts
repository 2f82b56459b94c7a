/** `npm run demo` plays its scenario end to end and prints what the README says it does. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('the offline demo', () => {
  it('plays every step against the emulator', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], { timeout: 60_000 });
    const row = (step: string) => stdout.split('\n').find((l) => l.includes(step)) ?? '';
    assert.match(row('1. A question'), /\| openrouter +\| free ✔/);
    assert.match(row('2. Free tier rate-limited'), /free ✘429 .*\| gemini|\| gemini +\| free ✘429/);
    assert.match(row('2b. Free tier cooling'), /\| gemini +\| gemini-2\.5-flash ✔ +\|/);
    assert.match(row('3. priority "high"'), /\| anthropic +\| claude-sonnet-4-5 ✔/);
    assert.match(row('5a. route "score"'), /\| openrouter +\|/);
    assert.doesNotMatch(row('5b. route "score"'), /\| openrouter +\|/);
    assert.match(row('6. The same request again'), /answer cache \(no upstream call\)/);
    assert.match(stdout, /Step 4b's upstream call carried 3 messages/);
    assert.match(row('7. Tools'), /\| gemini +\| .*calls get_weather\(\{"city":"Weather in Lima\?"\}\)/);
    assert.match(row('8. An image'), /\| gemini +\| gemini-2\.5-flash ✔/);
    assert.match(row('9. A Claude-format client'), /\| openrouter +\| .*Anthropic Messages format.*You said: Hola desde/);
    assert.match(row('10. The Responses API'), /\| openrouter +\| .*Responses API.*You said: My name/);
    assert.match(row('11. previous_response_id'), /\| anthropic +\| .*\(3 messages\)/);
  });
});

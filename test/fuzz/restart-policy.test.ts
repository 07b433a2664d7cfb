/**
 * The extension's restart policy for a crashing server (client/src/restart-policy.ts): restarted
 * with the user told once, never in a loop, and a user's restart starts afresh.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../../client/src/restart-policy';

test('crashes are restarted up to the limit, the user told once; one more in the window stops the server', () => {
  let now = 0;
  const policy = new RestartPolicy(4, 3 * 60_000, () => now);
  const decisions = [];
  for (let i = 0; i < 6; i++) {
    decisions.push(policy.crashed());
    now += 10_000;
  }
  assert.deepEqual(decisions.map((d) => [d.restart, d.notify]), [[true, true], [true, false], [true, false], [true, false], [false, true], [false, true]]);
  assert.equal(decisions[0]!.message, 'The ATLAS Lens server stopped unexpectedly and was restarted (1 of at most 4 restarts in 3 minutes).');
  assert.equal(decisions[4]!.message, 'The ATLAS Lens server stopped 5 times in 3 minutes and will not be restarted. Its log says why.');
});

test('crashes further apart than the window are each restarted; the user is told again after a quiet window', () => {
  let now = 0;
  const policy = new RestartPolicy(2, 60_000, () => now);
  const decisions = [];
  for (let i = 0; i < 5; i++) {
    decisions.push(policy.crashed());
    now += 61_000;
  }
  assert.deepEqual(decisions.map((d) => [d.restart, d.notify]), Array(5).fill([true, true]));
});

test('a restart by the user forgets earlier crashes', () => {
  let now = 0;
  const policy = new RestartPolicy(1, 60_000, () => now);
  assert.equal(policy.crashed().restart, true);
  now += 1000;
  assert.equal(policy.crashed().restart, false);
  policy.reset();
  now += 1000;
  assert.deepEqual([policy.crashed().restart, policy.crashed().restart], [true, false]);
});

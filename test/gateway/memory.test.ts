import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUserTurns, withHistory } from '../../src/gateway/memory.js';
import type { StoredTurn } from '../../src/store/session-repository.js';

const turn = (role: 'user' | 'assistant', content: string): StoredTurn => ({ role, content, model_used: null, created_at: '' });

describe('withHistory', () => {
  it('puts instructions first, then history, then the new turns', () => {
    const out = withHistory(
      [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'new' },
      ],
      [turn('user', 'old q'), turn('assistant', 'old a')],
    );
    assert.deepEqual(
      out.map((m) => m.content),
      ['sys', 'old q', 'old a', 'new'],
    );
  });

  it('starts the remembered window at a user turn', () => {
    const out = withHistory([{ role: 'user', content: 'new' }], [turn('assistant', 'cut-off answer'), turn('user', 'q'), turn('assistant', 'a')]);
    assert.deepEqual(
      out.map((m) => m.content),
      ['q', 'a', 'new'],
    );
  });

  it('adds nothing when the caller sends its own history', () => {
    const messages = [
      { role: 'user' as const, content: 'q' },
      { role: 'assistant' as const, content: 'a' },
      { role: 'user' as const, content: 'q2' },
    ];
    assert.deepEqual(withHistory(messages, [turn('user', 'q'), turn('assistant', 'a')]), messages);
  });
});

describe('newUserTurns', () => {
  it('takes the user turns after the last answer, skipping empty ones', () => {
    assert.deepEqual(
      newUserTurns([
        { role: 'user', content: 'old' },
        { role: 'assistant', content: 'a' },
        { role: 'system', content: 's' },
        { role: 'user', content: '' },
        { role: 'user', content: 'x' },
        { role: 'user', content: 'y' },
      ]),
      [
        { role: 'user', content: 'x' },
        { role: 'user', content: 'y' },
      ],
    );
  });
});

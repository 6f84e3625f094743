/** The one request/response messenger (panel <-> host, page <-> worker). */
import { strict as assert } from 'assert';
import { Messenger } from '../../src/messenger';

type R = { type: 'progress'; id: number; fraction: number } | { type: 'done'; id: number; value: number } | { type: 'failed'; id: number; message: string };

function pair() {
  const sent: Array<{ message: { id: number }; transfer: unknown[] }> = [];
  const messenger = new Messenger<R>(
    (message, transfer) => sent.push({ message: message as { id: number }, transfer }),
    (reply) => {
      if (reply.type === 'failed') throw new Error(reply.message);
      return (reply as { value: number }).value;
    },
    (reply) => (reply.type === 'progress' ? reply.fraction : undefined),
  );
  return { sent, messenger };
}

describe('request/response messenger', () => {
  it('matches replies to requests by id, reports progress, settles values and errors', async () => {
    const { sent, messenger } = pair();
    const progress: number[] = [];
    const buffer = new ArrayBuffer(8);
    const a = messenger.request<number>((id) => ({ id, ask: 'a' }), { onProgress: (p) => progress.push(p), transfer: [buffer] });
    const b = messenger.request<number>((id) => ({ id, ask: 'b' }));
    assert.deepEqual(sent.map((s) => s.message.id), [1, 2]);
    assert.deepEqual(sent[0].transfer, [buffer], 'transferables go with the message');
    assert.equal(messenger.receive({ type: 'progress', id: 1, fraction: 0.5 }), true);
    assert.equal(messenger.receive({ type: 'failed', id: 2, message: 'no' }), true);
    assert.equal(messenger.receive({ type: 'done', id: 1, value: 42 }), true);
    assert.equal(await a, 42);
    await assert.rejects(b, /no/);
    assert.deepEqual(progress, [0.5]);
    assert.equal(messenger.receive({ type: 'done', id: 1, value: 7 }), false, 'a settled request takes no second reply');
    assert.equal(messenger.pending, 0);
  });

  it('times out, fails everything when the channel stops, and rejects when sending throws', async () => {
    const { messenger } = pair();
    await assert.rejects(messenger.request((id) => ({ id }), { timeoutMs: 10, timeoutMessage: 'no PNG within 0.01 s' }), /no PNG within 0.01 s/);
    const waiting = messenger.request((id) => ({ id }));
    messenger.failAll('the inspector was closed');
    await assert.rejects(waiting, /the inspector was closed/);
    const broken = new Messenger<R>(() => {
      throw new Error('DataCloneError');
    }, () => 0);
    await assert.rejects(broken.request((id) => ({ id })), /DataCloneError/);
    assert.equal(broken.pending, 0);
  });
});

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { redactConsole } from '../src/stdio.js'

test('console output of dependencies keeps text and drops objects (no key material in logs)', () => {
  const saved = { ...console }
  /** @type {{level: string, msg: string}[]} */
  const lines = []
  const logger = Object.fromEntries(['info', 'debug', 'trace', 'warn', 'error'].map((level) =>
    [level, (/** @type {any} */ _obj, /** @type {string} */ msg) => lines.push({ level, msg })]))
  try {
    redactConsole(/** @type {any} */ (logger))
    const session = { currentRatchet: { rootKey: Buffer.from('root-key-secret-bytes') }, indexInfo: { remoteIdentityKey: 'abc' } }
    console.info('Closing session:', session)
    console.warn('Session already closed', session)
    console.error('Session error:' + 'Bad MAC', new Error('Bad MAC'))
    console.log('count', 3)
  } finally {
    Object.assign(console, saved)
  }
  assert.deepEqual(lines, [
    { level: 'info', msg: 'Closing session: [object]' },
    { level: 'warn', msg: 'Session already closed [object]' },
    { level: 'error', msg: 'Session error:Bad MAC Error: Bad MAC' },
    { level: 'info', msg: 'count 3' }
  ])
  assert.ok(!JSON.stringify(lines).includes('root-key-secret'))
})

// Runs the engine's test files (test/*.test.js, or the files given as arguments), each in its own
// Node process, one after the other, with node:test's TAP reporter writing text straight to this
// process's output. Exits 1 when any file failed or ran past its time limit.
//
// Why not `node --test`: Node 20's runner reads each file's results from the child's stdout as
// V8-serialized frames mixed with whatever the tests print, and on some output it loops forever at
// 100 % CPU without a child left (nodejs/node#62693, fixed by #62704 in later Node lines, not in
// 20). That hung the suite twice under load. Here nothing parses the child's output: the child
// reports in-process and the exit code is the verdict.
//
// Guarantees: every file runs (a failure does not stop the others); a file that hangs is killed
// after FILE_TIMEOUT_MS (default 10 minutes, env ENGINE_TEST_FILE_TIMEOUT_MS) and counts as
// failed; the summary lists every failed file.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const FILE_TIMEOUT_MS = Number(process.env.ENGINE_TEST_FILE_TIMEOUT_MS ?? 10 * 60 * 1000)

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.js')).sort().map((f) => join('test', f))

/**
 * Runs one file; resolves with its outcome. The TAP text is echoed as it comes; the last
 * `# pass` / `# fail` lines give the counts.
 * @param {string} file
 * @returns {Promise<{file: string, code: number|null, timedOut: boolean, pass: number, fail: number, ms: number}>}
 */
function runFile (file) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test-force-exit', '--test-reporter=tap', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString('utf8')).slice(-4096)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      process.stdout.write(`\n# ${file}: still running after ${FILE_TIMEOUT_MS} ms, killed\n`)
      child.kill('SIGKILL')
    }, FILE_TIMEOUT_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      const count = (/** @type {string} */ name) => Number(tail.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0)
      resolve({ file, code, timedOut, pass: count('pass'), fail: count('fail'), ms: Date.now() - started })
    })
  })
}

const results = []
for (const file of files) {
  process.stdout.write(`\n# ---- ${relative(root, join(root, file))} ----\n`)
  results.push(await runFile(file))
}
const failed = results.filter((r) => r.code !== 0 || r.timedOut)
const total = (/** @type {'pass'|'fail'} */ k) => results.reduce((n, r) => n + r[k], 0)
process.stdout.write(`\n# engine tests: ${results.length} files, ${total('pass')} passed, ${total('fail')} failed tests\n`)
for (const r of failed) {
  process.stdout.write(`# FAILED ${r.file}: ${r.timedOut ? 'killed after the time limit' : `exit code ${r.code}`} (${r.fail} failed tests, ${r.ms} ms)\n`)
}
process.exit(failed.length > 0 ? 1 : 0)

/**
 * The cold-start bench runs end to end (one round, so it stays cheap) and prints every figure it promises;
 * the figures themselves are never asserted (they depend on the machine).
 */
import { describe, expect, it } from 'vitest'
import { BARE_NAME, formatReport, parseArgs, runColdstart, TARGETS } from '../bench/coldstart'

describe('bench:coldstart', () => {
  it('measures the bare function and every built function in fresh processes, and prints figures, ratios and targets', async () => {
    const report = await runColdstart(parseArgs(['--runs', '1']))
    expect(report.runs).toBe(1)
    expect(report.bare.name).toBe(BARE_NAME)
    expect(report.functions.map((f) => f.name)).toContain('liveSync')
    for (const f of [report.bare, ...report.functions]) {
      expect(f.runs).toBe(1)
      for (const figure of [f.wallMs, f.cpuMs, f.loadMs, f.maxRssKb]) expect(figure).toBeGreaterThan(0)
      // Whole-process wall time includes node's own start, which loading inside the process cannot.
      expect(f.wallMs).toBeGreaterThan(f.loadMs)
    }
    for (const f of report.functions) {
      expect(f.bytes).toBeGreaterThan(0)
      expect(f.meetsTargets).toBe(f.wallRatio <= TARGETS.maxRatio && f.cpuRatio <= TARGETS.maxRatio && f.bytes! <= TARGETS.maxBytes)
    }
    const lines = formatReport(report)
    expect(lines[0]).toMatch(/median of 1 interleaved run.*, load average \d+\.\d on \d+ cores$/)
    expect(lines[1]).toBe('targets: each function ≤ 1.10× the bare function\'s wall and CPU time, bundle ≤ 200.0 KB')
    expect(lines.find((l) => l.startsWith(BARE_NAME))).toMatch(/ms .* MB {2}baseline$/)
    expect(lines.find((l) => l.startsWith('liveSync'))).toMatch(/KB .* ms .* MB {2}\d+\.\d\d× \/ \d+\.\d\d× {2}(meets|MISSES) the targets$/)
  })

  it('refuses a run count that is not a positive integer, and unknown options', () => {
    expect(() => parseArgs(['--runs', '0'])).toThrow('--runs: must be an integer from 1 to 1000, got 0')
    expect(() => parseArgs(['--runs'])).toThrow('--runs: must be an integer from 1 to 1000, got nothing')
    expect(() => parseArgs(['--runs', '2.5'])).toThrow(/--runs/)
    expect(() => parseArgs(['--fast'])).toThrow('unknown option --fast')
    expect(parseArgs(['--runs', '12', '--minify'])).toEqual({ runs: 12, minify: true })
  })
})

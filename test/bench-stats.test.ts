/**
 * bench:stats runs end to end at small sizes (so it stays cheap) and prints what it promises: a row per history
 * size with the incremental and rescan figures and their ratios, and whether both ended with the same aggregates.
 * Times are never asserted (they depend on the machine); counts of reads are, since they are the design.
 */
import { describe, expect, it } from 'vitest'
import { formatTable, measureSizes, parseArgs } from '../bench/stats'

describe('bench:stats', () => {
  it('measures the incremental fold against a full rescan per history size, and both reach the same aggregates', async () => {
    const rows = await measureSizes([400, 1600])
    expect(rows).toHaveLength(2)
    for (const r of rows) {
      expect(r.agree).toBe(true)
      expect(r.incremental.runs).toBeGreaterThan(1)
      // The newest batch only: the lease, one page holding it, the retention read; never the history.
      expect(r.incremental.docsRead).toBeLessThan(5)
      expect(r.rescan.docsRead).toBe(r.batches)
    }
    expect(rows[1].incremental.reads).toBe(rows[0].incremental.reads)
    expect(rows[1].incremental.writes).toBe(rows[0].incremental.writes)
    const table = formatTable(rows)
    expect(table[0]).toMatch(/^\| history \(events\) \| batches \| incremental: ms \/ reads \(docs\) \/ writes \| rescan/)
    expect(table.slice(2).every((line) => /×, [\d,.]+×, [\d,.]+× \| yes \|$/.test(line))).toBe(true)
  })

  it('takes increasing sizes and a JSON file name, and refuses anything else by name', () => {
    expect(parseArgs([])).toEqual({ sizes: [100_000, 500_000, 1_000_000], json: null })
    expect(parseArgs(['--sizes', '1000,2000', '--json', 'out.json'])).toEqual({ sizes: [1000, 2000], json: 'out.json' })
    expect(() => parseArgs(['--sizes', '2000,1000'])).toThrow(/--sizes: each size must be larger/)
    expect(() => parseArgs(['--sizes', '10'])).toThrow(/--sizes: whole numbers of events from 100/)
    expect(() => parseArgs(['--json'])).toThrow(/--json: a file name is needed/)
    expect(() => parseArgs(['--fast'])).toThrow('unknown option --fast')
  })
})

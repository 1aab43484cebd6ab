/**
 * bench:stats runs end to end at small sizes (so it stays cheap) and prints what it promises: a row per history
 * size with the incremental and rescan figures and their ratios, and whether both ended with the same aggregates.
 * Times are never asserted (they depend on the machine); counts of reads are, since they are the design.
 */
import { describe, expect, it } from 'vitest'
import { formatTable, formatTrack, measureSizes, measureTrack, parseArgs } from '../bench/stats'

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

  it('measures the track use case: every device batch accepted, with its events a second and reads and writes per batch', async () => {
    const t = await measureTrack(200)
    expect(t.batches).toBe(200)
    expect(t.events).toBeGreaterThanOrEqual(200)
    // At least the batch itself is written, and the duplicate check reads before anything is charged.
    expect(t.writesPerBatch).toBeGreaterThanOrEqual(1)
    expect(t.readsPerBatch).toBeGreaterThanOrEqual(1)
    expect(formatTrack(t)).toMatch(/^track \(the use case in process, one instance\): 200 device batches, [\d,]+ events in [\d,]+ ms = [\d,]+ events a second; per batch \d+\.\d\d reads and \d+\.\d\d documents written$/)
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

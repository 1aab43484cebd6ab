/**
 * bench:admin runs end to end on a small table (two calls, one cold-start round, so it stays cheap) and prints
 * every figure it promises; the figures themselves are never asserted (they depend on the machine).
 */
import { describe, expect, it } from 'vitest'
import { actionTable } from '../src/admin/actions'
import { formatReport, parseArgs, runAdminBench } from '../bench/admin'

describe('bench:admin', () => {
  it('times actions against the bare cloud call, lists what it cannot time, and prints cold start and bundle with PASS/FAIL', async () => {
    const composite = { ...actionTable.getRoleList, name: 'rolesAndMore', calls: ['getRoleList', 'getFollowers'] as const }
    const table = { getRoleList: actionTable.getRoleList, getGoodsKey: actionTable.getGoodsKey, deleteRoom: actionTable.deleteRoom, whoami: actionTable.whoami, rolesAndMore: composite, batchStart: actionTable.batchStart, batchContinue: actionTable.batchContinue }
    const report = await runAdminBench(parseArgs(['--calls', '2', '--runs', '1', '--batch-rows', '5']), table)
    expect(report.measured.map((m) => m.action)).toEqual(['getRoleList'])
    const [m] = report.measured
    expect(m).toMatchObject({ endpoint: 'getRoleList', calls: 2 })
    for (const figure of [m.bareMs, m.actionMs, m.ratio]) expect(figure).toBeGreaterThan(0)
    expect(report.notMeasured).toEqual([
      { action: 'batchContinue', why: expect.stringMatching(/^composite action/) },
      { action: 'deleteRoom', why: 'no params that succeed when repeated unchanged' },
      { action: 'getGoodsKey', why: 'getGoodsKey has no cloud call to compare with (HTTPS only)' },
      { action: 'rolesAndMore', why: 'composite action (calls getRoleList, getFollowers): no bare call with the same params' },
    ])
    expect(report.bundle.pass).toBe(report.bundle.bytes <= report.bundle.maxBytes)
    const lines = formatReport(report)
    expect(lines.find((l) => l.startsWith('getRoleList'))).toMatch(/^getRoleList\s+getRoleList\s+[\d.]+ ms\s+[\d.]+ ms\s+-?[\d.]+ ms {2}\d+\.\d\d×$/)
    expect(lines).toContain('  getGoodsKey: getGoodsKey has no cloud call to compare with (HTTPS only)')
    expect(lines.find((l) => l.startsWith('cold start ratio'))).toMatch(/^cold start ratio \d+\.\d\d× wall \/ \d+\.\d\d× cpu \(target ≤ 1\.10×\): (PASS|FAIL)$/)
    expect(lines.find((l) => l.startsWith('bundle'))).toMatch(/^bundle \d+\.\d KB \(target ≤ 200\.0 KB\): (PASS|FAIL)$/)
    expect(report.batch).toMatchObject({ goods: 5, liveCalls: 5 })
    expect(lines.at(-1)).toMatch(/^batch of 5 goods \(batchValidate, batchStart, batchContinue\): [\d.]+ ms wall, \d+ run\(s\), 5 Live calls$/)
  }, 120_000)

  it('refuses call and run counts that are not positive integers, and unknown options', () => {
    expect(() => parseArgs(['--calls', '0'])).toThrow('--calls: must be an integer from 1 to 10000, got 0')
    expect(() => parseArgs(['--runs'])).toThrow('--runs: must be an integer from 1 to 1000, got nothing')
    expect(() => parseArgs(['--fast'])).toThrow('unknown option --fast')
    expect(parseArgs(['--calls', '60', '--json', 'out.json'])).toEqual({ calls: 60, runs: 15, batchRows: 500, json: 'out.json' })
  })
})

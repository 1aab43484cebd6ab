/** live.config.json: the one place the merchant says which Live they have, checked field by field. */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkLiveSetup, liveKinds } from '../src/setup/live-setup'
import { LiveSetupError, readLiveSetup } from '../tools/live-setup'
import { RESERVE_STATES } from '../src/channels/client-api'
import { compareVersions } from '../miniprogram/utils/version'

describe('live setup', () => {
  it('reads the repository’s own live.config.json', () => {
    const setup = readLiveSetup()
    expect(typeof setup.miniProgramLive).toBe('boolean')
  })

  it('names the field and the rule of a bad setup, in Chinese and English', () => {
    const bad = checkLiveSetup({ miniProgramLive: 'yes', channels: null })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problem.field).toBe('miniProgramLive')
    const badId = checkLiveSetup({ miniProgramLive: false, channels: { finderUserName: 'gh_123' } })
    expect(badId.ok).toBe(false)
    if (!badId.ok) {
      expect(badId.problem.field).toBe('channels.finderUserName')
      expect(badId.problem.en).toContain('sph')
    }
    const extra = checkLiveSetup({ miniProgramLive: true, channels: null, plugin: '1.3.5' })
    expect(extra.ok).toBe(false)
    if (!extra.ok) expect(extra.problem.field).toBe('plugin')
  })

  it('lists the kinds of Live a setup turns on', () => {
    expect(liveKinds({ miniProgramLive: true, channels: null })).toEqual(['miniProgramLive'])
    expect(liveKinds({ miniProgramLive: false, channels: { finderUserName: 'sphAbc123' } })).toEqual(['channelsLive'])
    expect(liveKinds({ miniProgramLive: false, channels: null })).toEqual([])
  })

  it('refuses a file that is not strict JSON or breaks a rule, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-setup-'))
    const file = join(dir, 'live.config.json')
    writeFileSync(file, '{"miniProgramLive": true, "channels": {"finderUserName": "sph!"}}')
    expect(() => readLiveSetup(file)).toThrow(LiveSetupError)
    expect(() => readLiveSetup(file)).toThrow(/channels\.finderUserName/)
    writeFileSync(file, '{"miniProgramLive": true,}')
    expect(() => readLiveSetup(file)).toThrow(/strict JSON/)
  })

  it('types every reserve dialog state from 1 to 10, and compares base library versions numerically', () => {
    expect(Object.keys(RESERVE_STATES).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(RESERVE_STATES[6].outcome).toBe('reserved')
    expect(RESERVE_STATES[8].outcome).toBe('alreadyReserved')
    expect(compareVersions('2.19.2', '2.29.0')).toBeLessThan(0)
    expect(compareVersions('2.29.0', '2.29')).toBe(0)
    expect(compareVersions('3.0.0', '2.29.10')).toBeGreaterThan(0)
  })
})

/**
 * `npm run bench:sync [-- --rooms N] [--hours H] [--json FILE] [--map-db]`
 *
 * One merchant on the Live sandox with a simulated clock: N past rooms (default 2000) and 20 new rooms a day
 * (upcoming → live, some pausing, some abnormal, some never starting, a few banned, edited or deleted; replays
 * some minutes after the end). The sync (src/sync) and a naive baseline (every page every run, upsert every
 * room, ask the replay of every ended room with none cached — what the open-source shops do) run side by side
 * at the same cadence, in process, and one table compares them per simulated day.
 *
 * Definitions: staleness is measured on live_status changes, from the change in the sandbox to the
 * run that puts it in the cache; a room is wrongly shown when a viewer would see it in the wrong section,
 * see it when it should be hidden, or miss it when it should be listed, for longer than one cadence after
 * the change; dbWrites counts documents written (status and lease included); replays count segments.
 */
import { writeFileSync } from 'node:fs'
import { createClock, type Clock } from '../emulator/clock'
import { LiveSandbox } from '../emulator/sandbox/sandbox'
import { createControl, type SandboxControl } from '../emulator/sandbox/control'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineDriver } from '../emulator/db/engine-store'
import { replayOptions } from '../emulator/sandbox/handlers/rooms'
import { type Room, roomEndedAt, roomStatus, visibleReplays } from '../emulator/sandbox/model'
import { COLLECTIONS, type ReplayDoc, type RoomDoc, type Section, sectionOf } from '../src/cache/schema'
import { createLiveApi, type LiveApi } from '../src/live/client'
import { isEmptyRoomList } from '../src/live/errors'
import { createCacheStore } from '../src/sync/store'
import { buildRoomDoc } from '../src/sync/normalize'
import { mergeSegments, summarize } from '../src/sync/replays'
import { DEFAULT_SYNC_CONFIG, runSync } from '../src/sync/sync'
import { countingDriver, createMapDriver } from './sync-map-driver'
import { LiveStatus } from '../src/live/status'
import { seededRandom } from './random'

// ---------- arguments ----------

interface Args {
  rooms: number
  hours: number
  json?: string
  mapDb: boolean
  seed: number
}

function parseArgs(argv: string[]): Args {
  const a: Args = { rooms: 2000, hours: 24, mapDb: false, seed: 7 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${flag}: needs a value`)
      return v
    }
    const int = (name: string, min: number) => {
      const n = Number(value())
      if (!Number.isInteger(n) || n < min) throw new Error(`${name}: must be an integer ≥ ${min}`)
      return n
    }
    if (flag === '--rooms') a.rooms = int('--rooms', 0)
    else if (flag === '--hours') a.hours = int('--hours', 1)
    else if (flag === '--json') a.json = value()
    else if (flag === '--map-db') a.mapDb = true
    else if (flag === '--seed') a.seed = int('--seed', 0)
    else throw new Error(`unknown option ${flag} (use --rooms N, --hours H, --json FILE, --map-db, --seed S)`)
  }
  return a
}

// ---------- the merchant ----------

const MIN = 60
const HOUR = 3600
const DAY = 86400
const T0 = 1767225600 // 2026-01-01 08:00 Shanghai
const CADENCE = DEFAULT_SYNC_CONFIG.cadenceMs / 1000

type Action = () => void
interface Ev {
  at: number
  what: string
  roomRef?: { id: number | null }
  act: Action
}

function seedPast(control: SandboxControl, n: number, rand: () => number, now: number): void {
  for (let i = 0; i < n; i++) {
    // 20 rooms a day going back; the newest ended an hour before the simulation starts.
    const start = now - 3 * HOUR - Math.floor((i * DAY) / 20) - Math.floor(rand() * 600)
    control.createRoom({
      name: `往期直播 ${i}`,
      startTime: start,
      endTime: start + 2 * HOUR,
      anchorName: '小美老师',
      anchorWechat: 'anchor_xiaomei',
      closeReplay: rand() < 0.7 ? 0 : 1,
      replaySegments: rand() < 0.2 ? 2 : 1,
      history: [
        { event: 'start', at: start + 30 },
        { event: 'end', at: start + 2 * HOUR - 60 },
      ],
    })
  }
}

/** New rooms for [from, to): 20 a day, created at least 10 minutes ahead, with a life cycle each. */
function planDays(control: SandboxControl, sandbox: LiveSandbox, from: number, to: number, rand: () => number): Ev[] {
  const evs: Ev[] = []
  const perDay = 20
  const count = Math.round(((to - from) / DAY) * perDay)
  for (let i = 0; i < count; i++) {
    const createdAt = from + Math.floor(rand() * (to - from - 4 * HOUR))
    const start = createdAt + 10 * MIN + Math.floor(rand() * 4 * HOUR)
    const duration = 45 * MIN + Math.floor(rand() * 2 * HOUR)
    const ref: { id: number | null } = { id: null }
    const fate = rand()
    const ev = (at: number, what: string, act: Action) => evs.push({ at, what, roomRef: ref, act })
    const event = (e: string) => () => {
      if (ref.id !== null && sandbox.state.rooms.has(ref.id)) control.roomEvent(ref.id, e)
    }
    ev(createdAt, 'create', () => {
      ref.id = control.createRoom({
        name: `新品直播 ${i}`,
        startTime: start,
        endTime: start + duration,
        anchorName: '小美老师',
        anchorWechat: 'anchor_xiaomei',
        closeReplay: rand() < 0.8 ? 0 : 1,
        replaySegments: rand() < 0.3 ? 2 : 1,
      }).roomId
    })
    if (fate < 0.05) continue // never starts: expires at its end time
    if (fate < 0.1) {
      ev(createdAt + 5 * MIN, 'delete upcoming', () => {
        if (ref.id !== null) control.deleteRoom(ref.id)
      })
      continue
    }
    const goLive = start + Math.floor((rand() - 0.3) * 6 * MIN)
    ev(Math.max(createdAt + 60, goLive), 'start', event('start'))
    if (fate < 0.13) {
      ev(goLive + 20 * MIN, 'ban', event('ban'))
      continue
    }
    if (fate < 0.16) {
      ev(createdAt + 2 * MIN, 'edit', () => {
        const room = ref.id !== null ? sandbox.state.rooms.get(ref.id) : undefined
        if (room) sandbox.state.updateRoom(room, (r) => (r.name = `${r.name}（改）`))
      })
    }
    if (fate < 0.45) {
      ev(goLive + 15 * MIN, 'pause', event('pause'))
      ev(goLive + 19 * MIN, 'resume', event('resume'))
    }
    if (fate > 0.7) {
      ev(goLive + 25 * MIN, 'abnormal', event('abnormal'))
      // Most anchors come back; the rest are ended by the platform 15 minutes later.
      if (fate < 0.93) ev(goLive + 28 * MIN, 'recover', event('recover'))
    }
    ev(start + duration - Math.floor(rand() * 5 * MIN), 'end', event('end'))
  }
  return evs
}

/** A few deletions of old rooms (one with a replay that viewers see) spread over the day. */
function planOldDeletions(control: SandboxControl, sandbox: LiveSandbox, from: number, to: number, rand: () => number): Ev[] {
  const evs: Ev[] = []
  for (let k = 0; k < 3; k++) {
    const at = from + Math.floor(((k + 0.5) / 3) * (to - from))
    evs.push({
      at,
      what: 'delete old',
      act: () => {
        const old = sandbox.state.roomsInListOrder().filter((r) => roomStatus(r, at) === LiveStatus.ended && r.closeReplay === 0)
        const victim = old[Math.floor(rand() * old.length)]
        if (victim) control.deleteRoom(victim.roomId)
      },
    })
  }
  return evs
}

// ---------- the systems under test ----------

interface System {
  name: 'sync' | 'baseline'
  run(): Promise<void>
  /** The cache as viewers see it: roomId → { liveStatus, section }. */
  view(): Map<number, { liveStatus: number; section: Section }>
  replaySegments(): Map<number, Set<string>>
  liveCalls: number
  getliveinfoCalls: number
  /** getliveinfo in list mode only (pages of the room list), to show the list cost apart from replays. */
  listCalls: number
  dbWrites: number
}

function countingLive(sandbox: LiveSandbox, sys: { liveCalls: number; getliveinfoCalls: number; listCalls: number }): LiveApi {
  const inner = createInProcessTransport(sandbox)
  return createLiveApi({
    call(endpoint, params) {
      sys.liveCalls++
      if (endpoint.id === 'getLiveInfo') sys.getliveinfoCalls++
      if (endpoint.id === 'getLiveInfo' && params.action === undefined) sys.listCalls++
      return inner.call(endpoint, params)
    },
  })
}

function makeSync(sandbox: LiveSandbox, clock: Clock, mapDb: boolean): System {
  const map = createMapDriver()
  const engine = mapDb ? null : createMemoryEngine({ clock })
  if (engine) for (const c of Object.values(COLLECTIONS)) engine.createCollection(c)
  const sys: System = {
    name: 'sync',
    liveCalls: 0,
    getliveinfoCalls: 0,
    listCalls: 0,
    dbWrites: 0,
    run: async () => {
      await runSync({ live, store, liveSetup: { miniProgramLive: true, channels: null }, nowMs: () => clock.nowMs(), budgetMs: 20_000, elapsedMs: () => performance.now() })
    },
    view: () => view,
    replaySegments() {
      const out = new Map<number, Set<string>>()
      const docs = engine ? engine.find(COLLECTIONS.replays, {}, { limit: 1_000_000 }) : [...map.collection(COLLECTIONS.replays).values()]
      for (const d of docs as unknown as ReplayDoc[]) out.set(d.roomId, new Set(d.segments.map((s) => s.mediaUrl)))
      return out
    },
  }
  const view = new Map<number, { liveStatus: number; section: Section }>()
  const base = engine ? createEngineDriver(engine) : map
  const driver = countingDriver(base, (collection, n) => {
    sys.dbWrites += n
    if (collection === COLLECTIONS.rooms) dirtyRooms = true
  })
  let dirtyRooms = true
  const store = createCacheStore(driver)
  const live = countingLive(sandbox, sys)
  const refresh = () => {
    if (!dirtyRooms) return
    dirtyRooms = false
    const docs = engine ? engine.find(COLLECTIONS.rooms, {}, { limit: 1_000_000, projection: { roomId: 1, liveStatus: 1, section: 1 } }) : [...map.collection(COLLECTIONS.rooms).values()]
    view.clear()
    for (const d of docs as unknown as RoomDoc[]) view.set(d.roomId, { liveStatus: d.liveStatus, section: d.section })
  }
  const run = sys.run
  sys.run = async () => {
    await run()
    refresh()
  }
  return sys
}

/** The naive baseline, syncing as open-source shops such as CRMEB (https://github.com/crmeb/CRMEB) do, measured by the same definitions. */
function makeBaseline(sandbox: LiveSandbox, clock: Clock): System {
  const rooms = new Map<number, RoomDoc>()
  const replays = new Map<number, ReplayDoc>()
  const view = new Map<number, { liveStatus: number; section: Section }>()
  const sys: System = {
    name: 'baseline',
    liveCalls: 0,
    getliveinfoCalls: 0,
    listCalls: 0,
    dbWrites: 0,
    view: () => view,
    replaySegments: () => new Map([...replays].map(([id, d]) => [id, new Set(d.segments.map((s) => s.mediaUrl))])),
    run: async () => {
      const now = new Date(clock.nowMs())
      const rows = []
      for (let start = 0; ; ) {
        let res
        try {
          res = await live.getLiveInfo({ start, limit: 100 })
        } catch (e) {
          if (isEmptyRoomList(e)) break
          throw e
        }
        rows.push(...res.roomInfo)
        start += res.roomInfo.length
        if (res.roomInfo.length < 100 || (res.total !== undefined && start >= res.total)) break
      }
      for (const row of rows) {
        if (row.liveStatus === LiveStatus.ended && !replays.get(row.roomid)?.segments.length) {
          const res = await live.getLiveInfo({ start: 0, limit: 100, action: 'get_replay', roomId: row.roomid }).catch((e: unknown) => {
            if (isEmptyRoomList(e)) return { liveReplay: [] }
            throw e
          })
          if (res.liveReplay.length) {
            const { segments } = mergeSegments([], res.liveReplay)
            replays.set(row.roomid, { _id: `replay-${row.roomid}`, roomId: row.roomid, segments, state: 'available', syncedAt: now })
            sys.dbWrites++
          }
        }
        const held = replays.get(row.roomid)
        const replay = row.liveStatus === LiveStatus.ended ? summarize(held?.segments ?? [], now, 'none') : undefined
        const doc = buildRoomDoc(row, rooms.get(row.roomid), now, replay)
        rooms.set(row.roomid, doc)
        view.set(row.roomid, { liveStatus: doc.liveStatus, section: doc.section })
        sys.dbWrites++ // upsert every room, every run
      }
      sys.dbWrites++ // its status document
    },
  }
  const live = countingLive(sandbox, sys)
  return sys
}

// ---------- truth and measurement ----------

const LISTED: ReadonlySet<Section> = new Set(['live', 'upcoming', 'replay'])
const listedAs = (s: Section | undefined): Section | null => (s !== undefined && LISTED.has(s) ? s : null)

function truthOf(room: Room | undefined, now: number, sandbox: LiveSandbox): { status: number; section: Section | null } | null {
  if (!room) return null
  const status = roomStatus(room, now)
  const replays = status === LiveStatus.ended ? visibleReplays(room, now, replayOptions(sandbox.state)) : []
  return { status, section: listedAs(sectionOf(status, replays.length ? 'available' : 'none', false)) }
}

interface Tracker {
  /** roomId → last known truth status / listed section and when it changed. */
  status: Map<number, { value: number; at: number }>
  section: Map<number, { value: Section | null; at: number }>
  /** Pending staleness samples per system: roomId → [status, changedAt]. */
  pending: Record<System['name'], Map<number, { status: number; at: number }>>
  samples: Record<System['name'], number[]>
  superseded: Record<System['name'], number>
  wrong: Record<System['name'], Map<number, { since: number; counted: boolean }>>
  wrongCount: Record<System['name'], number>
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const rand = seededRandom(args.seed)
  const clock = createClock()
  const warmup = Math.max(2 * HOUR, Math.ceil((args.rooms * 0.7) / DEFAULT_SYNC_CONFIG.maxReplayLooksPerRun) * CADENCE + HOUR)
  const tStart = T0 - warmup
  const tEnd = T0 + args.hours * HOUR
  clock.set(tStart)
  clock.freeze()
  // Quotas lifted so the baseline's true demand shows; the table compares it with the real quota.
  const sandbox = new LiveSandbox({ clock, options: { quotas: { getLiveInfo: 1e12, goodsInfo: 1e12 } } })
  const control = createControl(sandbox)
  const t = performance.now()
  seedPast(control, args.rooms, rand, tStart)
  const events = [...planDays(control, sandbox, T0 - 4 * HOUR, tEnd, rand), ...planOldDeletions(control, sandbox, T0, tEnd, rand)].sort((a, b) => a.at - b.at)

  const sync = makeSync(sandbox, clock, args.mapDb)
  const baseline = makeBaseline(sandbox, clock)
  const systems = [sync, baseline]
  const tr: Tracker = {
    status: new Map(),
    section: new Map(),
    pending: { sync: new Map(), baseline: new Map() },
    samples: { sync: [], baseline: [] },
    superseded: { sync: 0, baseline: 0 },
    wrong: { sync: new Map(), baseline: new Map() },
    wrongCount: { sync: 0, baseline: 0 },
  }
  const watch = new Set<number>()

  /** Samples the truth of watched rooms at `now`, recording exact-enough change times. */
  const observe = (now: number) => {
    for (const id of watch) {
      const truth = truthOf(sandbox.state.rooms.get(id), now, sandbox)
      const status = truth?.status ?? 0 // 0: gone
      const section = truth?.section ?? null
      const prevS = tr.status.get(id)
      if (!prevS || prevS.value !== status) {
        tr.status.set(id, { value: status, at: now })
        if (prevS && status !== 0 && now >= T0) {
          for (const s of systems) {
            if (tr.pending[s.name].has(id)) tr.superseded[s.name]++
            tr.pending[s.name].set(id, { status, at: now })
          }
        }
      }
      const prevSec = tr.section.get(id)
      if (!prevSec || prevSec.value !== section) tr.section.set(id, { value: section, at: now })
      // Rooms settle: final for two hours with no replay due → stop watching.
      const room = sandbox.state.rooms.get(id)
      const ended = room ? roomEndedAt(room, now) : null
      if (!room || ((status === LiveStatus.banned || status === LiveStatus.expired || status === LiveStatus.ended) && (ended === null || now - ended > 2 * HOUR))) {
        if (!room || now - (tr.status.get(id)?.at ?? now) > 2 * HOUR) watch.delete(id)
      }
    }
  }

  const evaluate = (now: number, full: boolean) => {
    const ids = full ? new Set([...sandbox.state.rooms.keys(), ...sync.view().keys(), ...baseline.view().keys()]) : new Set([...watch, ...tr.wrong.sync.keys(), ...tr.wrong.baseline.keys()])
    for (const s of systems) {
      const v = s.view()
      // staleness: the first run whose cache shows the new status
      for (const [id, p] of tr.pending[s.name]) {
        if (v.get(id)?.liveStatus === p.status) {
          tr.samples[s.name].push(now - p.at)
          tr.pending[s.name].delete(id)
        }
      }
      for (const id of ids) {
        const truth = truthOf(sandbox.state.rooms.get(id), now, sandbox)
        const want = truth?.section ?? null
        const got = listedAs(v.get(id)?.section)
        const open = tr.wrong[s.name].get(id)
        if (want === got) {
          tr.wrong[s.name].delete(id)
          continue
        }
        const since = open?.since ?? Math.max(T0, tr.section.get(id)?.at ?? now)
        const incident = open ?? { since, counted: false }
        if (!incident.counted && now - incident.since > CADENCE && now >= T0) {
          incident.counted = true
          tr.wrongCount[s.name]++
        }
        tr.wrong[s.name].set(id, incident)
      }
    }
  }

  let snap: Record<string, { live: number; gli: number; list: number; db: number }> | null = null
  let ei = 0
  let runNo = 0
  for (let at = tStart; at < tEnd; at += CADENCE) {
    // Events and automatic transitions up to this run, sampled every 5 s.
    for (let tick = Math.max(tStart, at - CADENCE) + 5; tick <= at; tick += 5) {
      while (ei < events.length && events[ei].at <= tick) {
        const ev = events[ei++]
        clock.set(ev.at)
        ev.act()
        if (ev.roomRef?.id != null) watch.add(ev.roomRef.id)
        if (ev.what === 'delete old') for (const s of systems) for (const id of s.view().keys()) if (!sandbox.state.rooms.has(id)) watch.add(id)
      }
      observe(tick)
    }
    clock.set(at)
    if (at >= T0 && !snap) snap = Object.fromEntries(systems.map((s) => [s.name, { live: s.liveCalls, gli: s.getliveinfoCalls, list: s.listCalls, db: s.dbWrites }]))
    await sync.run()
    // The baseline has no backlog to work through: it starts one cadence before the measured day.
    if (at >= T0 - CADENCE) await baseline.run()
    evaluate(at, runNo % 60 === 0 || at === T0)
    runNo++
  }

  // Replays: every segment the platform lists at the end, for rooms that still exist.
  const now = clock.nowSeconds()
  let expected = 0
  const captured: Record<string, number> = { sync: 0, baseline: 0 }
  const held = Object.fromEntries(systems.map((s) => [s.name, s.replaySegments()]))
  for (const room of sandbox.state.rooms.values()) {
    for (const seg of visibleReplays(room, now, replayOptions(sandbox.state))) {
      expected++
      for (const s of systems) if (held[s.name].get(room.roomId)?.has(seg.mediaUrl)) captured[s.name]++
    }
  }

  const days = args.hours / 24
  const figureOf = (s: System) => {
      const base = snap?.[s.name] ?? { live: 0, gli: 0, list: 0, db: 0 }
      const sorted = [...tr.samples[s.name]].sort((a, b) => a - b)
      return {
          getliveinfoCalls: Math.round((s.getliveinfoCalls - base.gli) / days),
          liveCalls: Math.round((s.liveCalls - base.live) / days),
          listPageReads: Math.round((s.listCalls - base.list) / days),
          dbWrites: Math.round((s.dbWrites - base.db) / days),
          stalenessP50: percentile(sorted, 50),
          stalenessP95: percentile(sorted, 95),
          stalenessMax: sorted[sorted.length - 1] ?? 0,
          wronglyShown: tr.wrongCount[s.name],
          replaysCaptured: captured[s.name],
          replaysExpected: expected,
          statusChangesMeasured: sorted.length,
          statusChangesMissed: tr.superseded[s.name],
          warmup: { liveCalls: base.live, dbWrites: base.db },
      }
  }
  const figures = { sync: figureOf(sync), baseline: figureOf(baseline) }

  type NumericFigure = Exclude<keyof (typeof figures)['sync'], 'warmup'>
  const rows: [string, NumericFigure, string][] = [
    ['getliveinfo calls / day', 'getliveinfoCalls', 'x'],
    ['all Live calls / day', 'liveCalls', 'x'],
    ['  of which list pages / day', 'listPageReads', 'x'],
    ['database writes / day', 'dbWrites', 'x'],
    ['staleness p50 (s)', 'stalenessP50', ''],
    ['staleness p95 (s)', 'stalenessP95', ''],
    ['staleness max (s)', 'stalenessMax', ''],
    ['rooms wrongly shown', 'wronglyShown', ''],
    ['replay segments captured', 'replaysCaptured', ''],
    ['replay segments expected', 'replaysExpected', ''],
    ['status changes measured', 'statusChangesMeasured', ''],
  ]
  const pad = (s: string, n: number) => s.padEnd(n)
  const lines = [
    `bench:sync — ${args.rooms} past rooms + 20 new a day, ${args.hours} h simulated, cadence ${CADENCE} s, ${args.mapDb ? 'map' : 'emulator engine'} database (sync)`,
    `${pad('', 28)}${pad('sync', 12)}${pad('baseline', 12)}baseline ÷ sync`,
  ]
  for (const [label, k, ratio] of rows) {
    const a = figures.sync[k]
    const b = figures.baseline[k]
    const r = ratio && a > 0 ? `${(b / a).toFixed(1)}×` : ''
    lines.push(`${pad(label, 28)}${pad(String(a), 12)}${pad(String(b), 12)}${r}`)
  }
  const quota = 100000
  lines.push(
    `getliveinfo daily quota ${quota}: sync uses ${((100 * figures.sync.getliveinfoCalls) / quota).toFixed(1)}%, baseline needs ${((100 * figures.baseline.getliveinfoCalls) / quota).toFixed(1)}%`,
    `sync warm-up before the measured day (initial import of ${args.rooms} rooms and their replays): ${figures.sync.warmup.liveCalls} Live calls, ${figures.sync.warmup.dbWrites} writes`,
    `status changes superseded before any cache saw them (not in staleness): sync ${figures.sync.statusChangesMissed}, baseline ${figures.baseline.statusChangesMissed}`,
    `(${((performance.now() - t) / 1000).toFixed(1)} s wall)`,
  )
  console.log(lines.join('\n'))
  if (args.json) {
    const strip = (f: ReturnType<typeof figureOf>) => {
      const { warmup: _w, statusChangesMeasured: _m, statusChangesMissed: _x, ...rest } = f
      return rest
    }
    writeFileSync(
      args.json,
      JSON.stringify({ rooms: args.rooms, hours: args.hours, cadenceSeconds: CADENCE, sync: strip(figures.sync), baseline: strip(figures.baseline) }, null, 2),
    )
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

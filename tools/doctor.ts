/**
 * npm run doctor: checks a merchant's copy of the project before upload and lists, one line each, what is still a
 * placeholder or disagrees with something else: the appid, the CloudBase env id, liveAdmin's owners, the Live setup,
 * the plugin declaration against the Live switch, the generated device setup, each function's permissions against
 * the cloud calls its code makes, the AppSecret for the HTTPS-only endpoints, and the CLI's env id.
 * `npm run doctor -- --dir <path>` checks another copy. Exit 1 when anything is listed.
 *
 * Each check is pure over the files of one project folder (and its .env / .env.local, as @cloudbase/cli reads them);
 * nothing is fetched, so a value that looks right may still be wrong on the platform.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { isDeepStrictEqual, parseArgs } from 'node:util'
import { DEMO_FINDER_USER_NAME, LIVE_PLUGIN, LIVE_SETUP_FILE, type LiveSetup } from '../src/setup/live-setup'
import { FUNCTION_CLOUD_CALLS, HTTPS_ONLY_ADMIN_ENDPOINTS, KNOWN_CLOUD_CALLS } from '../src/setup/function-calls'
import { DEMO_OWNER_OPENID, OWNER_ENV, ownersFromEnv } from '../src/admin/store'
import { APPSECRET_ENV } from '../src/admin/https-config'
import { DOTENV_FILES, FunctionConfigError, dotenvValues, isFunctionFolder, parseFunctionConfig, readStrictJson } from './function-config'
import { LiveSetupError, readLiveSetup } from './live-setup'
import { PROJECT_ROOT, SUBSCRIBE_COMPONENT, configuredFiles, configuredPaths } from './configure'

export interface Finding {
  /** The file to change, relative to the project folder. */
  file: string
  /** The key, variable or constant in it. */
  field: string
  problem: { zh: string; en: string }
  /** What to do about it. */
  fix: string
}

/** A mini-program appid: "wx" and 16 hex digits (微信公众平台 → 开发管理 → 开发设置). */
export const APPID_RE = /^wx[0-9a-f]{16}$/
/** DevTools' tourist appid: previews only; cloud development cannot be enabled with it. */
export const TOURIST_APPID = 'touristappid'
/** A CloudBase env id as 云开发控制台 shows it: lowercase letters, digits and -, such as cloud1-2gabc3d4e5f6a7b8. */
export const ENV_ID_RE = /^[a-z][a-z0-9-]{2,38}[a-z0-9]$/
/** The env id the repository ships with in miniprogram/config.ts and the README. */
export const PLACEHOLDER_ENV_ID = 'your-env-id'
/** A mini-program user's openid: 28 letters, digits, - or _. */
export const OPENID_RE = /^[A-Za-z0-9_-]{28}$/
/** A mini-program AppSecret: 32 hex digits (开发管理 → 开发设置 → AppSecret). */
export const APPSECRET_RE = /^[0-9a-f]{32}$/i
/** The CLI's env id variable, read from .env.local by cloudbaserc.json. */
export const TCB_ENV_VAR = 'TCB_ENV_ID'
export const CLOUDBASERC_ENV_ID = `{{env.${TCB_ENV_VAR}}}`

const LOCAL_ENV_FILE = DOTENV_FILES[DOTENV_FILES.length - 1]
const CONFIG_TS = 'miniprogram/config.ts'
const CLOUD_ENV_RE = /export const CLOUD_ENV\s*(?::\s*string\s*)?=\s*(['"])([^'"\n]*)\1/

interface Project {
  dir: string
  env: Record<string, string>
  /** The Live setup, or null when live.config.json is broken (its own finding says so). */
  setup: LiveSetup | null
}

const finding = (file: string, field: string, zh: string, en: string, fix: string): Finding => ({ file, field, problem: { zh, en }, fix })

/** A strict-JSON file of the project, or the finding that says why it cannot be read. */
function readJson(p: Project, file: string): { value: Record<string, unknown> } | { finding: Finding } {
  const path = join(p.dir, file)
  if (!existsSync(path)) return { finding: finding(file, '(file)', '文件不存在', 'the file does not exist', `restore ${file} from the repository`) }
  try {
    const value = readStrictJson(path)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as Record<string, unknown> }
    return { finding: finding(file, '(file)', '应为 JSON 对象', 'must be a JSON object', `restore ${file} from the repository`) }
  } catch (err) {
    const rule = err instanceof FunctionConfigError ? err.rule : (err as Error).message
    return { finding: finding(file, '(file)', `不是严格的 JSON：${rule}`, rule, `fix the JSON syntax of ${file}`) }
  }
}

function checkAppid(p: Project): Finding[] {
  const file = 'project.config.json'
  const read = readJson(p, file)
  if ('finding' in read) return [read.finding]
  const appid = read.value.appid
  const fix = 'put your mini-program appid (微信公众平台 → 开发管理 → 开发设置 → AppID) in project.config.json appid'
  if (appid === TOURIST_APPID) {
    return [finding(file, 'appid', '仍是游客 appid touristappid：游客 appid 不能开通云开发', `still the tourist appid ${TOURIST_APPID}: cloud development cannot be enabled with it`, fix)]
  }
  if (typeof appid !== 'string' || !APPID_RE.test(appid)) {
    return [finding(file, 'appid', `${JSON.stringify(appid)} 不是小程序 appid（wx 加 16 位十六进制）`, `${JSON.stringify(appid)} is not a mini-program appid ("wx" and 16 hex digits)`, fix)]
  }
  return []
}

/** The CLOUD_ENV constant of miniprogram/config.ts, or undefined when the file or the constant is missing. */
function cloudEnvOf(p: Project): string | undefined {
  const path = join(p.dir, CONFIG_TS)
  if (!existsSync(path)) return undefined
  return CLOUD_ENV_RE.exec(readFileSync(path, 'utf8'))?.[2]
}

/** Why `value` is not a usable env id, or null. */
function envIdProblem(value: string): { zh: string; en: string } | null {
  if (value === PLACEHOLDER_ENV_ID) return { zh: `仍是占位符 ${PLACEHOLDER_ENV_ID}`, en: `still the placeholder ${PLACEHOLDER_ENV_ID}` }
  if (!ENV_ID_RE.test(value)) {
    return {
      zh: `${JSON.stringify(value)} 不像云开发环境 ID（小写字母、数字和 -，4–40 个字符，以字母开头）`,
      en: `${JSON.stringify(value)} does not look like a CloudBase env id (lowercase letters, digits and -, 4–40 characters, starting with a letter)`,
    }
  }
  return null
}

function checkCloudEnv(p: Project): Finding[] {
  const fix = `set CLOUD_ENV in ${CONFIG_TS} to your env id (云开发控制台 → 设置 → 环境 ID)`
  const value = cloudEnvOf(p)
  if (value === undefined) return [finding(CONFIG_TS, 'CLOUD_ENV', '找不到 export const CLOUD_ENV = \'…\'', "no export const CLOUD_ENV = '…' found", fix)]
  const problem = envIdProblem(value)
  return problem ? [finding(CONFIG_TS, 'CLOUD_ENV', problem.zh, problem.en, fix)] : []
}

function checkOwners(p: Project): Finding[] {
  const fix = `call liveAdmin's whoami as yourself and put ${OWNER_ENV}=<your openid> in ${LOCAL_ENV_FILE} (not committed), or set it in the console (云开发控制台 → 云函数 → liveAdmin → 版本与配置 → 环境变量)`
  const raw = p.env[OWNER_ENV]
  if (raw === undefined) {
    return [finding(LOCAL_ENV_FILE, OWNER_ENV, `未设置：liveAdmin 没有店主`, `not set: liveAdmin has no owner`, fix)]
  }
  const owners = ownersFromEnv({ [OWNER_ENV]: raw })
  if (owners.length === 0) return [finding(LOCAL_ENV_FILE, OWNER_ENV, '为空：liveAdmin 没有店主', 'empty: liveAdmin has no owner', fix)]
  const out: Finding[] = []
  for (const openid of owners) {
    if (openid === DEMO_OWNER_OPENID) {
      out.push(finding(LOCAL_ENV_FILE, OWNER_ENV, `${openid} 是模拟器的演示店主，不是真实用户`, `${openid} is the emulator's demo owner, not a real person`, fix))
    } else if (!OPENID_RE.test(openid)) {
      out.push(finding(LOCAL_ENV_FILE, OWNER_ENV, `${JSON.stringify(openid)} 不是 openid（28 个字母、数字、- 或 _）`, `${JSON.stringify(openid)} is not an openid (28 letters, digits, - or _)`, fix))
    }
  }
  return out
}

function checkLiveSetupFile(p: Project, problem: Finding | null): Finding[] {
  if (problem) return [problem]
  const setup = p.setup!
  const out: Finding[] = []
  if (setup.channels?.finderUserName === DEMO_FINDER_USER_NAME) {
    out.push(
      finding(
        LIVE_SETUP_FILE,
        'channels.finderUserName',
        `${DEMO_FINDER_USER_NAME} 是模拟器的演示视频号，不是真实账号`,
        `${DEMO_FINDER_USER_NAME} is the emulator's demo Channels account, not a real one`,
        'put your Channels account id (视频号助手 → 视频号 ID, "sph…") there, or null when you have none; then npm run configure',
      ),
    )
  }
  if (!setup.miniProgramLive && setup.channels === null) {
    out.push(
      finding(
        LIVE_SETUP_FILE,
        'miniProgramLive',
        '小程序直播与视频号直播都未开启：首页没有任何直播可显示',
        'neither Mini Program Live nor Channels live is on: the home page has no live to show',
        'set miniProgramLive to true if the account has Mini Program Live, or channels.finderUserName to your Channels id; then npm run configure',
      ),
    )
  }
  return out
}

/** The plugin declaration and the room card's subscribe button against the switch, and the device's copy. */
function checkConfigured(p: Project): Finding[] {
  const setup = p.setup
  if (!setup) return []
  const paths = configuredPaths(p.dir)
  const shown = (path: string): string => relative(p.dir, path).split('\\').join('/')
  const fix = `run npm run configure${p.dir === PROJECT_ROOT ? '' : ` -- --dir ${p.dir}`} (it writes what ${LIVE_SETUP_FILE} says)`
  const on = setup.miniProgramLive
  const out: Finding[] = []
  const app = readJson(p, shown(paths.appJson))
  const card = readJson(p, shown(paths.roomCardJson))
  if ('finding' in app) out.push(app.finding)
  if ('finding' in card) out.push(card.finding)
  if ('finding' in app || 'finding' in card) return out
  const fresh = configuredFiles(setup, p.dir)
  if (!isDeepStrictEqual(app.value, JSON.parse(fresh.appJson))) {
    const declared = (app.value.plugins as Record<string, unknown> | undefined)?.[LIVE_PLUGIN.name] !== undefined
    const [zh, en] = on
      ? declared
        ? [`声明与 ${LIVE_PLUGIN.name} ${LIVE_PLUGIN.version}（${LIVE_PLUGIN.provider}）不符`, `declared otherwise than ${LIVE_PLUGIN.name} ${LIVE_PLUGIN.version} (${LIVE_PLUGIN.provider})`]
        : ['小程序直播已开启，但未声明插件：直播间无法进入', 'Mini Program Live is on but the plugin is not declared: rooms cannot be entered']
      : ['小程序直播未开启，却声明了插件：没有直播权限时插件会报错', 'Mini Program Live is off but the plugin is declared: the plugin fails on an account without Live permission']
    out.push(finding(shown(paths.appJson), `plugins.${LIVE_PLUGIN.name}`, zh, en, fix))
  }
  if (!isDeepStrictEqual(card.value, JSON.parse(fresh.roomCardJson))) {
    const [zh, en] = on
      ? [`小程序直播已开启，订阅按钮应为 ${SUBSCRIBE_COMPONENT}`, `Mini Program Live is on: the subscribe button must be ${SUBSCRIBE_COMPONENT}`]
      : ['小程序直播未开启，却使用了插件的订阅按钮', "Mini Program Live is off but the plugin's subscribe button is used"]
    out.push(finding(shown(paths.roomCardJson), 'usingComponents.subscribe', zh, en, fix))
  }
  const device = existsSync(paths.deviceSetup) ? readFileSync(paths.deviceSetup, 'utf8') : null
  if (device !== fresh.deviceSetup) {
    out.push(
      finding(
        shown(paths.deviceSetup),
        '(file)',
        device === null ? '文件不存在' : `与 ${LIVE_SETUP_FILE} 不一致（过期）`,
        device === null ? 'the file does not exist' : `out of date with ${LIVE_SETUP_FILE}`,
        fix,
      ),
    )
  }
  return out
}

function checkPermissions(p: Project): Finding[] {
  const root = join(p.dir, 'cloudfunctions')
  if (!existsSync(root)) return [finding('cloudfunctions', '(folder)', '文件夹不存在', 'the folder does not exist', 'restore cloudfunctions/ from the repository')]
  const out: Finding[] = []
  for (const name of readdirSync(root).sort()) {
    const needed = FUNCTION_CLOUD_CALLS[name]
    if (!needed || !isFunctionFolder(join(root, name))) continue
    const file = `cloudfunctions/${name}/config.json`
    let asked: string[]
    try {
      asked = parseFunctionConfig(join(root, name, 'config.json')).permissions.openapi
    } catch (err) {
      const e = err as FunctionConfigError
      out.push(finding(file, e.field || '(file)', `不合法：${e.rule}`, `invalid: ${e.rule}`, `fix ${file}`))
      continue
    }
    const field = 'permissions.openapi'
    const missing = needed.filter((c) => !asked.includes(c))
    const unknown = asked.filter((c) => !KNOWN_CLOUD_CALLS.has(c))
    const unused = asked.filter((c) => KNOWN_CLOUD_CALLS.has(c) && !needed.includes(c))
    if (missing.length) {
      out.push(
        finding(
          file,
          field,
          `缺少函数要调用的云调用：${missing.join('、')}（调用会报 -604101）`,
          `missing cloud calls the function makes: ${missing.join(', ')} (those calls fail with -604101)`,
          `add them to ${field} and upload the function again from DevTools`,
        ),
      )
    }
    if (unknown.length) {
      out.push(finding(file, field, `不是已知的云调用：${unknown.join('、')}`, `not a known cloud call: ${unknown.join(', ')}`, `remove them from ${field}`))
    }
    if (unused.length) {
      out.push(finding(file, field, `函数代码不会调用：${unused.join('、')}`, `the function's code never makes: ${unused.join(', ')}`, `remove them from ${field} (a function asks only for what it calls)`))
    }
  }
  return out
}

function checkAppSecret(p: Project, rc: Record<string, unknown> | null): Finding[] {
  if (!p.setup?.miniProgramLive) return []
  const out: Finding[] = []
  const endpoints = HTTPS_ONLY_ADMIN_ENDPOINTS.join(', ')
  const fix = `set ${APPSECRET_ENV} in liveAdmin's environment variables in the console (云开发控制台 → 云函数 → liveAdmin → 版本与配置 → 环境变量) and in ${LOCAL_ENV_FILE} (not committed) so this check sees it; never commit it`
  const value = p.env[APPSECRET_ENV]
  if (value === undefined) {
    out.push(finding(LOCAL_ENV_FILE, APPSECRET_ENV, `未设置：${endpoints} 没有云调用，须用 AppSecret 经 HTTPS 调用`, `not set: ${endpoints} have no cloud call and need the AppSecret over HTTPS`, fix))
  } else if (!APPSECRET_RE.test(value)) {
    out.push(finding(LOCAL_ENV_FILE, APPSECRET_ENV, '不是 AppSecret（32 位十六进制）', 'not an AppSecret (32 hex digits)', fix))
  }
  // a literal AppSecret in cloudbaserc.json would be committed with it
  const functions = Array.isArray(rc?.functions) ? (rc.functions as { name?: unknown; envVariables?: Record<string, unknown> }[]) : []
  for (const fn of functions) {
    const literal = fn.envVariables?.[APPSECRET_ENV]
    if (typeof literal === 'string' && !/^\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/.test(literal)) {
      out.push(
        finding(
          'cloudbaserc.json',
          `functions.${String(fn.name)}.envVariables.${APPSECRET_ENV}`,
          'AppSecret 写在了会提交的文件里',
          'the AppSecret is written in a committed file',
          `use "{{env.${APPSECRET_ENV}}}" there with the value in ${LOCAL_ENV_FILE}, and reset the AppSecret on 微信公众平台 if it was ever pushed`,
        ),
      )
    }
  }
  return out
}

function checkCliEnv(p: Project, rc: Record<string, unknown> | null): Finding[] {
  const out: Finding[] = []
  if (rc && typeof rc.envId === 'string' && rc.envId.replace(/\s+/g, '') !== CLOUDBASERC_ENV_ID) {
    out.push(
      finding(
        'cloudbaserc.json',
        'envId',
        `应为 ${CLOUDBASERC_ENV_ID}：环境 ID 放在 ${LOCAL_ENV_FILE}`,
        `must be ${CLOUDBASERC_ENV_ID}: the env id belongs in ${LOCAL_ENV_FILE}`,
        `set envId to "${CLOUDBASERC_ENV_ID}" and ${TCB_ENV_VAR}=<env id> in ${LOCAL_ENV_FILE}`,
      ),
    )
  } else if (rc && typeof rc.envId !== 'string') {
    out.push(finding('cloudbaserc.json', 'envId', '缺少 envId', 'envId is missing', `set envId to "${CLOUDBASERC_ENV_ID}"`))
  }
  const fix = `put ${TCB_ENV_VAR}=<env id> (云开发控制台 → 设置 → 环境 ID) in ${LOCAL_ENV_FILE}`
  const value = p.env[TCB_ENV_VAR]
  if (value === undefined) {
    out.push(finding(LOCAL_ENV_FILE, TCB_ENV_VAR, '未设置：tcb fn deploy 不知道部署到哪个环境', 'not set: tcb fn deploy does not know which env to deploy to', fix))
    return out
  }
  const problem = envIdProblem(value)
  if (problem) {
    out.push(finding(LOCAL_ENV_FILE, TCB_ENV_VAR, problem.zh, problem.en, fix))
    return out
  }
  const cloudEnv = cloudEnvOf(p)
  if (cloudEnv !== undefined && envIdProblem(cloudEnv) === null && cloudEnv !== value) {
    out.push(
      finding(
        LOCAL_ENV_FILE,
        TCB_ENV_VAR,
        `${value} 与 ${CONFIG_TS} 的 CLOUD_ENV ${cloudEnv} 不同：函数部署到的环境不是小程序读取的环境`,
        `${value} differs from CLOUD_ENV ${cloudEnv} in ${CONFIG_TS}: the functions would deploy to an env the mini-program does not read`,
        `use the same env id in both`,
      ),
    )
  }
  return out
}

/** Everything still to fix in the project at `dir`, in the order a merchant meets it. */
export function doctor(dir: string): Finding[] {
  let setup: LiveSetup | null = null
  let setupProblem: Finding | null = null
  try {
    setup = readLiveSetup(join(dir, LIVE_SETUP_FILE))
  } catch (err) {
    const fix = `fix ${LIVE_SETUP_FILE} ({"miniProgramLive": true|false, "channels": {"finderUserName": "sph…"}|null}); then npm run configure`
    if (err instanceof LiveSetupError) setupProblem = finding(LIVE_SETUP_FILE, err.field, err.zh, err.en, fix)
    else if (err instanceof FunctionConfigError) setupProblem = finding(LIVE_SETUP_FILE, '(file)', `不是严格的 JSON：${err.rule}`, err.rule, fix)
    else setupProblem = finding(LIVE_SETUP_FILE, '(file)', '文件不存在或不可读', `cannot be read: ${(err as Error).message}`, fix)
  }
  const p: Project = { dir, env: dotenvValues(dir), setup }
  const rcRead = readJson(p, 'cloudbaserc.json')
  const rc = 'value' in rcRead ? rcRead.value : null
  return [
    ...checkAppid(p),
    ...checkCloudEnv(p),
    ...checkOwners(p),
    ...checkLiveSetupFile(p, setupProblem),
    ...checkConfigured(p),
    ...checkPermissions(p),
    ...checkAppSecret(p, rc),
    ...('finding' in rcRead ? [rcRead.finding] : []),
    ...checkCliEnv(p, rc),
  ]
}

/** One finding as the CLI prints it. */
export function findingLine(f: Finding): string {
  return `${f.file} ${f.field}: ${f.problem.zh} / ${f.problem.en}. Fix: ${f.fix}`
}

if (require.main === module) {
  const { values } = parseArgs({ options: { dir: { type: 'string' } } })
  // npm run starts scripts in the project root; a relative --dir means the folder the command was typed in
  const findings = doctor(values.dir ? resolve(process.env.INIT_CWD ?? process.cwd(), values.dir) : PROJECT_ROOT)
  for (const f of findings) console.log(findingLine(f))
  if (findings.length === 0) console.log('doctor: nothing to fix')
  process.exitCode = findings.length ? 1 : 0
}

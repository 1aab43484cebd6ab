import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { camelKey, snakeKey, toCamelKeys, toSnakeKeys } from '../src/live/case'
import { LiveStatus } from '../src/live/status'

type Convert = (input: unknown, options: { from: string; to: string; recursive: boolean }) => unknown

/** wx-server-sdk's own convertCase, cut out of its bundle, so we compare against the real algorithm. */
function loadSdkConvertCase(): Convert {
  const src = readFileSync(join(__dirname, '..', 'node_modules', 'wx-server-sdk', 'index.js'), 'utf8')
  const start = src.indexOf('const ignoreInConvert = ')
  const end = src.indexOf('exports.isSCFEnvReady', start)
  if (start < 0 || end < 0) throw new Error('convertCase not found in wx-server-sdk bundle')
  const body = src.slice(start, end)
  const getType = (x: unknown) => Object.prototype.toString.call(x).slice(8, -1).toLowerCase()
  const typeHelpers = {
    isString: (x: unknown) => getType(x) === 'string',
    isObject: (x: unknown) => getType(x) === 'object',
    isArray: (x: unknown) => Array.isArray(x),
  }
  class MidasSignature {}
  const factory = new Function('exports', 'type_1', 'signature_1', `${body}; return exports.convertCase;`)
  return factory({}, typeHelpers, { MidasSignature }) as Convert
}

const sdkConvert = loadSdkConvertCase()
const sdkSnake = (v: unknown) => sdkConvert(v, { from: 'camelcase', to: 'snakecase', recursive: true })
const sdkCamel = (v: unknown) => sdkConvert(v, { from: 'snakecase', to: 'camelcase', recursive: true })

describe('key case converters (wx-server-sdk convertCase)', () => {
  it('snake-cases keys the way the SDK does, acronyms included', () => {
    expect(snakeKey('roomId')).toBe('room_id')
    expect(snakeKey('userID')).toBe('user_i_d')
    expect(snakeKey('RoomId')).toBe('room_id')
    expect(snakeKey('price2')).toBe('price2')
  })

  it('camel-cases only _[a-z], so roomid and _1 stay', () => {
    expect(camelKey('room_info')).toBe('roomInfo')
    expect(camelKey('roomid')).toBe('roomid')
    expect(camelKey('a_1')).toBe('a_1')
    expect(camelKey('qrcode_url')).toBe('qrcodeUrl')
    expect(camelKey('_private')).toBe('Private')
  })

  it('leaves the keys it is told to keep, at any depth', () => {
    expect(toSnakeKeys({ goods: [{ goodsId: 1, thirdPartyAppid: '' }] }, new Set(['thirdPartyAppid']))).toEqual({
      goods: [{ goods_id: 1, thirdPartyAppid: '' }],
    })
  })

  it('recurses through nested objects and arrays, leaving values alone', () => {
    const req = { goodsInfo: { coverImgUrl: 'mediaId_x', goodsKey: ['productId'] }, users: [{ userName: 'aB' }], ids: [[{ aB: 1 }]] }
    expect(toSnakeKeys(req)).toEqual({
      goods_info: { cover_img_url: 'mediaId_x', goods_key: ['productId'] },
      users: [{ user_name: 'aB' }],
      ids: [[{ a_b: 1 }]],
    })
    const reply = { room_info: [{ roomid: 7, live_status: LiveStatus.live, goods: [{ cover_img: 'u', price_type: 1 }] }], live_replay: [] }
    expect(toCamelKeys(reply)).toEqual({
      roomInfo: [{ roomid: 7, liveStatus: LiveStatus.live, goods: [{ coverImg: 'u', priceType: 1 }] }],
      liveReplay: [],
    })
  })

  it('matches the SDK on tricky keys', () => {
    const tricky = { userID: 1, URL: { innerKey: [{ deepKeyX: true }] }, already_snake: 2, mixed_Key: 3, a_b: 4, aB: 5 }
    expect(toSnakeKeys(tricky)).toEqual(sdkSnake(tricky))
    expect(toCamelKeys(tricky)).toEqual(sdkCamel(tricky))
  })

  it('matches the SDK on arbitrary JSON (property)', () => {
    const key = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/)
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    })).value
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 5 }), (obj) => {
        expect(toSnakeKeys(obj)).toEqual(sdkSnake(obj))
        expect(toCamelKeys(obj)).toEqual(sdkCamel(obj))
      }),
      { numRuns: 300 },
    )
  })
})

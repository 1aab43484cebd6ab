/**
 * What the merchant pages run on the phone, bundled by tools/mp-rules.ts into miniprogram/merchant/generated/:
 * the form checks liveAdmin applies, the single-field rules a form marks while typing, the limits a page shows,
 * and each errcode's sentence. Everything is re-exported from its one home; nothing is defined here.
 */
import { FORM_RULES, type FormAction } from './form-rules'

export { checkForm, formProblems, isFormAction } from './form-rules'
/** The actions whose forms check themselves before submitting. */
export const FORM_ACTIONS = Object.keys(FORM_RULES) as FormAction[]
export {
  ANCHOR_NAME_WIDTH,
  GOODS_INFO_FIELDS,
  GOODS_NAME_WIDTH,
  ROLE_CAPS,
  ROLE_TEXT,
  ROOM_IMAGE_RULES,
  ROOM_MAX_DURATION_SECONDS,
  ROOM_MAX_LEAD_MONTHS,
  ROOM_MIN_DURATION_SECONDS,
  ROOM_MIN_LEAD_SECONDS,
  ROOM_NAME_WIDTH,
  SHARED_CODE_PARAMS_MAX,
  checkAnchorName,
  checkGoodsName,
  checkGoodsPrice,
  checkGoodsUpdateFields,
  checkRoomImageSize,
  checkRoomName,
  checkRoomTimes,
  checkWechatId,
  goodsUpdatableFields,
  latestRoomStart,
  textWidth,
} from '../live/rules'
export { describeErrcode, isEmptyRoomList, REALNAME_QRCODE_URL } from '../live/errors'
/** The batch file's CSV reader and cell conversion: the batch page derives the JSON template from the CSV one. */
export { parseCsv } from './batch/csv'
export { convertCell } from './batch/columns'
export { AuditStatus, PriceType, RoleId } from '../live/schemas'
export { LIVE_STATUS_TEXT, LiveStatus, ON_AIR_STATUSES } from '../live/status'
/** The dashboard: range rule, figure labels and formatting, and the tables the pages show and the CSV export writes. */
export { BUILTIN_CHANNELS, ENTRY_KINDS } from '../stats/channels'
/** The links page: a channel's name and code as createChannel checks them. */
export { CHANNELS_PER_ROOM_MAX, CHANNEL_NAME_MAX_WIDTH, checkChannelCode, checkChannelName } from '../stats/channels'
export { COUNTERS } from '../stats/metrics'
export {
  DERIVED_LABELS,
  STATS_COLUMNS,
  STATS_RANGE_DAYS_MAX,
  STATS_READ_DOCS_MAX,
  addDays,
  channelLabel,
  checkStatsRange,
  daysOf,
  figureText,
  kindsText,
  roomTable,
  roomsTable,
  statsRangeDays,
} from '../stats/dashboard'

/**
 * The action table of the merchant admin function: every catalogue endpoint by its id, replaced by a domain
 * module's richer version where there is one, plus the composite actions. docs/ADMIN-API.md is generated from it.
 */
import type { ActionTable } from '../dispatch'
import { adminActions } from './admins'
import { createBatchActions } from './batch'
import { contentActions } from './content'
import { endpointActions } from './endpoints'
import { peopleActions } from './people'
import { roomGoodsActions } from './room-goods'
import { roomActions } from './rooms'
import { goodsActions } from './goods'
import { statsActions } from './stats'
import { orderActions } from './orders'
import { linkActions } from './links'
import { channelsActions } from './channels'

export const actionTable: ActionTable = {
  ...endpointActions,
  ...roomActions,
  ...goodsActions,
  ...adminActions,
  ...roomGoodsActions,
  ...peopleActions,
  ...contentActions,
  ...statsActions,
  ...orderActions,
  ...linkActions,
  ...channelsActions,
  ...createBatchActions(() => actionTable),
}

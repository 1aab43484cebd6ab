/**
 * The merchant's Channels live report through liveAdmin (the statistics and the Live setup the function was built
 * with; devices report, nothing asks WeChat from here). Reference: docs/ADMIN-API.md channelsStatus.
 */
import { runAdmin } from './call'
import type { ChannelsStatus } from '../utils/channels-view'

export type { ChannelsStatus }

export function channelsStatus(): Promise<ChannelsStatus> {
  return runAdmin<ChannelsStatus>('channelsStatus', {})
}

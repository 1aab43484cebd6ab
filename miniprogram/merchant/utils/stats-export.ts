/**
 * The export buttons both statistics pages share: export the range (and the room, on a room's page), then copy the
 * link or send the file to a chat. One copy, so both pages behave alike.
 */
import { errorText } from './errors'
import { expiryText, type Range } from './stats-view'
import { copyLink, exportStats, forwardExport, type ExportLink } from '../services/stats'

interface ExportingPage {
  data: { exporting: boolean; range: Range; rangeErrors: { from: string; to: string }; link: ExportLink | null; roomId?: number | null }
  setData(data: Record<string, unknown>): void
}

/** `perRoom`: the page exports one room (its `data.roomId`, 0 for the Channels live) and exports nothing until it has one. */
export function exportPageMethods(perRoom: boolean) {
  return {
    async onExport(this: ExportingPage): Promise<void> {
      const { exporting, rangeErrors, range, roomId } = this.data
      if (exporting || rangeErrors.from || rangeErrors.to || (perRoom && (roomId === undefined || roomId === null))) return
      this.setData({ exporting: true, exportError: '', link: null, linkExpiry: '' })
      try {
        const link = await exportStats(range, perRoom ? (roomId ?? undefined) : undefined)
        this.setData({ link, linkExpiry: expiryText(link.expiresAt) })
      } catch (e) {
        this.setData({ exportError: errorText(e) })
      } finally {
        this.setData({ exporting: false })
      }
    },
    async onCopyLink(this: ExportingPage): Promise<void> {
      if (this.data.link) await copyLink(this.data.link.url)
    },
    async onForward(this: ExportingPage): Promise<void> {
      const link = this.data.link
      if (!link) return
      try {
        await forwardExport(link)
      } catch (e) {
        this.setData({ exportError: errorText(e) })
      }
    },
  }
}

/** Whether the device is offline, so a failed read can say "no network" instead of a generic error. */
export function isOffline(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      wx.getNetworkType({
        success: (res) => resolve(res.networkType === 'none'),
        fail: () => resolve(false),
      })
    } catch {
      resolve(false)
    }
  })
}

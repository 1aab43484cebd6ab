/** Room card: cover, name, anchor, status badge, goods preview; a tap asks the page to enter the room. */
Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    room: { type: Object, value: {} },
    /** Encoded custom_params for the start reminder (built and length-checked by the page). */
    subscribeParams: { type: String, value: '' },
  },
  methods: {
    onTap() {
      const room = this.data.room as { roomId?: number; section?: string }
      this.triggerEvent('enter', { roomId: room.roomId, section: room.section })
    },
    /** The plugin's subscribe button reports a reminder taken (its documented sample binds `subscribe`). */
    onSubscribe() {
      this.triggerEvent('subscribed', { roomId: (this.data.room as { roomId?: number }).roomId })
    },
  },
})

/**
 * Names given as bytes (a Uint8Array: a name that is not UTF-8, such as `msg.channelBytes`),
 * alone or in a list with names of the channel map `C`: their payload may be that of any channel.
 */
export type ByteNames<C extends object> = Uint8Array | readonly (Uint8Array | (keyof C & string))[]

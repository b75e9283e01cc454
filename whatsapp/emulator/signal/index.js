// The Signal side of the emulated WhatsApp: simulated contacts, prekey bundles, encrypted 1:1 messages,
// receipts and usync. Pure and transport-free; the emulator's server calls these with Baileys binary nodes.
// See README.md in this folder for when the server calls what.
export { Contact, DEFAULT_PREKEY_COUNT, signalAddressOf, wireKey } from './contact.js'
export {
  applyPreKeyUpload, applySignedPreKeyRotation, buildDigestResult, buildIdentityChangeNotification,
  buildKeyFetchResult, buildPreKeyCountResult, buildPreKeyLowNotification, bundleUserNode, iqError, iqResult,
  parseKeyFetchRequest, parsePreKeyUpload, signedPreKeyIsValid, takeDeviceBundle
} from './bundles.js'
export {
  decryptFromDevice, encryptToDevice, newMessageId, readDeviceIdentity, senderAttrs, startSession, undecryptableStanza
} from './messages.js'
export { editMessage, mediaTypeOf, messageText, reactionMessage, replyMessage, revokeMessage, stanzaAttrsFor, textMessage } from './protos.js'
export { buildReceipt, buildRetryReceipt } from './receipts.js'
export { buildUSyncResult, contactAccount, parseUSyncQuery } from './usync.js'

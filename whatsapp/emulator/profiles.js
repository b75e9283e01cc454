import { getBinaryNodeChild, jidDecode } from 'baileys'
import { IqError } from './nodes.js'

/*
 * What a simulated contact shows others: its name, whether it is on WhatsApp, its profile
 * picture. `emulator.setContact(phone, {name?, onWhatsApp?, picture?})` changes them; the
 * `w:profile:picture` IQ (Baileys profilePictureUrl) answers with the picture's URL, 401
 * not-authorized when the contact hides it, 404 item-not-found when it has none. The picture
 * itself is served at that URL by the emulator's HTTP server (a tiny PNG).
 */

/** A 1×1 PNG: the simulated picture's bytes. */
const PICTURE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
const PICTURE_PATH = /^\/pp\/([0-9]{6,15})\/([0-9]+)\.png$/

/**
 * Plugs contact profiles into an emulator that has messaging (its contacts directory).
 * @param {any} emulator
 */
export function installProfiles (emulator) {
  const contacts = emulator.messaging.contacts

  /**
   * Changes what a contact shows: `name` (its push name on later messages), `onWhatsApp`
   * (false: usync answers it is not on WhatsApp), `picture` ('set' | 'hidden' | 'none').
   * Persisted with the contacts. @param {string} phone
   * @param {{name?: string, onWhatsApp?: boolean, picture?: 'set'|'hidden'|'none'}} profile
   */
  emulator.setContact = (phone, profile) => {
    if (!/^[1-9][0-9]{5,14}$/.test(phone)) throw new Error('phone must be 6-15 digits')
    if (profile.onWhatsApp === false) contacts.notOnWhatsApp(phone)
    if (profile.onWhatsApp === true) contacts.onWhatsApp(phone)
    if (profile.name !== undefined) contacts.contactFor(phone).pushName = profile.name
    if (profile.picture !== undefined) contacts.setPicture(phone, profile.picture)
    emulator.store.changed()
    const pic = contacts.pictureOf(phone)
    return { phone, onWhatsApp: !contacts.isAbsent(phone), picture: pic.picture, pictureUrl: pictureUrl(phone, pic) }
  }

  /** The URL of a picture as WhatsApp's CDN would give it (here the emulator's own HTTP server). */
  const pictureUrl = (/** @type {string} */ phone, /** @type {{picture: string, pictureId: number}} */ pic) =>
    pic.picture === 'set' ? `http://127.0.0.1:${emulator.port}/pp/${phone}/${pic.pictureId}.png` : null

  emulator.iq.register({ xmlns: 'w:profile:picture', type: 'get' }, ({ node, device }) => {
    if (!device) throw new IqError(401, 'not-authorized')
    const target = jidDecode(node.attrs.target ?? '')
    if (!target?.user) throw new IqError(400, 'bad-request')
    const user = target.server === 'lid' ? contacts.find(`${target.user}@lid`) : null
    const phone = user?.phone ?? (target.server === 's.whatsapp.net' ? target.user : null)
    if (!phone || contacts.isAbsent(phone)) throw new IqError(404, 'item-not-found')
    const pic = contacts.pictureOf(phone)
    if (pic.picture === 'hidden') throw new IqError(401, 'not-authorized')
    if (pic.picture !== 'set') throw new IqError(404, 'item-not-found')
    const type = getBinaryNodeChild(node, 'picture')?.attrs?.type === 'preview' ? 'preview' : 'image'
    return [{ tag: 'picture', attrs: { id: String(pic.pictureId), type, url: pictureUrl(phone, pic), direct_path: `/pp/${phone}/${pic.pictureId}.png` } }]
  })

  /**
   * Serves a set picture at its URL; false when the request is not for one.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  emulator.servePicture = (req, res) => {
    const m = PICTURE_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname)
    if (!m || req.method !== 'GET') return false
    const pic = contacts.pictureOf(m[1])
    if (pic.picture !== 'set' || String(pic.pictureId) !== m[2]) {
      res.writeHead(404).end()
    } else {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PICTURE_PNG.length }).end(PICTURE_PNG)
    }
    return true
  }
}

import { createHash } from 'node:crypto'
import { decryptPollVote, jidNormalizedUser, normalizeMessageContent } from 'baileys'

/*
 * Poll votes on our polls (docs/engine-protocol.md, event `poll.vote`). WhatsApp encrypts each
 * vote with the poll's messageSecret, which only the poll's creator (and voters) hold. Baileys
 * rc14 no longer decrypts votes itself (its processMessage code for it is commented out), so the
 * engine does: it asks Java for the stored poll (the same getMessage path retries use — the
 * stored content keeps messageContextInfo.messageSecret), decrypts with Baileys'
 * decryptPollVote and turns the chosen options' SHA-256 hashes back into their names.
 */

/**
 * @typedef {object} PollVote
 * @property {string} messageId      the vote message's id
 * @property {string} pollMessageId  the poll it votes on
 * @property {string} voterJid       who voted (as the vote's key names them)
 * @property {string|null} voterPhone  the voter's phone digits when known
 * @property {string[]|null} selectedOptions  option names now chosen ([] = vote withdrawn); null when not decryptable
 * @property {string|null} error     why the vote could not be read (poll unknown, key mismatch)
 * @property {number|null} timestamp  ms epoch the voter's phone gave the vote
 */

/**
 * The votes among these upserted messages, decrypted. Never throws: a vote that cannot be read
 * is reported with `selectedOptions: null` and the reason. Resolves to null when there is none.
 * @param {any[]} messages  Baileys WAMessage[] of a messages.upsert
 * @param {{me: any, getMessage: (key: any) => Promise<any>}} ctx
 * @returns {Promise<{votes: PollVote[]}|null>|null}  null at once when no message is a vote
 */
export function pollVotesOf (messages, ctx) {
  const votes = (messages ?? []).filter((m) => normalizeMessageContent(m?.message)?.pollUpdateMessage && m?.key?.id)
  if (votes.length === 0) return null
  return Promise.all(votes.map((m) => readVote(m, ctx))).then((list) => ({ votes: list }))
}

/** @param {any} m @param {{me: any, getMessage: (key: any) => Promise<any>}} ctx @returns {Promise<PollVote>} */
async function readVote (m, ctx) {
  const update = normalizeMessageContent(m.message).pollUpdateMessage
  const pollKey = update.pollCreationMessageKey ?? {}
  const voterJid = m.key.participant || m.key.remoteJid
  // the phone form of the voter, whichever of the key's JID and its alternative it is (groups: the participant's)
  const forms = m.key.participant ? [m.key.participant, m.key.participantAlt] : [m.key.remoteJid, m.key.remoteJidAlt]
  const voterPn = forms.find((j) => typeof j === 'string' && j.endsWith('@s.whatsapp.net')) ?? null
  /** @type {PollVote} */
  const out = {
    messageId: m.key.id,
    pollMessageId: pollKey.id ?? null,
    voterJid: voterJid ?? null,
    voterPhone: voterPn ? voterPn.split('@')[0].split(':')[0] : null,
    selectedOptions: null,
    error: null,
    timestamp: update.senderTimestampMs == null ? null : Number(update.senderTimestampMs)
  }
  let poll
  try {
    poll = pollKey.id ? await ctx.getMessage({ ...pollKey, fromMe: true }) : undefined
  } catch {
    poll = undefined
  }
  const creation = poll && (poll.pollCreationMessage ?? poll.pollCreationMessageV2 ?? poll.pollCreationMessageV3)
  const secret = poll?.messageContextInfo?.messageSecret
  if (!creation || !secret) {
    out.error = 'the poll is not one this gateway sent (or its content is no longer stored)'
    return out
  }
  const selected = decryptWithAnyAddressing(update.vote, { pollMsgId: pollKey.id, pollEncKey: secret, me: ctx.me, voters: [voterPn, voterJid] })
  if (!selected) {
    out.error = 'the vote could not be decrypted with the poll\'s key'
    return out
  }
  const byHash = new Map((creation.options ?? []).map((o) => [sha256hex(o.optionName ?? ''), o.optionName]))
  out.selectedOptions = selected.map((h) => byHash.get(Buffer.from(h).toString('hex'))).filter((n) => typeof n === 'string')
  return out
}

/**
 * The vote is bound to the creator's and the voter's JIDs; WhatsApp uses the phone or the LID
 * form depending on the chat's addressing, so each pair is tried (GCM fails on a wrong one).
 * Returns the selected option hashes, or null.
 */
function decryptWithAnyAddressing (vote, { pollMsgId, pollEncKey, me, voters }) {
  const creators = [me?.id, me?.lid].filter(Boolean).map((j) => jidNormalizedUser(j))
  for (const pollCreatorJid of new Set(creators)) {
    for (const v of new Set(voters.filter(Boolean).map((j) => jidNormalizedUser(j)))) {
      try {
        const msg = decryptPollVote(vote, { pollCreatorJid, pollMsgId, pollEncKey: Buffer.from(pollEncKey), voterJid: v })
        return msg.selectedOptions ?? []
      } catch { /* next pair */ }
    }
  }
  return null
}

/** @param {string} s */
function sha256hex (s) {
  return createHash('sha256').update(Buffer.from(s)).digest('hex')
}

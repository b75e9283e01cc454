import { Curve, proto } from 'baileys'

/*
 * The emulator's certificate authority: a test root key (standing in for WhatsApp's
 * "WhatsAppLongTerm1" root), an intermediate signed by it, and per server static key a leaf
 * signed by the intermediate. Shape and serial numbers follow what clients check (whatsmeow's
 * verifyServerCert, Baileys' noise-handler): intermediate.issuerSerial = root serial (0),
 * leaf.issuerSerial = intermediate.serial, leaf.key = the server's Noise static key.
 *
 * Signatures are XEdDSA over Curve25519 keys (libsignal's calculateSignature via Baileys' Curve).
 */

export const ROOT_SERIAL = 0
const INTERMEDIATE_SERIAL = 7
const LEAF_SERIAL = 1001

/** @param {object} details */
function encodeDetails (details) {
  return Buffer.from(proto.CertChain.NoiseCertificate.Details.encode(details).finish())
}

/**
 * Creates the emulator's root and intermediate, or restores them from `saved` (a persisted
 * emulator keeps its root, so engines that trusted it before still do). The root's public half
 * is what a client must be told to trust (`trust()`); its private half leaves this object only
 * through `save()`, into the owner-only emulator state file (store.js).
 * @param {{root: {public: Buffer, private: Buffer}, intermediate: {public: Buffer, private: Buffer}, intermediateCert: {details: Buffer, signature: Buffer}}} [saved]
 */
export function createCertificateAuthority (saved) {
  const root = saved?.root ?? Curve.generateKeyPair()
  const intermediate = saved?.intermediate ?? Curve.generateKeyPair()
  const intermediateDetails = saved?.intermediateCert.details ?? encodeDetails({
    serial: INTERMEDIATE_SERIAL,
    issuerSerial: ROOT_SERIAL,
    key: intermediate.public,
    notBefore: Math.floor(Date.now() / 1000) - 3600,
    notAfter: Math.floor(Date.now() / 1000) + 365 * 86400
  })
  const intermediateCert = saved?.intermediateCert ?? { details: intermediateDetails, signature: Buffer.from(Curve.sign(root.private, intermediateDetails)) }

  return {
    /** The keys and intermediate certificate, for the emulator's state file. */
    save: () => ({ root, intermediate, intermediateCert }),
    /** What a client must trust for this emulator: the root public key and serial. */
    trust () {
      return { rootPublicKey: Buffer.from(root.public), serial: ROOT_SERIAL }
    },
    /**
     * Encoded proto.CertChain for a server static key. `forge` makes one link deliberately
     * wrong, for tests of the client's checks:
     *  - 'leaf': leaf signed by a key that is not the intermediate's
     *  - 'intermediate': intermediate signed by a key that is not the root
     *  - 'leafKey': genuine signatures, but the leaf certifies another key than the static one
     *  - 'leafIssuer': genuine signatures, but the leaf names another issuer serial
     * @param {Buffer} staticPublic
     * @param {null|'leaf'|'intermediate'|'leafKey'|'leafIssuer'} [forge]
     */
    chainFor (staticPublic, forge = null) {
      const leafKey = forge === 'leafKey' ? Curve.generateKeyPair().public : staticPublic
      const issuerSerial = forge === 'leafIssuer' ? INTERMEDIATE_SERIAL + 1 : INTERMEDIATE_SERIAL
      const leafDetails = encodeDetails({ serial: LEAF_SERIAL, issuerSerial, key: leafKey })
      const leafSigner = forge === 'leaf' ? Curve.generateKeyPair().private : intermediate.private
      let inter = intermediateCert
      if (forge === 'intermediate') {
        inter = { details: intermediateDetails, signature: Buffer.from(Curve.sign(Curve.generateKeyPair().private, intermediateDetails)) }
      }
      return Buffer.from(proto.CertChain.encode({
        leaf: { details: leafDetails, signature: Buffer.from(Curve.sign(leafSigner, leafDetails)) },
        intermediate: inter
      }).finish())
    }
  }
}

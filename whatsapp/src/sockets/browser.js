import { Browsers } from 'baileys'

/**
 * Browser tuple both factories present to WhatsApp (shown on the phone's "Linked devices";
 * its platform id also ends up in the QR string).
 */
export const BROWSER = Browsers.ubuntu('Chrome')

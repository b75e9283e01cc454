-- Contacts of a connection: names from the address book, history sync and push names, with the
-- phone number and the LID where known (issue 16). One row per contact: keyed by the phone digits
-- when known, else by the LID JID; the read joins lid_mappings, so a LID-only row gains its phone
-- as soon as the pair is learned.
CREATE TABLE contacts (
    connection_id text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    contact_key   text NOT NULL,
    phone         text,
    lid           text,
    name          text,
    push_name     text,
    verified_name text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, contact_key)
);

-- The pairing code a connection asked WhatsApp for (linking without a camera): one at a time,
-- valid until expires_at (when the registration's QR refs run out); removed once linked.
CREATE TABLE pairing_codes (
    connection_id text PRIMARY KEY REFERENCES connections (connection_id) ON DELETE CASCADE,
    phone         text NOT NULL,
    code          text NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

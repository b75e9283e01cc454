package com.wagateway.controllers.dto;

import java.time.Instant;

/** Bodies and answers of the pairing-code and contacts endpoints. */
public final class ContactDtos {

    private ContactDtos() {
    }

    /** Ask for a pairing code: {@code {"phone":"923001234567"}} (international format; {@code +}, spaces and dashes are fine). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "PairingCodeRequest")
    public record PairingCodeRequest(String phone) {
    }

    /**
     * The code to type on the phone (WhatsApp → Linked devices → Link with phone number instead),
     * valid until {@code expires_at}; the connection then links like with a QR.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "PairingCode")
    public record PairingCode(String connectionId, String phone, String code, Instant expiresAt) {
    }

    /** One number of a check: on WhatsApp or not; {@code jid} and {@code lid} when known (null otherwise). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ContactCheck")
    public record ContactCheck(String phone, boolean exists, String jid, String lid) {
    }

    /**
     * One known contact: phone digits and LID where known, the address-book {@code name}, the
     * {@code push_name} the contact set itself, a business's {@code verified_name}.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "Contact")
    public record Contact(String phone, String lid, String name, String pushName, String verifiedName, Instant updatedAt) {
    }

    /** A contact's profile picture: {@code url} is null when there is none or the contact hides it. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ProfilePicture")
    public record Picture(String phone, String lid, String url) {
    }
}

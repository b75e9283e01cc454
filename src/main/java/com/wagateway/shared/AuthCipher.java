package com.wagateway.shared;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for Baileys' auth state at rest ({@code AUTH_ENCRYPTION_KEY}).
 *
 * <p>Guarantees: every value gets a fresh random 96-bit nonce (stored in front of the ciphertext);
 * the associated data binds a value to its row (connection id, key type, key id), so a value
 * copied to another connection or key fails to decrypt instead of being used; a wrong key or a
 * changed byte fails with {@link WrongKey}. The key never appears in a message or a toString.
 */
public final class AuthCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private AuthCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A value did not decrypt: another key, another row's value, or damaged bytes. */
    public static final class WrongKey extends RuntimeException {
        public WrongKey(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code AUTH_ENCRYPTION_KEY}: 32 bytes written as base64 (standard or URL-safe, 43-44
     * characters) or hex (64 characters). Throws IllegalArgumentException with a message that says
     * what is expected and never repeats the value.
     */
    public static AuthCipher fromSetting(String setting) {
        String v = setting == null ? "" : setting.trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("AUTH_ENCRYPTION_KEY is not set");
        }
        byte[] raw = null;
        if (v.matches("[0-9a-fA-F]{64}")) {
            raw = HexFormat.of().parseHex(v);
        } else {
            try {
                raw = (v.indexOf('-') >= 0 || v.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(v);
            } catch (IllegalArgumentException e) {
                raw = null;
            }
        }
        if (raw == null || raw.length != 32) {
            throw new IllegalArgumentException("AUTH_ENCRYPTION_KEY must be 32 bytes written as base64 (44 characters) or hex "
                    + "(64 characters); the value given is neither");
        }
        try {
            return new AuthCipher(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** nonce ‖ ciphertext ‖ tag of {@code plaintext}, bound to {@code (connectionId, type, id)}. */
    public byte[] encrypt(String connectionId, String type, String id, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(connectionId, type, id));
            byte[] sealed = c.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The plaintext of a value {@link #encrypt} made for the same row; {@link WrongKey} otherwise. */
    public byte[] decrypt(String connectionId, String type, String id, byte[] stored) {
        if (stored == null || stored.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new WrongKey("stored auth value of " + connectionId + " is too short");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            c.updateAAD(associatedData(connectionId, type, id));
            return c.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new WrongKey("auth value " + type + " of " + connectionId + " does not decrypt with AUTH_ENCRYPTION_KEY");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** Text helpers: values are UTF-8 JSON. */
    public byte[] encryptText(String connectionId, String type, String id, String plaintext) {
        return encrypt(connectionId, type, id, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    public String decryptText(String connectionId, String type, String id, byte[] stored) {
        return new String(decrypt(connectionId, type, id, stored), StandardCharsets.UTF_8);
    }

    /** Length-prefixed parts, so ("a","bc") and ("ab","c") never give the same associated data. */
    private static byte[] associatedData(String connectionId, String type, String id) {
        StringBuilder b = new StringBuilder("wa-gateway-auth/1");
        for (String part : new String[] {connectionId, type, id}) {
            b.append('|').append(part.length()).append(':').append(part);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuthCipher[AES-256-GCM]";
    }
}

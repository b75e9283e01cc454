package com.wagateway.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuthCipherTest {

    private static final byte[] RAW = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            RAW[i] = (byte) (i * 7 + 1);
        }
    }

    private static final String B64 = Base64.getEncoder().encodeToString(RAW);
    private static final String HEX = HexFormat.of().formatHex(RAW);

    @Test
    void aValueDecryptsOnlyForItsOwnRowAndKey() {
        AuthCipher c = AuthCipher.fromSetting(B64);
        byte[] stored = c.encryptText("conn_a", "session", "923001.0", "{\"secret\":1}");
        assertThat(c.decryptText("conn_a", "session", "923001.0", stored)).isEqualTo("{\"secret\":1}");
        // the same key given as hex is the same key
        assertThat(AuthCipher.fromSetting(HEX).decryptText("conn_a", "session", "923001.0", stored)).isEqualTo("{\"secret\":1}");
        // copied to another connection, type or id: refused
        assertThatThrownBy(() -> c.decryptText("conn_b", "session", "923001.0", stored)).isInstanceOf(AuthCipher.WrongKey.class);
        assertThatThrownBy(() -> c.decryptText("conn_a", "pre-key", "923001.0", stored)).isInstanceOf(AuthCipher.WrongKey.class);
        assertThatThrownBy(() -> c.decryptText("conn_a", "session", "923002.0", stored)).isInstanceOf(AuthCipher.WrongKey.class);
        // another key, or one changed byte: refused
        assertThatThrownBy(() -> AuthCipher.fromSetting("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
                .decryptText("conn_a", "session", "923001.0", stored)).isInstanceOf(AuthCipher.WrongKey.class);
        byte[] damaged = stored.clone();
        damaged[damaged.length - 1] ^= 1;
        assertThatThrownBy(() -> c.decryptText("conn_a", "session", "923001.0", damaged)).isInstanceOf(AuthCipher.WrongKey.class);
    }

    @Test
    void everyValueGetsItsOwnNonceAndNoPlaintextIsStored() {
        AuthCipher c = AuthCipher.fromSetting(B64);
        byte[] a = c.encryptText("c", "t", "i", "same plaintext");
        byte[] b = c.encryptText("c", "t", "i", "same plaintext");
        assertThat(a).isNotEqualTo(b);
        assertThat(java.util.Arrays.copyOf(a, 12)).isNotEqualTo(java.util.Arrays.copyOf(b, 12));
        assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain("same plaintext");
        assertThat(a.length).isEqualTo(12 + "same plaintext".length() + 16);
    }

    @Test
    void aMissingOrMalformedKeyIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> AuthCipher.fromSetting("")).hasMessageContaining("not set");
        assertThatThrownBy(() -> AuthCipher.fromSetting(null)).hasMessageContaining("not set");
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> AuthCipher.fromSetting(short16)).hasMessageContaining("32 bytes").hasMessageNotContaining(short16);
        assertThatThrownBy(() -> AuthCipher.fromSetting("not a key at all!")).hasMessageContaining("32 bytes")
                .hasMessageNotContaining("not a key at all");
        assertThat(AuthCipher.fromSetting(B64).toString()).doesNotContain(B64).doesNotContain(HEX);
    }
}

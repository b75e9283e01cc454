package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.services.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RecipientsTest {

    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // phone numbers: sandbox/test numbers are possible but not valid, and must pass
        "923001112233            | 923001112233@s.whatsapp.net | 923001112233 | false",
        "15551234567             | 15551234567@s.whatsapp.net  | 15551234567  | false",
        "447700900123            | 447700900123@s.whatsapp.net | 447700900123 | false",
        "+15551234567            | 15551234567@s.whatsapp.net  | 15551234567  | false",
        "+1 (555) 123-4567       | 15551234567@s.whatsapp.net  | 15551234567  | false",
        "+44 7700.900.123        | 447700900123@s.whatsapp.net | 447700900123 | false",
        "'  +92 300 1112233  '   | 923001112233@s.whatsapp.net | 923001112233 | false",
        "+49 30 901820           | 4930901820@s.whatsapp.net   | 4930901820   | false",
        // the UK habit of a bracketed trunk 0 is normalized away (E.164), Italy's leading 0 kept
        "+44 (0)7700 900123      | 447700900123@s.whatsapp.net | 447700900123 | false",
        "+39 06 1234 5678        | 390612345678@s.whatsapp.net | 390612345678 | false",
        // user JIDs, @c.us normalized
        "15551234567@s.whatsapp.net | 15551234567@s.whatsapp.net | 15551234567 | false",
        "15551234567@c.us           | 15551234567@s.whatsapp.net | 15551234567 | false",
        "12345@s.whatsapp.net       | 12345@s.whatsapp.net       | 12345       | false",
        "12345678901234567890@s.whatsapp.net | 12345678901234567890@s.whatsapp.net | 12345678901234567890 | false",
        "15551234567@S.WhatsApp.Net | 15551234567@s.whatsapp.net | 15551234567 | false",
        // LIDs: no phone
        "123456789012345@lid        | 123456789012345@lid        | null        | false",
        // groups: new and legacy ids, no phone
        "120363025246125486@g.us    | 120363025246125486@g.us    | null        | true",
        "447700900123-1500000000@g.us | 447700900123-1500000000@g.us | null    | true",
    })
    void acceptsAndNormalizes(String to, String jid, String phone, boolean group) {
        assertThat(Recipients.parse(to)).isEqualTo(new Recipient(jid, phone, group));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {
        // phone numbers
        "0300 1112233",           // national format
        "+0300 1112233",          // national format with a +
        "00923001112233",         // international call prefix instead of +
        "123",                    // too short
        "+1 555",                 // too short for its country
        "1555123456789012",       // too long for its country
        "9991234567",             // no such country code
        "12530000",               // possible only when dialled locally (US, 7 digits): not a WhatsApp account
        "+1 555 123 4567 ext 9",  // letters
        "1-800-FLOWERS",          // vanity letters
        "15551234567+",           // + not leading
        "++15551234567",          // two pluses
        "+",                      // nothing but a plus
        "(-.)",                   // nothing but separators
        "1555\t1234567",          // tab is not a tolerated separator
        "١٥٥٥١٢٣٤٥٦٧",            // non-ASCII digits
        // JIDs
        "15551234567:12@s.whatsapp.net", // device part
        "15551234567:0@s.whatsapp.net",
        "status@broadcast",
        "1234567890@broadcast",
        "120363025246125486@newsletter", // other server
        "15551234567@example.com",
        "15551234567@",
        "@s.whatsapp.net",
        "1234@s.whatsapp.net",           // fewer than 5 digits
        "123456789012345678901@s.whatsapp.net", // more than 20 digits
        "+15551234567@s.whatsapp.net",   // + inside a JID
        "1555 1234567@s.whatsapp.net",   // whitespace inside
        "15551234567 @s.whatsapp.net",
        "15551234567@@s.whatsapp.net",
        "abc@s.whatsapp.net",
        "1234567890@lid:1",
        "123-456@lid",                   // dash only for groups
        "123456789-@g.us",
        "-123456789@g.us",
        "12345-67890-12345@g.us",
        "15551234567@g.us.evil",
    })
    void refusesWithInvalidRecipient(String to) {
        ApiException.InvalidInput e = refusal(to);
        assertThat(e.code()).isEqualTo("invalid_recipient");
        assertThat(e.field()).isEqualTo("to");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).isNotBlank();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t\n"})
    void missingIsRequired(String to) {
        ApiException.InvalidInput e = refusal(to);
        assertThat(e.code()).isEqualTo("invalid_recipient");
        assertThat(e.field()).isEqualTo("to");
        assertThat(e.getMessage()).isEqualTo("to is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"03001112233", "+03001112233", "0044 7700 900123"})
    void nationalNumbersAskForTheInternationalFormat(String to) {
        ApiException.InvalidInput e = refusal(to);
        assertThat(e.code()).isEqualTo("invalid_recipient");
        assertThat(e.getMessage()).contains("use the international format with country code");
    }

    @Test
    void deviceJidMessageNamesTheDevicePart() {
        ApiException.InvalidInput e = refusal("15551234567:12@s.whatsapp.net");
        assertThat(e.getMessage()).contains("device");
    }

    @Test
    void statusBroadcastMessageSaysSo() {
        ApiException.InvalidInput e = refusal("status@broadcast");
        assertThat(e.getMessage()).contains("broadcast");
    }

    @Test
    void overlongInputIsRefusedBeforeParsing() {
        ApiException.InvalidInput e = refusal("1".repeat(5000));
        assertThat(e.code()).isEqualTo("invalid_recipient");
        assertThat(e.getMessage()).contains("longer than");
    }

    /** The refusal of {@code to}; fails the test when {@code to} is accepted. */
    private static ApiException.InvalidInput refusal(String to) {
        try {
            Recipient r = Recipients.parse(to);
            throw new AssertionError("'" + to + "' must be refused but gave " + r);
        } catch (ApiException.InvalidInput e) {
            return e;
        }
    }
}

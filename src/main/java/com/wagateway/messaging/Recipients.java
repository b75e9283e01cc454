package com.wagateway.messaging;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.ValidationResult;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.wagateway.services.ApiException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the {@code to} field of the send endpoints into a {@link Recipient}. Accepted forms:
 * <ul>
 *   <li>a phone number in international format: digits with an optional leading {@code +};
 *       spaces, dashes, dots and parentheses are ignored ({@code +44 (0)7700 900-123});</li>
 *   <li>a user JID {@code <5–20 digits>@s.whatsapp.net} or the legacy {@code @c.us} spelling;</li>
 *   <li>a LID {@code <5–20 digits>@lid};</li>
 *   <li>a group {@code <digits>@g.us} or legacy {@code <digits>-<digits>@g.us}.</li>
 * </ul>
 * Everything else (device JIDs {@code 1555…:12@s.whatsapp.net}, {@code status@broadcast},
 * newsletters, other servers, inner whitespace) is refused with 400 {@code invalid_recipient},
 * field {@code to}, before anything reaches the engine.
 */
public final class Recipients {

    static final int MAX_LENGTH = 100;
    private static final String USER_SERVER = "s.whatsapp.net";

    private static final Pattern USER_JID = Pattern.compile("([0-9]{5,20})@(s\\.whatsapp\\.net|c\\.us)");
    private static final Pattern LID_JID = Pattern.compile("([0-9]{5,20})@lid");
    private static final Pattern GROUP_JID = Pattern.compile("[0-9]{5,20}(-[0-9]{5,20})?@g\\.us");
    /** What a phone number may contain before the separators are stripped. */
    private static final Pattern PHONE_CHARS = Pattern.compile("\\+?[0-9 ().\\-]+");
    private static final Pattern SEPARATORS = Pattern.compile("[ ().\\-]");

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private Recipients() {
    }

    /**
     * Validates and normalizes {@code to}. Guarantees: the returned JID has exactly one of the
     * accepted shapes above, in lower case, with {@code @c.us} rewritten to {@code @s.whatsapp.net};
     * a phone number is one libphonenumber considers possible (valid country code, plausible
     * length), written as E.164 digits. Possible rather than valid on purpose: WhatsApp test and
     * sandbox numbers (555 numbers, Ofcom drama ranges) are not "valid" yet must be usable.
     *
     * @throws ApiException.InvalidInput {@code invalid_recipient}, field {@code to}
     */
    public static Recipient parse(String to) {
        if (to == null || to.isBlank()) {
            throw refuse("to is required");
        }
        String value = to.strip();
        if (value.length() > MAX_LENGTH) {
            throw refuse("to is longer than " + MAX_LENGTH + " characters");
        }
        return value.indexOf('@') >= 0 ? parseJid(value) : parsePhone(value);
    }

    /** The JID forms; whatever does not match one of them exactly is refused with a hint. */
    private static Recipient parseJid(String value) {
        String jid = value.toLowerCase(Locale.ROOT);
        Matcher user = USER_JID.matcher(jid);
        if (user.matches()) {
            return new Recipient(user.group(1) + "@" + USER_SERVER, user.group(1), false);
        }
        if (LID_JID.matcher(jid).matches()) {
            return new Recipient(jid, null, false);
        }
        if (GROUP_JID.matcher(jid).matches()) {
            return new Recipient(jid, null, true);
        }
        throw refuse(jidProblem(jid));
    }

    /** Explains why a JID-looking value was refused, most specific reason first. */
    private static String jidProblem(String jid) {
        if (jid.chars().anyMatch(Character::isWhitespace)) {
            return "to must not contain whitespace inside a JID";
        }
        if (jid.equals("status@broadcast") || jid.endsWith("@broadcast")) {
            return "status and broadcast lists cannot be a recipient";
        }
        int at = jid.lastIndexOf('@');
        String user = jid.substring(0, at);
        String server = jid.substring(at + 1);
        if (user.indexOf(':') >= 0) {
            return "to must be a user JID without a device part (drop the ':<device>' before '@')";
        }
        if (!server.equals(USER_SERVER) && !server.equals("c.us") && !server.equals("lid") && !server.equals("g.us")) {
            return "to must be a phone number or a JID ending in @s.whatsapp.net, @lid or @g.us";
        }
        return "the part before '@' must be 5 to 20 digits (groups: <digits> or <digits>-<digits>)";
    }

    /** A phone number in international format, checked by libphonenumber. */
    private static Recipient parsePhone(String value) {
        if (!PHONE_CHARS.matcher(value).matches()) {
            throw refuse("to must be a phone number in international format (digits, optional leading +) or a WhatsApp JID");
        }
        String digits = SEPARATORS.matcher(value.startsWith("+") ? value.substring(1) : value).replaceAll("");
        if (digits.isEmpty()) {
            throw refuse("to must contain the phone number's digits");
        }
        if (digits.charAt(0) == '0') {
            throw refuse("to is not an international number; use the international format with country code (e.g. 15551234567)");
        }
        PhoneNumber number;
        try {
            number = PHONES.parse("+" + digits, "ZZ");
        } catch (NumberParseException e) {
            throw refuse("to is not a phone number: " + parseProblem(e.getErrorType()));
        }
        ValidationResult result = PHONES.isPossibleNumberWithReason(number);
        if (result != ValidationResult.IS_POSSIBLE) {
            throw refuse("to is not a possible phone number: " + possibleProblem(result));
        }
        String e164 = PHONES.format(number, PhoneNumberFormat.E164).substring(1);
        return new Recipient(e164 + "@" + USER_SERVER, e164, false);
    }

    private static String parseProblem(NumberParseException.ErrorType type) {
        switch (type) {
            case INVALID_COUNTRY_CODE:
                return "unknown country code; use the international format with country code";
            case TOO_SHORT_NSN:
            case TOO_SHORT_AFTER_IDD:
                return "too short";
            case TOO_LONG:
                return "too long";
            default:
                return "use the international format with country code";
        }
    }

    private static String possibleProblem(ValidationResult result) {
        switch (result) {
            case INVALID_COUNTRY_CODE:
                return "unknown country code";
            case TOO_SHORT:
                return "too short for its country";
            case TOO_LONG:
                return "too long for its country";
            default:
                return "wrong length for its country";
        }
    }

    private static ApiException.InvalidInput refuse(String message) {
        return new ApiException.InvalidInput("invalid_recipient", "to", message);
    }
}

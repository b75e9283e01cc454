package com.wagateway.services;

import java.util.regex.Pattern;

/**
 * The one rule for a phone number the API accepts: international format, the country code
 * first, 7 to 15 digits (E.164), no leading 0. A leading {@code +} and the spaces, dashes, dots
 * and parentheses people type are dropped first, so {@code +92 300-1234567} is
 * {@code 923001234567}.
 */
public final class PhoneNumbers {

    private static final Pattern E164_DIGITS = Pattern.compile("^[1-9][0-9]{6,14}$");
    private static final Pattern TYPED = Pattern.compile("[\\s().-]");

    private PhoneNumbers() {
    }

    /** The digits of a valid number, or null when {@code raw} is not one. */
    public static String digitsOrNull(String raw) {
        if (raw == null) {
            return null;
        }
        String s = TYPED.matcher(raw.strip()).replaceAll("");
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        return E164_DIGITS.matcher(s).matches() ? s : null;
    }

    /** The digits of a valid number; 400 {@code invalid_phone} on {@code field} otherwise. */
    public static String require(String raw, String field) {
        String digits = digitsOrNull(raw);
        if (digits == null) {
            throw new ApiException.InvalidInput("invalid_phone", field,
                    field + " must be a phone number in international format: country code and number, 7-15 digits (e.g. 923001234567)");
        }
        return digits;
    }
}

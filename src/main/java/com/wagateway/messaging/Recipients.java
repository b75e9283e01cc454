package com.wagateway.messaging;

import com.wagateway.services.ApiException;
import java.util.regex.Pattern;

/** TEMPORARY minimal parser until the media branch (libphonenumber validation) is merged. */
public final class Recipients {

    private static final Pattern DIGITS = Pattern.compile("^[1-9][0-9]{5,19}$");

    private Recipients() {
    }

    public static Recipient parse(String to) {
        if (to == null || to.isBlank()) {
            throw new ApiException.InvalidInput("invalid_recipient", "to", "to is required");
        }
        if (to.endsWith("@g.us")) {
            return new Recipient(to, null, true);
        }
        String digits = to.endsWith("@s.whatsapp.net") ? to.substring(0, to.indexOf('@')) : to.replaceAll("[\\s+().-]", "");
        if (!DIGITS.matcher(digits).matches()) {
            throw new ApiException.InvalidInput("invalid_recipient", "to", "to must be a phone number in international format");
        }
        return new Recipient(digits + "@s.whatsapp.net", digits, false);
    }
}

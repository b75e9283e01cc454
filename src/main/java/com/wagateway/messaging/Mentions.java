package com.wagateway.messaging;

import com.wagateway.services.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The {@code mentions} of a text or caption: phone numbers (or user JIDs) of people to @-mention,
 * which WhatsApp highlights in groups. Each is parsed like a recipient ({@link Recipients}), so
 * the same number written twice is mentioned once; a group or more than {@link #MAX} are refused.
 */
final class Mentions {

    /** WhatsApp groups hold at most 1024 members. */
    static final int MAX = 1024;

    private Mentions() {
    }

    /** The mentioned users' JIDs in request order without repeats; empty for null or []. */
    static List<String> parse(List<String> mentions) {
        if (mentions == null || mentions.isEmpty()) {
            return List.of();
        }
        if (mentions.size() > MAX) {
            throw refuse("mentions can name at most " + MAX + " people");
        }
        LinkedHashSet<String> jids = new LinkedHashSet<>();
        for (String m : mentions) {
            Recipient r;
            try {
                r = Recipients.parse(m);
            } catch (ApiException.InvalidInput e) {
                throw refuse("mention '" + m + "': " + e.getMessage().replace("to ", "a mention "));
            }
            if (r.group()) {
                throw refuse("a mention must be a person (phone number), not a group");
            }
            jids.add(r.jid());
        }
        return new ArrayList<>(jids);
    }

    private static ApiException.InvalidInput refuse(String message) {
        return new ApiException.InvalidInput("invalid_mentions", "mentions", message);
    }
}

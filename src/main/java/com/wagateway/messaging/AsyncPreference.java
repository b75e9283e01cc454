package com.wagateway.messaging;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.Locale;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * RFC 7240's {@code Prefer: respond-async} on the send endpoints (issue 18): a client that asks
 * for it is answered {@code 202 queued} as soon as its message is committed, with
 * {@code Preference-Applied: respond-async}, instead of after WhatsApp's server ack (up to
 * {@code SEND_WAIT}). Every guarantee of a send stays: stored before sent, the same
 * {@code client_message_id} never a second message, order per chat; the outcome follows by
 * webhook, realtime and {@code GET /api/connections/{id}/messages/{client_message_id}}. Read from
 * the current servlet request, so every send endpoint honours it through
 * {@link SendService#submit} without a parameter of its own; outside a request (none) it is off.
 */
final class AsyncPreference {

    static final String PREFER = "Prefer";
    static final String APPLIED = "Preference-Applied";
    static final String RESPOND_ASYNC = "respond-async";

    private AsyncPreference() {
    }

    /** Whether the current request's {@code Prefer} headers name {@code respond-async} (case-insensitive). */
    static boolean requested() {
        HttpServletRequest request = request();
        if (request == null) {
            return false;
        }
        for (String header : Collections.list(request.getHeaders(PREFER))) {
            for (String preference : header.split(",")) {
                // a preference is a token, optionally "=value" and ";parameters"
                String token = preference.split("[;=]", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (RESPOND_ASYNC.equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Tells the client its preference was honoured (RFC 7240 section 3). */
    static void applied() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes s) {
            HttpServletResponse response = s.getResponse();
            if (response != null) {
                response.setHeader(APPLIED, RESPOND_ASYNC);
            }
        }
    }

    private static HttpServletRequest request() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes s ? s.getRequest() : null;
    }
}

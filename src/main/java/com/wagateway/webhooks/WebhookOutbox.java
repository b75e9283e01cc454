package com.wagateway.webhooks;

import java.util.List;
import org.springframework.stereotype.Component;

/** PLACEHOLDER until the webhooks branch is merged (it replaces this file with the real outbox). */
@Component
public class WebhookOutbox {

    /** Joins the caller's transaction; returns how many events were queued. */
    public int enqueue(List<WebhookEvent> events) {
        return 0;
    }
}

package com.wagateway.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Publishes messaging events after their commit. Listeners (realtime, tests) run synchronously;
 * a failing listener is logged and never turns a stored message into a failed request or an
 * unapplied engine event — the database already holds the truth.
 */
@Component
class Publisher {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    private final ApplicationEventPublisher events;

    Publisher(ApplicationEventPublisher events) {
        this.events = events;
    }

    void publish(Object event) {
        try {
            events.publishEvent(event);
        } catch (RuntimeException e) {
            log.warn("a listener of {} failed: {}", event.getClass().getSimpleName(), e.toString());
        }
    }
}

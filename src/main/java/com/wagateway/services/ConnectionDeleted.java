package com.wagateway.services;

import java.util.UUID;

/**
 * Published (Spring application event) after a connection's row is deleted. Whoever keeps
 * something keyed by the connection id (owner caches, realtime subscriptions) drops it here, so
 * the same id created again later, possibly by another user, starts with nothing of the old one.
 */
public record ConnectionDeleted(String connectionId, UUID ownerId) {
}

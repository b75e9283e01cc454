package com.wagateway.services;

import com.wagateway.database.ConnectionRow;

/**
 * Published (Spring application event) after a connection's new state is committed. Carries the
 * row as stored; consumers (status waiters, later realtime and webhooks) read it, never mutate it.
 */
public record ConnectionStatusChanged(ConnectionRow connection) {
}

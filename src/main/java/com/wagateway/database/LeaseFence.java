package com.wagateway.database;

/**
 * Proof of ownership a status write carries: the node that holds the connection's lease and the
 * epoch it got when it took it. A write with a fence lands only while the lease still shows both
 * and has not expired (checked in the same statement), so a node that lost its lease (paused
 * JVM, database unreachable, taken over) can never overwrite the new owner's state.
 */
public record LeaseFence(String nodeId, long epoch) {
}

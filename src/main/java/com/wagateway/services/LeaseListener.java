package com.wagateway.services;

import java.util.List;

/**
 * Told by {@link ConnectionLeases} when this node starts or stops owning connections (issue 17).
 * Called on the lease thread, never under a connection lock.
 */
public interface LeaseListener {

    /** This node now owns these connections (each with a new epoch): start their sockets. */
    void onLeasesGained(List<String> connectionIds);

    /**
     * This node no longer owns this connection (taken over, handed back, renewal overdue): close
     * its socket before returning (bounded), and write nothing about it any more.
     */
    void onLeaseLost(String connectionId);
}

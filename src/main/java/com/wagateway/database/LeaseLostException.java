package com.wagateway.database;

/**
 * A write carrying a {@link LeaseFence} that no longer holds: another node took the connection
 * over (or this node never held it). Nothing was written.
 */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(String connectionId) {
        super("[" + connectionId + "] this node no longer holds the connection's lease; write refused");
    }
}

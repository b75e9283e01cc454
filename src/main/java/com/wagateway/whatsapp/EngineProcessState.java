package com.wagateway.whatsapp;

/**
 * What the node knows about one of its engine processes, for health, metrics and tests.
 *
 * @param index       its place in the pool (0 … ENGINE_PROCESSES-1); connections map to it by {@link EngineShare#indexOf}
 * @param pid         its operating-system process id, -1 while none runs
 * @param up          true once it completed its handshake, until it exits
 * @param restarts    how often it was started again after its first start
 * @param connections connections whose socket it holds (started and not stopped since)
 */
public record EngineProcessState(int index, long pid, boolean up, int restarts, int connections) {
}

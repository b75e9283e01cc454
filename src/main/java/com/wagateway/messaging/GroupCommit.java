package com.wagateway.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Group commit for work that many request threads hand in at once: items that arrive while a
 * batch is being written wait and go together in the next batch, written by one of the waiting
 * threads (the first to find nobody writing). So under load many requests share one statement and
 * one commit, and a lone request is written at once — no timer, no added delay, no thread of its
 * own.
 *
 * <p>Guarantees:
 * <ul>
 * <li>{@link #submit} returns only after the batch holding the item was written (for a database
 *     write: committed, so durable) and returns that item's own result;</li>
 * <li>items are written in the order they were submitted (a batch is a prefix of the queue), and at
 *     most one batch is written at a time;</li>
 * <li>a batch that fails fails every item in it with that error (the writer is expected to be
 *     all-or-nothing, e.g. one statement), so no item is reported written that was not; the caller
 *     decides whether to retry its item alone;</li>
 * <li>at most {@code maxBatch} items per batch; the rest wait for the next one.</li>
 * </ul>
 *
 * @param <I> an item to write
 * @param <O> what writing one item gives back
 */
public final class GroupCommit<I, O> {

    private final Function<List<I>, List<O>> writeAll;
    private final int maxBatch;
    private final Object lock = new Object();
    private final List<Pending<I, O>> queue = new ArrayList<>();
    private boolean writing;
    private long batches;
    private long items;

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }

    /**
     * @param writeAll writes a batch and returns one result per item, in the same order (it runs on
     *                 a submitting thread; it must be all-or-nothing)
     * @param maxBatch most items written together
     */
    public GroupCommit(Function<List<I>, List<O>> writeAll, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.writeAll = writeAll;
        this.maxBatch = maxBatch;
    }

    /**
     * Writes {@code item} together with whatever else is waiting and returns its result, or throws
     * the batch's error (a {@link RuntimeException}, as thrown by the writer).
     */
    public O submit(I item) {
        Pending<I, O> mine = new Pending<>(item, new CompletableFuture<>());
        synchronized (lock) {
            queue.add(mine);
        }
        // write batches until ours is done: either we write it, or another thread did meanwhile
        boolean interrupted = false;
        while (!mine.result().isDone()) {
            List<Pending<I, O>> batch = takeBatchIfNobodyWrites();
            if (batch == null) {
                interrupted |= waitForWriter(mine);
                continue;
            }
            try {
                write(batch);
            } finally {
                synchronized (lock) {
                    writing = false;
                    lock.notifyAll();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            return mine.result().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Items handed in and not yet taken into a batch (tests wait on this instead of sleeping). */
    public int waiting() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Batches written so far and the items in them (for the benchmark's and tests' evidence). */
    public long[] counts() {
        synchronized (lock) {
            return new long[] {batches, items};
        }
    }

    private List<Pending<I, O>> takeBatchIfNobodyWrites() {
        synchronized (lock) {
            if (writing || queue.isEmpty()) {
                return null;
            }
            writing = true;
            List<Pending<I, O>> head = queue.subList(0, Math.min(maxBatch, queue.size()));
            List<Pending<I, O>> batch = new ArrayList<>(head);
            head.clear();
            batches++;
            items += batch.size();
            return batch;
        }
    }

    /**
     * Parks until the current writer finishes (or our item is done); wakes on every batch end.
     * Returns whether the thread was interrupted meanwhile: the item may be in a batch being
     * written, and only waiting for it reports its outcome truthfully, so the interrupt is
     * remembered (and restored by {@link #submit}) instead of ending the wait.
     */
    private boolean waitForWriter(Pending<I, O> mine) {
        boolean interrupted = false;
        synchronized (lock) {
            while (writing && !mine.result().isDone()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }

    private void write(List<Pending<I, O>> batch) {
        List<O> results;
        try {
            results = writeAll.apply(batch.stream().map(Pending::item).toList());
            if (results.size() != batch.size()) {
                throw new IllegalStateException("a group write returned " + results.size() + " results for " + batch.size() + " items");
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }
}

package com.wagateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupCommit}: items handed in while a batch is being written go together in the next
 * one, each caller gets its own result only after its batch was written, a failing batch fails
 * every caller in it (and nobody else), and batches keep the order of submission.
 */
class GroupCommitTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(12);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Waits (bounded) until {@code n} items queue behind the batch being written: the positive signal. */
    private static void awaitWaiting(GroupCommit<?, ?> g, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (g.waiting() < n) {
            assertThat(System.nanoTime()).as("items queued behind the writer").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void itemsArrivingDuringAWriteShareTheNextBatchAndEachGetsItsOwnResult() throws Exception {
        CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, String> g = new GroupCommit<>(items -> {
            batches.add(items);
            if (batches.size() == 1) {
                await(firstWriteMayEnd);
            }
            return items.stream().map(i -> "stored " + i).toList();
        }, 100);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> g.submit(0), pool);
        while (batches.isEmpty()) {
            Thread.sleep(5);
        }
        List<CompletableFuture<String>> later = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            int item = i;
            later.add(CompletableFuture.supplyAsync(() -> g.submit(item), pool));
        }
        awaitWaiting(g, 10);
        assertThat(first).isNotDone(); // answered only after its batch was written
        firstWriteMayEnd.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("stored 0");
        for (int i = 1; i <= 10; i++) {
            assertThat(later.get(i - 1).get(30, TimeUnit.SECONDS)).isEqualTo("stored " + i);
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(g.counts()).containsExactly(2, 11);
    }

    @Test
    void aFailingBatchFailsEveryItemInItAndOnlyThose() throws Exception {
        CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, Integer> g = new GroupCommit<>(items -> {
            batches.add(items);
            if (batches.size() == 1) {
                await(firstWriteMayEnd);
                return items;
            }
            if (batches.size() == 2) {
                throw new IllegalStateException("the statement failed");
            }
            return items;
        }, 100);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> g.submit(0), pool);
        while (batches.isEmpty()) {
            Thread.sleep(5);
        }
        List<CompletableFuture<Integer>> failing = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int item = i;
            failing.add(CompletableFuture.supplyAsync(() -> g.submit(item), pool));
        }
        awaitWaiting(g, 5);
        firstWriteMayEnd.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isZero();
        for (CompletableFuture<Integer> f : failing) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the statement failed");
        }
        // the next item is written in a batch of its own, unharmed
        assertThat(g.submit(42)).isEqualTo(42);
        assertThat(batches).hasSize(3);
        assertThat(batches.get(2)).containsExactly(42);
    }

    @Test
    void batchesAreCappedAndKeepTheOrderOfSubmission() throws Exception {
        CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, Integer> g = new GroupCommit<>(items -> {
            batches.add(items);
            if (batches.size() == 1) {
                await(firstWriteMayEnd);
            }
            return items;
        }, 3);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> g.submit(0), pool);
        while (batches.isEmpty()) {
            Thread.sleep(5);
        }
        // handed in one after the other (each queued before the next starts), so their order is known
        List<CompletableFuture<Integer>> rest = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            int item = i;
            rest.add(CompletableFuture.supplyAsync(() -> g.submit(item), pool));
            awaitWaiting(g, i);
        }
        firstWriteMayEnd.countDown();
        first.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Integer> f : rest) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isLessThanOrEqualTo(3));
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

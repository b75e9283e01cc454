package com.wagateway.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.JsonNode;

/**
 * The confirm tokens of messages reported before their receipt (hello {@code holdReceipts}): a
 * token goes back to the process that wrote it only after every listener handled its event, never
 * while the store is failing, and never when the dispatcher gives up (shutdown during an outage),
 * so WhatsApp sends those messages again. (End to end: emulator-engine-receipt-hold.test.js and
 * ClusterFailoverIntegrationTest.)
 */
class EventDispatcherConfirmTest {

    @Test
    void tokensGoBackOnlyAfterTheEventsAreStoredAndToTheProcessThatWroteThem() throws Exception {
        AtomicBoolean databaseDown = new AtomicBoolean(true);
        CountDownLatch attempted = new CountDownLatch(3);
        List<String> stored = new CopyOnWriteArrayList<>();
        List<String> confirmedA = new CopyOnWriteArrayList<>();
        List<String> confirmedB = new CopyOnWriteArrayList<>();
        CountDownLatch confirmed = new CountDownLatch(2);
        EventDispatcher dispatcher = dispatcher(event -> {
            attempted.countDown();
            if (databaseDown.get()) {
                throw new EventDispatcherBackpressureTest.Unreachable();
            }
            stored.add(((EngineEvent.MessagesUpserted) event).messages().get(0).id());
        });
        List<Boolean> storedWhenConfirmed = new CopyOnWriteArrayList<>();
        InboundConfirmations a = tokens -> {
            storedWhenConfirmed.add(stored.contains("m1"));
            confirmedA.addAll(tokens);
            confirmed.countDown();
        };
        InboundConfirmations b = tokens -> {
            confirmedB.addAll(tokens);
            confirmed.countDown();
        };
        try {
            dispatcher.submit(a, line("m1", "i1"));
            assertThat(attempted.await(10, TimeUnit.SECONDS)).as("the store was tried and failed three times").isTrue();
            assertThat(confirmedA).as("nothing confirmed while the store fails").isEmpty();
            dispatcher.submit(b, line("m2", "i1"));
            databaseDown.set(false);
            assertThat(confirmed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(stored).containsExactly("m1", "m2");
            assertThat(confirmedA).containsExactly("i1");
            assertThat(storedWhenConfirmed).as("stored before its token went back").containsExactly(true);
            assertThat(confirmedB).as("each process gets its own tokens back").containsExactly("i1");
        } finally {
            databaseDown.set(false);
            dispatcher.stop();
        }
    }

    @Test
    void aDispatcherStoppedDuringAnOutageConfirmsNothing() throws Exception {
        CountDownLatch attempted = new CountDownLatch(1);
        List<String> confirmedTokens = new CopyOnWriteArrayList<>();
        EventDispatcher dispatcher = dispatcher(event -> {
            attempted.countDown();
            throw new EventDispatcherBackpressureTest.Unreachable();
        });
        dispatcher.submit(confirmedTokens::addAll, line("m1", "i7"));
        assertThat(attempted.await(10, TimeUnit.SECONDS)).isTrue();
        dispatcher.stop(); // gives up on the held event (logged "not stored")
        assertThat(confirmedTokens).isEmpty();
    }

    private static EventDispatcher dispatcher(java.util.function.Consumer<EngineEvent> onEvent) {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("listener", new EngineListener() {
            @Override
            public void onEvent(EngineEvent event) {
                onEvent.accept(event);
            }
        });
        return new EventDispatcher(beans.getBeanProvider(EngineListener.class), e -> e instanceof EventDispatcherBackpressureTest.Unreachable);
    }

    /** A messages.upsert of one message, reported before its receipt with this token. */
    private static JsonNode line(String id, String token) {
        return EventDispatcherBackpressureTest.JSON.readTree("""
                {"type":"event","event":"messages.upsert","connectionId":"c1","data":{"type":"notify","confirm":"%s",
                 "messages":[{"key":{"id":"%s","remoteJid":"923001112233@s.whatsapp.net","fromMe":false},"message":{"conversation":"hi"}}]}}
                """.formatted(token, id));
    }
}

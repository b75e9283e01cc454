package com.wagateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark at tiny sizes, so the command cannot rot. It checks that every scenario ran and
 * counted what it should (all messages stored, one send for one id, every event delivered, every
 * connection back after the restart, memory taken at each checkpoint) — never how fast: speed is measured by bench/run, not asserted.
 */
class BenchmarkSmokeTest {

    @Test
    void everyScenarioRunsAndWritesItsResults() throws Exception {
        BenchConfig c = BenchConfig.smoke();
        Map<String, Object> results = Benchmark.run(c);
        JsonNode r = JsonMapper.builder().build().readTree(Files.readString(c.out().resolve("results.json")));
        assertThat(Files.readString(c.out().resolve("results.md"))).contains("| inbound |", "| send API |", "| webhooks |");
        assertThat(r.path("inbound").path("stored").asInt()).isEqualTo(r.path("inbound").path("messages").asInt());
        assertThat(r.path("inbound").path("baseline_batched_insert_per_second").asDouble()).isPositive();
        assertThat(r.path("inbound").path("rounds").size()).isEqualTo(c.runs());
        assertThat(r.path("inbound").path("with_over_without_webhooks_median").asDouble()).isPositive();
        // each flood's JIT compile time, which tells a warm round from one still compiling
        r.path("inbound").path("rounds").forEach(x -> assertThat(x.path("with_webhooks_jit_ms").isIntegralNumber()
                && x.path("without_webhooks_jit_ms").isIntegralNumber()).as(x.toString()).isTrue());
        // the send API at saturation, then at 50 % and 80 % of it (offered loads derived from the same run)
        for (String load : java.util.List.of("at_50_percent", "at_80_percent")) {
            JsonNode o = r.path("send_api").path(load);
            assertThat(o.path("offered_per_second").asInt()).as(load).isPositive();
            assertThat(o.path("ok").asInt()).as(load).isEqualTo(o.path("requests").asInt()).isPositive();
        }
        assertThat(r.path("send_api").path("at_80_percent").path("offered_per_second").asInt())
                .isGreaterThanOrEqualTo(r.path("send_api").path("at_50_percent").path("offered_per_second").asInt());
        assertThat(r.path("send_api").path("saturation").path("errors").asInt()).isZero();
        // the same loads answered at the commit (Prefer: respond-async): every message then sent
        JsonNode async = r.path("send_api").path("respond_async");
        assertThat(async.path("saturation").path("errors").asInt()).isZero();
        assertThat(async.path("at_50_percent").path("ok").asInt()).isEqualTo(async.path("at_50_percent").path("requests").asInt()).isPositive();
        assertThat(r.path("send_api").path("queued_after_run").asInt()).isZero();
        assertThat(r.path("idempotency").path("rows").asInt()).isEqualTo(1);
        assertThat(r.path("idempotency").path("whatsapp_sends").asInt()).isEqualTo(1);
        assertThat(r.path("webhooks").path("delivered_per_second").asDouble()).isPositive();
        assertThat(r.path("webhooks").path("backlog_drain_seconds").asDouble()).isPositive();
        for (int rate : WebhookScenario.STEADY_RATES) {
            JsonNode st = r.path("webhooks").path("steady_" + rate + "_per_second");
            assertThat(st.path("latency").path("count").asInt()).as("steady %d", rate).isEqualTo(st.path("events").asInt()).isPositive();
        }
        assertThat(r.path("connections").path("ready_after_restart").asLong())
                .isEqualTo(r.path("connections").path("ready_connections_before_restart").asLong());
        // inbound with media: every message stored and every image's file stored, in each flood
        // (distinct content: one file per image), with memory sampled from start to end
        JsonNode media = r.path("inbound_media");
        for (String flood : java.util.List.of("text_only", "with_media", "with_media_long")) {
            JsonNode f = media.path(flood);
            assertThat(f.path("stored").asInt()).as(flood).isEqualTo(f.path("messages").asInt()).isPositive();
            assertThat(f.path("media_stored").asInt()).as(flood).isEqualTo(f.path("images").asInt());
            assertThat(f.path("media_stored_in_database").asInt()).as(flood).isEqualTo(f.path("images").asInt());
            assertThat(f.path("memory").path("samples").asInt()).as(flood).isGreaterThanOrEqualTo(2);
            assertThat(f.path("memory").path("jvm_rss_mb").path("peak").asDouble()).as(flood).isPositive();
            assertThat(f.path("memory").path("engine_rss_mb").path("peak").asDouble()).as(flood).isPositive();
            assertThat(f.path("memory").path("emulator_rss_mb").path("peak").asDouble()).as(flood).isPositive();
        }
        assertThat(media.path("text_only").path("images").asInt()).isZero();
        assertThat(media.path("with_media").path("images").asInt()).isEqualTo(MediaInboundScenario.images(20, 30) * 2);
        assertThat(media.path("with_media_long").path("images").asInt()).isEqualTo(MediaInboundScenario.images(40, 30) * 2);
        assertThat(media.path("stored_files_distinct_sha256").asInt())
                .isEqualTo(media.path("with_media").path("images").asInt() + media.path("with_media_long").path("images").asInt());
        assertThat(Files.readString(c.out().resolve("results.md"))).contains("| inbound media |");
        assertThat(results).containsKeys("machine", "config");
        // engine pool: the same flood through 1 and 2 engine processes, every message stored in both
        JsonNode pool = r.path("engine_pool");
        assertThat(pool.path("one_process").path("stored").asInt()).isEqualTo(pool.path("messages").asInt()).isPositive();
        assertThat(pool.path("two_processes").path("stored").asInt()).isEqualTo(pool.path("messages").asInt());
        assertThat(pool.path("two_processes").path("processes").asInt()).isEqualTo(2);
        assertThat(Files.readString(c.out().resolve("results.md"))).contains("| engine pool |");
        // cluster (one connection per gateway JVM): the flood through one JVM and through two is stored whole; the
        // killed node's connection moved
        JsonNode cluster = r.path("cluster");
        for (String n : java.util.List.of("one_node", "two_nodes")) {
            assertThat(cluster.path(n).path("messages").asInt()).as(n + ": every message sent is stored")
                    .isEqualTo(cluster.path(n).path("sent").asInt()).isPositive();
        }
        assertThat(cluster.path("two_nodes").path("connections").asInt()).isEqualTo(2 * cluster.path("one_node").path("connections").asInt());
        assertThat(cluster.path("failover").path("ready_elsewhere").asInt())
                .isEqualTo(cluster.path("failover").path("connections_moved").asInt()).isPositive();
        assertThat(Files.readString(c.out().resolve("results.md"))).contains("| cluster |");
        // on the real socket against a standalone emulator, with memory taken at each checkpoint
        assertThat(r.path("socket").asString()).isEqualTo("emulator");
        JsonNode memory = r.path("connections").path("memory");
        assertThat(memory.size()).isEqualTo(c.memoryAt().size());
        for (JsonNode m : memory) {
            assertThat(m.path("engine_heap_used_mb").asDouble()).isPositive();
            assertThat(m.path("engine_heap_limit_mb").asDouble()).isGreaterThan(m.path("engine_heap_used_mb").asDouble());
            assertThat(m.path("engine_rss_mb_total").asDouble()).isPositive();
            assertThat(m.path("emulator_rss_mb_total").asDouble()).isPositive();
        }
    }
}

package com.wagateway.bench;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The one-screen summary and the markdown table of a run (what docs/benchmarks.md records). */
final class BenchReport {

    private BenchReport() {
    }

    static String summary(Map<String, Object> results) {
        return markdown(JsonMapper.builder().build().valueToTree(results));
    }

    static String markdown(JsonNode r) {
        JsonNode in = r.path("inbound");
        JsonNode send = r.path("send_api");
        JsonNode wh = r.path("webhooks");
        JsonNode conn = r.path("connections");
        JsonNode idem = r.path("idempotency");
        StringBuilder b = new StringBuilder();
        b.append("Sandbox socket: ").append(r.path("socket").asString("simulated")).append("\n\n");
        b.append("| scenario | measure | result | target |\n|---|---|---|---|\n");
        row(b, "inbound", in.path("messages").asInt() + " msgs over " + in.path("connections").asInt()
                + " connections, webhooks delivered meanwhile: messages/s end to end", in.path("messages_per_second").asString(), ">= 10,000");
        row(b, "inbound", "latency p50 / p99 (emission -> stored + webhook queued)",
                in.path("latency").path("p50_ms").asString() + " / " + in.path("latency").path("p99_ms").asString() + " ms", "");
        row(b, "inbound", "webhooks received by a loopback receiver: count, seconds from first emission",
                in.path("webhooks_delivered").asString() + ", " + in.path("webhooks_all_delivered_seconds").asString() + " s", "");
        row(b, "inbound", "without webhooks (pipeline alone): messages/s, p50 / p99 ms, ratio to baseline",
                in.path("without_webhooks_messages_per_second").asString() + ", "
                        + in.path("without_webhooks_latency").path("p50_ms").asString() + " / "
                        + in.path("without_webhooks_latency").path("p99_ms").asString() + " ms, "
                        + in.path("without_webhooks_ratio_to_baseline").asString(), "");
        row(b, "inbound", "with webhooks / without webhooks (messages/s, same run)",
                in.path("with_over_without_webhooks").asString(), ">= 0.8");
        StringBuilder each = new StringBuilder();
        in.path("rounds").forEach(x -> each.append(each.isEmpty() ? "" : ", ").append(x.path("with_over_without_webhooks").asString()));
        row(b, "inbound", "with / without webhooks, median of " + in.path("rounds").size() + " rounds (each round's ratio)",
                in.path("with_over_without_webhooks_median").asString() + " (" + each + ")", ">= 0.8");
        row(b, "inbound", "baseline: batched JDBC insert, rows/s", in.path("baseline_batched_insert_per_second").asString(), "");
        row(b, "inbound", "ratio to baseline", in.path("ratio_to_baseline").asString(), ">= 0.5");
        media(b, r.path("inbound_media"));
        sendRows(b, "send API", send);
        if (send.has("respond_async")) {
            sendRows(b, "send API", send.path("respond_async"));
        }
        row(b, "webhooks", wh.path("events").asInt() + " events to a loopback receiver: delivered/s",
                wh.path("delivered_per_second").asString(), ">= 3,000");
        row(b, "webhooks", "backlog of " + wh.path("backlog_events").asInt() + " after an outage: seconds to drain",
                wh.path("backlog_drain_seconds").asString(), "");
        for (int rate : WebhookScenario.STEADY_RATES) {
            JsonNode st = wh.path("steady_" + rate + "_per_second");
            row(b, "webhooks", "steady " + rate + " events/s, one per transaction: commit -> received p50 / p99 ms",
                    st.path("latency").path("p50_ms").asString() + " / " + st.path("latency").path("p99_ms").asString(), "");
        }
        row(b, "connections", conn.path("connections").asInt() + " ready: ramp seconds", conn.path("ramp_seconds_all_ready").asString(), "");
        for (JsonNode m : conn.path("memory")) {
            String at = " at " + m.path("connections").asInt() + " connections";
            row(b, "connections", "Java heap KB / connection (after GC)" + at, m.path("java_heap_kb_per_connection").asString(), "small");
            row(b, "connections", "engine RSS KB / connection" + at + " (engine total MB)",
                    m.path("engine_rss_kb_per_connection").asString() + " (" + m.path("engine_rss_mb_total").asString() + ")", "small");
            row(b, "connections", "engine V8 heap in use / limit MB" + at,
                    m.path("engine_heap_used_mb").asString() + " / " + m.path("engine_heap_limit_mb").asString(), "");
            if (m.has("emulator_rss_kb_per_connection")) {
                row(b, "connections", "emulator RSS KB / connection" + at + ", not the gateway's (emulator total MB)",
                        m.path("emulator_rss_kb_per_connection").asString() + " (" + m.path("emulator_rss_mb_total").asString() + ")", "");
            }
        }
        row(b, "connections", "service restart until all ready (RESTORE_PER_SECOND=" + conn.path("restore_per_second").asString()
                + "), seconds", conn.path("restart_seconds_until_all_ready").asString(),
                "<= 60 s for 5,000");
        JsonNode pool = r.path("engine_pool");
        row(b, "engine pool", pool.path("messages").asInt() + " inbound msgs over " + pool.path("connections").asInt()
                        + " connections (Signal decrypt in the engine): messages/s with 1 / 2 engine processes, ratio",
                pool.path("one_process").path("messages_per_second").asString() + " / "
                        + pool.path("two_processes").path("messages_per_second").asString() + ", x"
                        + pool.path("ratio_two_over_one").asString(), "> 1 with >= 2 free cores");
        JsonNode cl = r.path("cluster");
        row(b, "cluster", "gateway JVMs 1 / 2: connections, inbound messages/s (" + cl.path("one_node").path("messages").asInt()
                        + " / " + cl.path("two_nodes").path("messages").asInt() + " msgs), ratio",
                cl.path("one_node").path("connections").asInt() + " / " + cl.path("two_nodes").path("connections").asInt()
                        + " connections, " + cl.path("one_node").path("messages_per_second").asString() + " / "
                        + cl.path("two_nodes").path("messages_per_second").asString() + " msg/s, x"
                        + cl.path("inbound_ratio_two_over_one").asString(), "> 1 with free cores");
        JsonNode fo = cl.path("failover");
        row(b, "cluster", "kill -9 of a node: " + fo.path("ready_elsewhere").asInt() + " of " + fo.path("connections_moved").asInt()
                        + " connections ready elsewhere, ms from the kill p50 / p90 / max",
                fo.path("p50_ms").asString() + " / " + fo.path("p90_ms").asString() + " / " + fo.path("max_ms").asString(), "<= 30,000");
        row(b, "idempotency", idem.path("clients").asInt() + " clients, one client_message_id: rows / WhatsApp sends",
                idem.path("rows").asString() + " / " + idem.path("whatsapp_sends").asString(), "1 / 1");
        return withoutMissing(b.toString(), r);
    }

    /**
     * The media scenario's rows: per flood (text-only baseline, with media, the longer flood with
     * media) messages/s and media stored/s, then the resident sets start / peak / end.
     */
    private static void media(StringBuilder b, JsonNode m) {
        String pct = m.path("media_percent").asInt() + " % images of " + m.path("media_bytes").asInt() / 1024 + " KB";
        for (String[] flood : new String[][] {{"text_only", "text only (baseline)"}, {"with_media", pct},
                {"with_media_long", pct + ", " + m.path("long_flood_factor").asInt() + "x longer"}}) {
            JsonNode f = m.path(flood[0]);
            row(b, "inbound media", f.path("messages").asInt() + " msgs, " + flood[1] + ": messages/s, media stored/s (stored / images)",
                    f.path("messages_per_second").asString() + ", " + f.path("media_stored_per_second").asString() + " ("
                            + f.path("media_stored").asInt() + " / " + f.path("images").asInt() + ")", "");
            row(b, "inbound media", f.path("messages").asInt() + " msgs, " + flood[1]
                            + ": latency p50 / p99 to message stored, to file stored",
                    f.path("message_latency").path("p50_ms").asString() + " / " + f.path("message_latency").path("p99_ms").asString()
                            + " ms, " + f.path("media_latency").path("p50_ms").asString() + " / "
                            + f.path("media_latency").path("p99_ms").asString() + " ms", "");
            JsonNode mem = f.path("memory");
            row(b, "inbound media", f.path("messages").asInt() + " msgs, " + flood[1]
                            + ": RSS MB start / peak / end: gateway JVM; engine; emulator; peak media backlog",
                    series(mem.path("jvm_rss_mb")) + "; " + series(mem.path("engine_rss_mb")) + "; "
                            + series(mem.path("emulator_rss_mb")) + "; " + mem.path("media_backlog").path("peak").asString(), "bounded");
        }
        row(b, "inbound media", "messages/s with media / text only", m.path("messages_per_second_ratio_to_text_only").asString(), "");
        JsonNode lo = m.path("long_over_short");
        row(b, "inbound media", "peak RSS, long flood / short flood: JVM, engine, emulator",
                lo.path("jvm_rss_mb_peak_long_over_short").asString() + ", " + lo.path("engine_rss_mb_peak_long_over_short").asString()
                        + ", " + lo.path("emulator_rss_mb_peak_long_over_short").asString(), "~1 (not x" + m.path("long_flood_factor").asInt() + ")");
    }

    private static String series(JsonNode s) {
        return s.path("start").asString() + " / " + s.path("peak").asString() + " / " + s.path("end").asString();
    }

    /** Drops the rows of scenarios this run did not include ({@code --only}). */
    private static String withoutMissing(String table, JsonNode r) {
        Map<String, String> keys = Map.of("inbound", "inbound", "inbound media", "inbound_media", "send API", "send_api",
                "webhooks", "webhooks", "connections", "connections", "idempotency", "idempotency", "engine pool", "engine_pool", "cluster", "cluster");
        StringBuilder out = new StringBuilder();
        for (String line : table.split("\n")) {
            String scenario = line.length() > 2 ? line.substring(2, Math.max(2, line.indexOf(" |", 2))) : "";
            if (!keys.containsKey(scenario) || r.has(keys.get(scenario))) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** The send API's rows for one answer mode (issue 18's three loads and their targets). */
    private static void sendRows(StringBuilder b, String scenario, JsonNode send) {
        String mode = send.has("answer") ? send.path("answer").asString() + ": " : "";
        row(b, scenario, mode + "saturation (" + send.path("saturation_clients").asInt() + " clients), median req/s; messages sent/s",
                send.path("saturation_median_requests_per_second").asString() + "; "
                        + send.path("saturation_sent_per_second_median").asString(), "");
        row(b, scenario, mode + "baseline: trivial authenticated endpoint, median req/s",
                send.path("baseline_median_requests_per_second").asString(), "");
        row(b, scenario, mode + "saturation / trivial endpoint", send.path("ratio_to_baseline").asString(), ">= 0.6");
        for (String[] load : new String[][] {{"at_50_percent", "<= 50 ms"}, {"at_80_percent", "<= 200 ms"}}) {
            JsonNode o = send.path(load[0]);
            row(b, scenario, mode + "offered " + o.path("offered_per_second").asInt() + " req/s ("
                            + load[0].substring(3).replace("_percent", " %")
                            + " of saturation): achieved, p50 / p99 / p999 from scheduled time",
                    o.path("achieved_per_second").asString() + " req/s, " + o.path("latency").path("p50_ms").asString() + " / "
                            + o.path("latency").path("p99_ms").asString() + " / " + o.path("latency").path("p999_ms").asString() + " ms",
                    "p99 " + load[1]);
        }
    }

    private static void row(StringBuilder b, String scenario, String measure, String result, String target) {
        b.append("| ").append(scenario).append(" | ").append(measure).append(" | ").append(result).append(" | ")
                .append(target).append(" |\n");
    }
}

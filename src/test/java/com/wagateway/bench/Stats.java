package com.wagateway.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Latency percentiles (milliseconds) and the median of repeated measurements. */
final class Stats {

    private Stats() {
    }

    /** p50/p99/p999/max of latencies given in nanoseconds, reported in milliseconds. */
    static Map<String, Object> latencies(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.length);
        m.put("p50_ms", ms(pct(s, 0.50)));
        m.put("p99_ms", ms(pct(s, 0.99)));
        m.put("p999_ms", ms(pct(s, 0.999)));
        m.put("max_ms", ms(s.length == 0 ? 0 : s[s.length - 1]));
        return m;
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

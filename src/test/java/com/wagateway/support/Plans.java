package com.wagateway.support;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** PostgreSQL plans of the gateway's own statements, for tests that pin a statement to its index. */
public final class Plans {

    private Plans() {
    }

    /**
     * EXPLAIN of {@code sql} run as a prepared statement in plan cache mode {@code mode}
     * ({@code force_generic_plan} or {@code force_custom_plan}: a prepared statement gets either);
     * its {@code ?} placeholders become $1, $2, ... and take {@code args} (SQL literals) in order.
     * A {@code '…', '…'} argument fills two placeholders.
     */
    public static String explain(DataSource db, String mode, String sql, String... args) {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            numbered.append(ch == '?' ? "$" + (++n) : String.valueOf(ch));
        }
        List<String> lines = new ArrayList<>();
        String name = "q" + Math.abs(sql.hashCode());
        // one session for the setting, the statement and its plan (the pool could hand out another)
        try (var c = db.getConnection(); var st = c.createStatement()) {
            st.execute("SET plan_cache_mode = " + mode);
            st.execute("PREPARE " + name + " AS " + numbered);
            try (var rs = st.executeQuery("EXPLAIN EXECUTE " + name + "(" + String.join(", ", args) + ")")) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
            st.execute("DEALLOCATE " + name);
            st.execute("RESET plan_cache_mode");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return String.join("\n", lines);
    }
}

package com.wagateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.wagateway.support.GatewayHarness;
import com.wagateway.support.PostgresAuth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code --sessions-migrate}: a session linked with files moves into PostgreSQL and back, and the
 * connection restores from each store without a QR; the command is idempotent and refuses to
 * overwrite a different session without {@code --overwrite}.
 */
class SessionsMigrateIntegrationTest {

    private static final String ID = "migrate_a";
    private static final String PHONE = "923441110009";

    @Test
    void aLinkedSessionRoundTripsFilesToPostgresToFilesAndRestoresFromEach() throws Exception {
        Path data = GatewayHarness.tempDataDir("migrate");
        Path folder = data.resolve("sessions").resolve(ID);
        try (GatewayHarness gw = GatewayHarness.start(data)) {
            gw.link(ID, PHONE, Duration.ofSeconds(60));
        }
        assertThat(folder.resolve("creds.json")).exists();

        Result first = migrate(data, "--sessions-migrate=to-postgres");
        assertThat(first.code).as(first.text()).isZero();
        assertThat(first.out).contains(ID + ": migrated");
        Result again = migrate(data, "--sessions-migrate=to-postgres");
        assertThat(again.code).as(again.text()).isZero();
        assertThat(again.out).contains(ID + ": unchanged");

        // a folder that no longer matches what PostgreSQL holds is not written over without the flag
        Path extra = folder.resolve("sender-key-memory-extra@g.us.json");
        Files.writeString(extra, "{\"923001112233@s.whatsapp.net\":true}");
        Result refused = migrate(data, "--sessions-migrate=to-postgres");
        assertThat(refused.code).as(refused.text()).isEqualTo(1);
        assertThat(refused.out).contains(ID + ": refused");
        Result overwritten = migrate(data, "--sessions-migrate=to-postgres", "--overwrite");
        assertThat(overwritten.code).as(overwritten.text()).isZero();
        assertThat(overwritten.out).contains(ID + ": migrated");

        // only PostgreSQL holds the session now
        deleteTree(folder);
        try (GatewayHarness gw = GatewayHarness.start(PostgresAuth.settings(data, PostgresAuth.KEY))) {
            awaitReadyWithoutQr(gw);
            assertThat(gw.count("SELECT count(*) FROM auth_keys WHERE connection_id = ? AND key_type = 'sender-key-memory' "
                    + "AND key_id = 'extra@g.us'", ID)).isEqualTo(1);
            assertThat(folder).doesNotExist();
        }

        Result back = migrate(data, "--sessions-migrate=to-files");
        assertThat(back.code).as(back.text()).isZero();
        assertThat(back.out).contains(ID + ": migrated");
        assertThat(folder.resolve("creds.json")).exists();
        assertThat(folder.resolve("sender-key-memory-extra@g.us.json")).exists();
        assertThat(Files.getPosixFilePermissions(folder.resolve("creds.json")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        Result backAgain = migrate(data, "--sessions-migrate=to-files");
        assertThat(backAgain.code).as(backAgain.text()).isZero();
        assertThat(backAgain.out).contains(ID + ": unchanged");

        try (GatewayHarness gw = GatewayHarness.start(data)) {
            awaitReadyWithoutQr(gw);
        }
    }

    @Test
    void aBadDirectionOrAMissingKeyIsAUsageError() {
        Path data = GatewayHarness.tempDataDir("migrate-usage");
        Result bad = migrate(data, "--sessions-migrate=sideways");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains("usage: --sessions-migrate=to-postgres|to-files");
        List<String> args = new ArrayList<>(base(data, ""));
        args.add("--sessions-migrate=to-files");
        Result noKey = run(args);
        assertThat(noKey.code).isEqualTo(2);
        assertThat(noKey.err).contains("AUTH_ENCRYPTION_KEY is not set");
    }

    private static void awaitReadyWithoutQr(GatewayHarness gw) {
        JsonNode s = gw.awaitStatus(ID, st -> {
            assertThat(st.path("status").asString()).as("no QR after the migration").isNotEqualTo("qr_ready");
            return "ready".equals(st.path("status").asString());
        }, Duration.ofSeconds(60));
        assertThat(s.path("phone").asString()).isEqualTo(PHONE);
    }

    record Result(int code, String out, String err) {
        String text() {
            return "exit " + code + "\n" + out + err;
        }
    }

    private static Result migrate(Path data, String... extra) {
        List<String> args = new ArrayList<>(base(data, PostgresAuth.KEY));
        args.addAll(List.of(extra));
        return run(args);
    }

    /** The settings a person would have in .env: the same data folder and database as the gateway. */
    private static List<String> base(Path data, String key) {
        List<String> args = new ArrayList<>();
        Map<String, String> s = GatewayHarness.defaults(data);
        for (String k : new String[] {"gateway.data-dir", "gateway.sessions-dir", "gateway.database-url", "DOTENV_FILE"}) {
            args.add("--" + k + "=" + s.get(k));
        }
        args.add("--gateway.auth.encryption-key=" + key);
        return args;
    }

    private static Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SessionsMigrateCommand.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

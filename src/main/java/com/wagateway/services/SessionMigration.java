package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.AuthKeyRepository;
import com.wagateway.whatsapp.EngineAuthStore.KeyWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Moves Baileys sessions between the two auth stores (the {@code --sessions-migrate} command):
 * session folders under {@code SESSIONS_DIR} (useMultiFileAuthState: {@code creds.json} and one
 * {@code <type>-<id>.json} per key) and the encrypted {@code auth_keys} rows.
 *
 * <p>Guarantees: the source is only read, never changed; a connection whose target already holds
 * the same session is reported {@code unchanged} (running the command twice is harmless); a
 * target holding a different session is left alone and reported {@code refused} unless
 * {@code overwrite}; each connection is written all or nothing (rows: one transaction; folder:
 * written next to the old one, then renamed over it). Folders of unknown connections are skipped
 * (rows need their connection). Nothing here logs a value.
 */
@Component
public class SessionMigration {

    /** Baileys 7.0.0-rc14's key types (SignalDataTypeMap), longest first so a prefix never wins over a longer name. */
    static final List<String> KEY_TYPES = Stream.of("pre-key", "session", "sender-key", "sender-key-memory",
            "app-state-sync-key", "app-state-sync-version", "lid-mapping", "device-list", "tctoken", "identity-key")
            .sorted(Comparator.comparingInt(String::length).reversed()).toList();

    /** What happened to one connection. */
    public enum Outcome { MIGRATED, UNCHANGED, REFUSED, SKIPPED }

    /** One line of the report. */
    public record Entry(String connectionId, Outcome outcome, int values, String note) {
    }

    private final Path root;
    private final PostgresAuthStore store;
    private final AuthKeyRepository repo;

    public SessionMigration(GatewayProperties props, PostgresAuthStore store, AuthKeyRepository repo) {
        this.root = props.sessionsPath();
        this.store = store;
        this.repo = repo;
    }

    /** Session folders → PostgreSQL. Needs AUTH_ENCRYPTION_KEY (the rows are encrypted). */
    public List<Entry> toPostgres(boolean overwrite) throws IOException {
        requireKey();
        List<Entry> report = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return report;
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(root)) {
            folders = s.filter(p -> Files.isRegularFile(p.resolve("creds.json"))
                    && p.getFileName().toString().matches("[A-Za-z0-9_-]{1,64}")).sorted().toList();
        }
        for (Path folder : folders) {
            String id = folder.getFileName().toString();
            if (!repo.connectionExists(id)) {
                report.add(new Entry(id, Outcome.SKIPPED, 0, "no such connection in the database"));
                continue;
            }
            List<KeyWrite> values = readFolder(folder);
            List<KeyWrite> existing = store.export(id);
            if (!existing.isEmpty()) {
                if (same(existing, values)) {
                    report.add(new Entry(id, Outcome.UNCHANGED, values.size(), "already in PostgreSQL"));
                    continue;
                }
                if (!overwrite) {
                    report.add(new Entry(id, Outcome.REFUSED, existing.size(), "PostgreSQL holds a different session (use --overwrite)"));
                    continue;
                }
            }
            store.replace(id, values);
            report.add(new Entry(id, Outcome.MIGRATED, values.size(), null));
        }
        return report;
    }

    /** PostgreSQL → session folders. */
    public List<Entry> toFiles(boolean overwrite) throws IOException {
        requireKey();
        List<Entry> report = new ArrayList<>();
        Files.createDirectories(root);
        for (String id : repo.connections()) {
            List<KeyWrite> values = store.export(id);
            Path folder = root.resolve(ConnectionIds.require(id));
            if (Files.exists(folder)) {
                if (same(readFolder(folder), values)) {
                    report.add(new Entry(id, Outcome.UNCHANGED, values.size(), "already in " + folder));
                    continue;
                }
                if (!overwrite) {
                    report.add(new Entry(id, Outcome.REFUSED, values.size(), folder + " holds a different session (use --overwrite)"));
                    continue;
                }
            }
            writeFolder(folder, values);
            report.add(new Entry(id, Outcome.MIGRATED, values.size(), null));
        }
        return report;
    }

    private void requireKey() {
        if (!store.active()) {
            throw new IllegalStateException("--sessions-migrate needs AUTH_STORE=postgres and AUTH_ENCRYPTION_KEY");
        }
    }

    /** A folder's values as (type, id, JSON text); files that are no Baileys key (temp files, …) are ignored. */
    static List<KeyWrite> readFolder(Path folder) throws IOException {
        List<KeyWrite> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (!name.endsWith(".json")) {
                continue;
            }
            String stem = name.substring(0, name.length() - ".json".length());
            String text = Files.readString(f, StandardCharsets.UTF_8);
            if (stem.equals("creds")) {
                out.add(new KeyWrite(AuthKeyRepository.CREDS_TYPE, AuthKeyRepository.CREDS_ID, text));
                continue;
            }
            for (String type : KEY_TYPES) {
                if (stem.startsWith(type + "-") && stem.length() > type.length() + 1) {
                    out.add(new KeyWrite(type, stem.substring(type.length() + 1), text));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Writes a complete folder beside {@code folder}, then renames it into place (the old one, if
     * any, is moved aside first and removed after), so a crash leaves the old or the new session,
     * never a mix. Owner-only, like the engine's folders.
     */
    static void writeFolder(Path folder, List<KeyWrite> values) throws IOException {
        Path tmp = folder.resolveSibling(folder.getFileName() + ".migrate-tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        ownerOnly(tmp, "rwx------");
        for (KeyWrite v : values) {
            String name = AuthKeyRepository.CREDS_TYPE.equals(v.type()) ? "creds.json" : v.type() + "-" + v.id() + ".json";
            if (name.contains("/") || name.startsWith(".")) {
                throw new IOException("refusing file name " + name);
            }
            Path f = tmp.resolve(name);
            Files.writeString(f, v.value(), StandardCharsets.UTF_8);
            ownerOnly(f, "rw-------");
        }
        Path old = folder.resolveSibling(folder.getFileName() + ".migrate-old");
        deleteTree(old);
        if (Files.exists(folder)) {
            Files.move(folder, old);
        }
        try {
            Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, folder);
        }
        deleteTree(old);
    }

    /** Same values, whatever the order. */
    private static boolean same(List<KeyWrite> a, List<KeyWrite> b) {
        return a.size() == b.size() && new HashSet<>(a).equals(new HashSet<>(b));
    }

    private static void ownerOnly(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /** Ids stored in PostgreSQL (tests). */
    Set<String> storedConnections() {
        return repo.connections();
    }
}

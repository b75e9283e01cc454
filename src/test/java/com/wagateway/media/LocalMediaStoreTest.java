package com.wagateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMediaStoreTest {

    @TempDir
    Path dir;

    @Test
    void contentIsStoredOnceUnderItsHashOwnerOnly() throws Exception {
        LocalMediaStore store = new LocalMediaStore(dir.resolve("media"));
        byte[] bytes = "a photo of a damaged parcel".getBytes(StandardCharsets.UTF_8);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

        StoredMedia first = store.put(new ByteArrayInputStream(bytes), 1024);
        StoredMedia second = store.put(new ByteArrayInputStream(bytes), 1024);

        assertThat(first).isEqualTo(new StoredMedia(hash, bytes.length)).isEqualTo(second);
        Path file = store.localPath(hash).orElseThrow();
        assertThat(file).isEqualTo(dir.resolve("media").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4)).resolve(hash));
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent().getParent()))).isEqualTo("rwx------");
        assertThat(store.open(hash).orElseThrow().contentLength()).isEqualTo(bytes.length);
        try (var files = Files.list(dir.resolve("media"))) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void contentOverTheLimitLeavesNothingBehind() throws Exception {
        LocalMediaStore store = new LocalMediaStore(dir);
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(new byte[2048]), 2047))
                .isInstanceOf(MediaTooLargeException.class);
        Path big = Files.write(dir.resolve("download.bin"), new byte[10]);
        assertThatThrownBy(() -> store.adopt(big, 9)).isInstanceOf(MediaTooLargeException.class);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void adoptHashesTheFileItselfAndMovesIt() throws Exception {
        LocalMediaStore store = new LocalMediaStore(dir.resolve("media"));
        Path download = Files.write(dir.resolve("download.bin"), new byte[] {1, 2, 3});
        StoredMedia stored = store.adopt(download, 3);
        assertThat(Files.exists(download)).isFalse();
        assertThat(Files.readAllBytes(store.localPath(stored.sha256()).orElseThrow())).containsExactly(1, 2, 3);
        assertThat(store.delete(stored.sha256())).isTrue();
        assertThat(store.open(stored.sha256())).isEmpty();
        assertThat(store.localPath("../../etc/passwd")).isEmpty();
    }
}

package com.wagateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * {@link MediaStore} on the local disk: {@code <root>/<aa>/<bb>/<sha256>}, folders {@code 0700} and
 * files {@code 0600} (media are customers' private content). Content is written to a temporary file
 * in the root, hashed while it is written, fsynced, then moved into place atomically — so a crash
 * leaves at worst a stray temporary file, never a wrong file under a hash.
 */
public class LocalMediaStore implements MediaStore {

    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final int BUFFER = 64 * 1024;

    private final Path root;

    /** @param root the media folder (e.g. {@code DATA_DIR/media}); created owner-only when missing */
    public LocalMediaStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        createPrivateDirs(this.root);
    }

    @Override
    public StoredMedia put(InputStream in, long maxBytes) throws IOException {
        Path tmp = Files.createTempFile(root, ".put-", ".tmp");
        try {
            MessageDigest digest = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(tmp); DigestInputStream din = new DigestInputStream(in, digest)) {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = din.read(buf)) > 0; ) {
                    size += n;
                    if (size > maxBytes) {
                        throw new MediaTooLargeException(maxBytes);
                    }
                    out.write(buf, 0, n);
                }
            }
            return place(tmp, HexFormat.of().formatHex(digest.digest()), size);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public StoredMedia adopt(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            Files.deleteIfExists(file);
            throw new MediaTooLargeException(maxBytes);
        }
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        try {
            return place(file, HexFormat.of().formatHex(digest.digest()), size);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public Optional<Resource> open(String sha256) {
        return localPath(sha256).map(FileSystemResource::new);
    }

    @Override
    public boolean delete(String sha256) throws IOException {
        return SHA256.matcher(sha256).matches() && Files.deleteIfExists(pathOf(sha256));
    }

    @Override
    public Optional<Path> localPath(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path p = pathOf(sha256);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** Moves a fully written, hashed file under its hash (a no-op when that content is already there). */
    private StoredMedia place(Path written, String hash, long size) throws IOException {
        Path target = pathOf(hash);
        if (Files.isRegularFile(target)) {
            return new StoredMedia(hash, size);
        }
        createPrivateDirs(target.getParent());
        Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
        try (var ch = java.nio.channels.FileChannel.open(written, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(written, target);
        } catch (FileAlreadyExistsException e) {
            // stored concurrently by another writer: same hash, same bytes
        }
        return new StoredMedia(hash, size);
    }

    private Path pathOf(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    /** Creates {@code dir} and any missing parent, each new folder owner-only. */
    private static void createPrivateDirs(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (dir.getParent() != null) {
            createPrivateDirs(dir.getParent());
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // created concurrently
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

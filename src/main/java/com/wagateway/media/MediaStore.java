package com.wagateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.core.io.Resource;

/**
 * Where media content lives, once per content: files are named by the SHA-256 of their bytes, so
 * the same photo received by ten connections (or sent ten times) is stored once. A small interface
 * so that an S3-compatible store can be added later without touching its users.
 *
 * <p>Guarantees of every implementation: {@code put*} returns only after the content is durable
 * under its hash; content over {@code maxBytes} is refused with {@link MediaTooLargeException} and
 * leaves nothing behind; {@code open} never returns a partial file.
 */
public interface MediaStore {

    /** Stores the bytes read from {@code in} (at most {@code maxBytes}); the stream is not closed. */
    StoredMedia put(InputStream in, long maxBytes) throws IOException;

    /**
     * Adopts a file already written on this machine (e.g. the engine's decrypted download): its
     * hash is computed here, never trusted from the writer; the file is moved (or deleted when the
     * content is already stored).
     */
    StoredMedia adopt(Path file, long maxBytes) throws IOException;

    /** The stored content of {@code sha256}, or empty when it is not (or no longer) stored. */
    Optional<Resource> open(String sha256);

    /** Removes the content; true when something was removed. */
    boolean delete(String sha256) throws IOException;

    /** A local path the engine (same machine) can read the content from, or empty when not stored. */
    Optional<Path> localPath(String sha256);
}

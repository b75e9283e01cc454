package com.wagateway.media;

/** Content now in a {@link MediaStore}: its lower-case hex SHA-256 and its size in bytes. */
public record StoredMedia(String sha256, long size) {
}

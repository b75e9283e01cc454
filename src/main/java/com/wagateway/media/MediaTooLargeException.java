package com.wagateway.media;

import java.io.IOException;

/** Content was larger than the limit it was stored under; nothing was kept. */
public class MediaTooLargeException extends IOException {

    private final long maxBytes;

    public MediaTooLargeException(long maxBytes) {
        super("media is larger than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    /** The limit that was exceeded. */
    public long maxBytes() {
        return maxBytes;
    }
}

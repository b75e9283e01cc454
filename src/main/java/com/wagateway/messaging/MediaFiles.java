package com.wagateway.messaging;

/**
 * The one lock around "is this content still referenced, then delete it" and "adopt this content,
 * then reference it", so the retention job never deletes a file a download is just recording (the
 * same content may belong to several messages). One gateway instance per data folder.
 */
final class MediaFiles {

    static final Object LOCK = new Object();

    private MediaFiles() {
    }
}

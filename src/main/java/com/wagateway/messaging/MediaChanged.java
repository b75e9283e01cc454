package com.wagateway.messaging;

import com.wagateway.database.MessageMedia;

/**
 * Application event: the media of a stored message were settled ({@code stored}, {@code failed},
 * {@code too_large}) after the message event, or expired by retention. Published after the commit
 * (the realtime layer forwards it as {@code message.media}).
 */
public record MediaChanged(String connectionId, MessageMedia media) {
}

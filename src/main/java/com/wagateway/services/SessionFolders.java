package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.springframework.stereotype.Component;

/**
 * Where a connection's Baileys session lives: {@code SESSIONS_DIR/<connection_id>}. The engine
 * owns these folders while it runs; Java only computes the path (stored in the row) and removes a
 * folder itself when the engine is down and a user logs out or deletes.
 */
@Component
public class SessionFolders {

    private final Path root;
    private final org.springframework.beans.factory.ObjectProvider<PostgresAuthStore> authStore;

    public SessionFolders(GatewayProperties props, org.springframework.beans.factory.ObjectProvider<PostgresAuthStore> authStore) {
        this.root = props.sessionsPath();
        this.authStore = authStore;
    }

    /** The folder of a (validated) connection id; guaranteed to be a direct child of the root. */
    public Path of(String connectionId) {
        Path p = root.resolve(ConnectionIds.require(connectionId)).normalize();
        if (!p.getParent().equals(root)) {
            throw new IllegalArgumentException("session folder escapes the sessions root");
        }
        return p;
    }

    /**
     * Removes the session wherever it is stored: the folder and everything in it, and with
     * AUTH_STORE=postgres its auth rows too; true if something was removed.
     */
    public boolean remove(String connectionId) throws IOException {
        PostgresAuthStore store = authStore.getIfAvailable();
        boolean rows = store != null && store.active() && store.clear(connectionId);
        Path dir = of(connectionId);
        if (!Files.exists(dir)) {
            return rows;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        return true;
    }
}

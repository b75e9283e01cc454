package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.springframework.stereotype.Component;

/**
 * This node's id ({@code NODE_ID}), fixed for the life of the process: the configured one, or
 * the host name with a random suffix, so two processes on one host (or a restart) are never the
 * same node by accident. Only {@code [A-Za-z0-9._-]} is kept (it appears in logs and the API).
 */
@Component
public class NodeIdentity {

    private final String id;

    public NodeIdentity(GatewayProperties props) {
        String configured = props.cluster().nodeId();
        this.id = configured != null && !configured.isBlank() ? clean(configured.strip()) : generated();
    }

    public String id() {
        return id;
    }

    private static String generated() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        return clean(host) + "-" + HexFormat.of().formatHex(suffix);
    }

    private static String clean(String s) {
        String c = s.replaceAll("[^A-Za-z0-9._-]", "-");
        return c.length() > 64 ? c.substring(0, 64) : c;
    }
}

package com.wagateway.controllers.dto;

/** Bodies of the sandbox phone's endpoints. */
public final class SandboxRequests {

    private SandboxRequests() {
    }

    /** The simulated phone scans the QR: {@code {"phone":"923001234567","name":"Ali"}}. */
    public record Scan(String phone, String name) {
    }

    /** The simulated server closes the socket: {@code {"code":428}}. */
    public record Drop(Integer code) {
    }
}

package com.wagateway.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BareConnectGuardTest {

    @Test
    void aBareConnectGetsAnEmptyAuthObject() {
        assertThat(BareConnectGuard.rewrite("40/realtime,", "/realtime")).isEqualTo("40/realtime,{}");
        assertThat(BareConnectGuard.rewrite("40/realtime", "/realtime")).isEqualTo("40/realtime,{}");
    }

    @Test
    void connectsWithAuthAndOtherPacketsAreUntouched() {
        String withAuth = "40/realtime,{\"token\":\"abc\"}";
        assertThat(BareConnectGuard.rewrite(withAuth, "/realtime")).isSameAs(withAuth);
        String event = "42/realtime,[\"subscribe\",{\"connection_id\":\"x\"}]";
        assertThat(BareConnectGuard.rewrite(event, "/realtime")).isSameAs(event);
        assertThat(BareConnectGuard.rewrite("40", "/realtime")).isEqualTo("40");
        assertThat(BareConnectGuard.rewrite("40/realtimeX,", "/realtime")).isEqualTo("40/realtimeX,");
    }

    @Test
    void everyPacketOfAPollingPayloadIsChecked() {
        assertThat(BareConnectGuard.rewrite("2\u001e40/realtime,", "/realtime")).isEqualTo("2\u001e40/realtime,{}");
    }
}

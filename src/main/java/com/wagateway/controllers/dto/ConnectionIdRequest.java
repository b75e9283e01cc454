package com.wagateway.controllers.dto;

import com.fasterxml.jackson.annotation.JsonAlias;

/**
 * Body of connect/disconnect and of connection creation: {@code {"connection_id": "..."}}; the
 * connection-flow seed's {@code {"tenantId": "..."}} is accepted too.
 */
public record ConnectionIdRequest(@JsonAlias({"tenantId", "tenant_id", "connectionId"}) String connectionId) {
}

package com.wagateway.web;

import com.wagateway.shared.Json;
import com.wagateway.wire.ErrorBody;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error page, for errors the container answers before Spring sees the request
 * (a rejected URI such as an encoded slash, a malformed header): the API's JSON error shape
 * instead of Tomcat's HTML. Nothing of the failure's internals is written. The body is an
 * {@link ErrorBody} written by the shared mapper, so it cannot drift from the MVC and security
 * errors (the record used to live in {@code controllers}, which this class could not import).
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String code = status >= 500 ? "internal_error" : status == 404 ? "not_found" : "bad_request";
        String message = status >= 500 ? "an unexpected error occurred"
                : "the request was rejected by the server (HTTP " + status + ")";
        String path = request.getDecodedRequestURI() == null ? "" : request.getRequestURI();
        String body = Json.MAPPER.writeValueAsString(ErrorBody.of(status, code, message, null, path));
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer w = response.getReporter();
            if (w != null) {
                w.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone; nothing more to do
        }
    }
}

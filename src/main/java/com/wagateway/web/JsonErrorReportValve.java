package com.wagateway.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error page, for errors the container answers before Spring sees the request
 * (a rejected URI such as an encoded slash, a malformed header): the API's JSON error shape
 * instead of Tomcat's HTML. Nothing of the failure's internals is written.
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
        String body = "{\"error\":{\"status\":" + status + ",\"code\":\"" + code + "\",\"message\":\"" + escape(message)
                + "\",\"field\":null,\"path\":\"" + escape(path) + "\"}}";
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

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}

package com.wagateway.controllers;

import com.wagateway.controllers.dto.WebhookDtos;
import com.wagateway.domain.Caller;
import com.wagateway.webhooks.WebhookRepository;
import com.wagateway.webhooks.WebhookService;
import com.wagateway.controllers.dto.Answers;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** A connection's webhook: settings, secret rotation, health, attempt log, redelivery, test event. */
@RestController
public class WebhookController {

    private final WebhookService webhooks;

    public WebhookController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    /** Sets URL and event filter; the answer carries {@code secret} when a new one was made. */
    @PutMapping("/api/connections/{id}/webhook")
    WebhookDtos.WebhookView set(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                @RequestBody WebhookDtos.SetWebhook body) {
        return WebhookDtos.WebhookView.from(webhooks.set(caller, id, body.url(), body.events()));
    }

    /** URL, events and delivery health; never the secret. */
    @GetMapping("/api/connections/{id}/webhook")
    WebhookDtos.WebhookView get(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return WebhookDtos.WebhookView.from(webhooks.get(caller, id));
    }

    @DeleteMapping("/api/connections/{id}/webhook")
    Answers.Deleted remove(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        webhooks.remove(caller, id);
        return new Answers.Deleted(id, true);
    }

    /** A new signing secret, returned this once. */
    @PostMapping("/api/connections/{id}/webhook/rotate-secret")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "webhook_not_configured")
    WebhookDtos.WebhookView rotate(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return WebhookDtos.WebhookView.from(webhooks.rotateSecret(caller, id));
    }

    /** Sends a signed {@code webhook.test} event now and answers with the receiver's answer. */
    @PostMapping("/api/connections/{id}/webhook/test")
    @ApiResponse(responseCode = "200", description = "OK", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "webhook_not_configured")
    WebhookDtos.TestAnswer test(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        return WebhookDtos.TestAnswer.from(webhooks.test(caller, id));
    }

    /** Attempts, newest first; {@code before} is the previous page's {@code next_before}. */
    @GetMapping("/api/connections/{id}/webhook-logs")
    WebhookDtos.LogPage logs(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                             @RequestParam(name = "status", required = false) String status,
                             @RequestParam(name = "before", required = false) String before,
                             @RequestParam(name = "limit", required = false) Integer limit) {
        return WebhookDtos.LogPage.from(id, webhooks.logs(caller, id, status, before, limit));
    }

    /** Sends the stored event again with the same {@code X-Webhook-Id} (queued, due now). */
    @PostMapping("/api/webhook-logs/{event_id}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @ApiResponse(responseCode = "409", description = "webhook_not_configured")
    WebhookDtos.Redelivery redeliver(@AuthenticationPrincipal Caller caller, @PathVariable("event_id") String eventId) {
        WebhookRepository.EventRef ref = webhooks.redeliver(caller, eventId);
        return new WebhookDtos.Redelivery(ref.eventId(), ref.connectionId(), ref.state());
    }
}

package com.wagateway.messaging;

import com.wagateway.database.MessageRepository;
import com.wagateway.shared.Json;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookEventTypes;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Votes on our polls ({@code poll.vote} engine events, decrypted by the engine with the stored
 * poll): each voter's current choice is kept on the poll's row ({@code details.votes}) and a
 * {@code message.poll_vote} webhook names the chosen options — written in one transaction, so
 * a vote is never recorded without its webhook or the other way round. Votes the engine could
 * not decrypt, or on polls that are not this connection's, are logged and skipped (the vote
 * message itself is stored like any message).
 */
@Component
public class PollVoteRecorder implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(PollVoteRecorder.class);

    private final MessageRepository messages;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;

    public PollVoteRecorder(MessageRepository messages, WebhookOutbox outbox, TransactionTemplate tx) {
        this.messages = messages;
        this.outbox = outbox;
        this.tx = tx;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (!(event instanceof EngineEvent.PollVotes p)) {
            return;
        }
        tx.executeWithoutResult(s -> {
            List<WebhookEvent> hooks = new ArrayList<>();
            for (EngineEvent.PollVotes.Vote v : p.votes()) {
                if (v.selectedOptions() == null || v.pollMessageId() == null) {
                    log.info("[{}] a poll vote could not be read: {}", p.connectionId(), v.error());
                    continue;
                }
                String voter = v.voterPhone() != null ? v.voterPhone() : v.voterJid();
                Optional<MessageRepository.VotedPoll> poll = messages.recordPollVote(p.connectionId(), v.pollMessageId(),
                        voter, Json.MAPPER.writeValueAsString(v.selectedOptions()));
                if (poll.isEmpty()) {
                    log.info("[{}] a vote on poll {} that is not ours was skipped", p.connectionId(), v.pollMessageId());
                    continue;
                }
                hooks.add(webhook(p.connectionId(), poll.get(), v));
            }
            outbox.enqueue(hooks);
        });
    }

    /** The {@code message.poll_vote} body: the poll, the voter and the option names they chose now. */
    static WebhookEvent webhook(String connectionId, MessageRepository.VotedPoll poll, EngineEvent.PollVotes.Vote v) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", WebhookEventTypes.MESSAGE_POLL_VOTE);
        p.put("connection_id", connectionId);
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("message_id", poll.id().toString());
        ref.put("client_message_id", poll.clientMessageId());
        ref.put("provider_message_id", poll.providerMessageId());
        ref.put("name", poll.name());
        p.put("poll", ref);
        p.put("chat_id", poll.chatJid());
        p.put("voter", v.voterPhone());
        p.put("voter_jid", v.voterJid());
        p.put("selected_options", v.selectedOptions());
        p.put("vote_provider_message_id", v.messageId());
        p.put("timestamp", v.timestamp() == null ? null : v.timestamp().toString());
        return new WebhookEvent(connectionId, WebhookEventTypes.MESSAGE_POLL_VOTE, p);
    }
}

package com.wagateway.services;

import com.wagateway.database.ContactRepository;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps each connection's contact list from the engine's {@code contacts.upsert} events (names
 * from the address book, history sync and push names; the engine reports only changes, so this
 * costs nothing on a flood of messages from known senders). One statement per event.
 *
 * <p>Guarantees: a name once known is never erased by a later event without it; an event that
 * fails because the database is unreachable is retried by the dispatcher (the upsert is
 * idempotent); one that fails for its own data is logged and skipped.
 */
@Component
public class ContactBook implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(ContactBook.class);

    private final ContactRepository contacts;

    public ContactBook(ContactRepository contacts) {
        this.contacts = contacts;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (!(event instanceof EngineEvent.ContactsUpserted u)) {
            return;
        }
        List<ContactRepository.ContactUpdate> updates = new ArrayList<>();
        for (EngineEvent.ContactsUpserted.Contact c : u.contacts()) {
            String phone = PhoneNumbers.digitsOrNull(c.phone());
            updates.add(new ContactRepository.ContactUpdate(phone, c.lid(), c.name(), c.pushName(), c.verifiedName()));
        }
        try {
            contacts.upsert(u.connectionId(), updates);
        } catch (RuntimeException e) {
            if (DatabaseUnavailable.isCause(e)) {
                throw e;
            }
            log.warn("[{}] could not store {} contacts: {}", u.connectionId(), updates.size(), e.getMessage());
        }
    }
}

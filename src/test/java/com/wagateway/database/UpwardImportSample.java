package com.wagateway.database;

import com.wagateway.services.ConnectionService;

/**
 * A deliberately wrong class, in test sources only: the database layer reaching up into
 * services. {@code architecture.LayerRulesTest} evaluates its rules against it to prove they
 * fail on exactly this kind of import (an upward dependency, and with ConnectionService's own use
 * of the database, a package cycle). Nothing uses it; the production scan leaves tests out.
 */
final class UpwardImportSample {

    private ConnectionService connections;

    private UpwardImportSample() {
    }
}

package com.wagateway.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Registered for every test (autodetected, see {@code junit-platform.properties}): a test that
 * tries to skip itself (an assumption, in the test or in a lifecycle method) fails instead.
 * A skipped test proves nothing and reports success; the only way to leave tests out is to ask
 * for it on the command line (e.g. {@code -DskipBrowserTests}), which excludes them from the run.
 */
public final class NoSkippedTests implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    private static Throwable failInsteadOfSkip(Throwable t) {
        if (t instanceof TestAbortedException) {
            AssertionError e = new AssertionError("a test may not skip itself (" + t.getMessage()
                    + "); fix what it needs, or leave it out explicitly (see README, Tests)");
            e.initCause(t);
            return e;
        }
        return t;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw failInsteadOfSkip(t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw failInsteadOfSkip(t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw failInsteadOfSkip(t);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw failInsteadOfSkip(t);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw failInsteadOfSkip(t);
    }
}

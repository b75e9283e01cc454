package com.wagateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Entry point: one JVM hosting the HTTP API and supervising one engine process. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class GatewayApplication {

    /** The JVM property that sizes the common pool (see {@link #commonPoolOfAtLeastTwo()}). */
    public static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        if (SessionsMigrateCommand.requested(args)) {
            System.exit(SessionsMigrateCommand.run(args)); // a one-off command, not the gateway
        }
        commonPoolOfAtLeastTwo();
        // outgoing requests are pinned to the checked address and carry the URL's Host header
        com.wagateway.net.PinnedHttp.allowHostHeader();
        SpringApplication.run(GatewayApplication.class, args);
    }

    /**
     * On a 2-core machine the JDK sizes the common pool to 1, and then every asynchronous
     * {@code CompletableFuture} step without an executor — including the hop the JDK
     * {@code HttpClient} makes after each {@code sendAsync} — starts a new thread. The benchmark
     * saw 50,000 threads started for 50,000 webhooks. Two or more makes those steps use the pool.
     * Must run before {@code CompletableFuture} is first used (first line of main); the same
     * property is set on the command line of the tests and the benchmark (pom.xml).
     */
    public static void commonPoolOfAtLeastTwo() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }
}

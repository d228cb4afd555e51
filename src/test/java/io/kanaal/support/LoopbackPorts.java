package io.kanaal.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for servers that tests start on 127.0.0.1, for a server that binds later (a forked Kanaal, a standalone
 * broker). They come from below Linux's ephemeral range (32768-60999): a port the kernel hands out as
 * ephemeral can be taken by any outgoing connection before the server binds it (a forked Kanaal once failed
 * to start with "Port 38887 was already in use" that way). Each port is handed out once per JVM.
 */
public final class LoopbackPorts {

    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    private static final AtomicInteger NEXT = new AtomicInteger(
            FIRST + ThreadLocalRandom.current().nextInt((LAST - FIRST) / 2));

    private LoopbackPorts() {
    }

    /** A port that was free on the loopback address a moment ago, outside the ephemeral range. */
    public static int free() {
        for (int tries = 0; tries < LAST - FIRST; tries++) {
            int port = NEXT.getAndUpdate(p -> p >= LAST ? FIRST : p + 1);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new IllegalStateException("no free loopback port between " + FIRST + " and " + LAST);
    }
}

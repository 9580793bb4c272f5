package dev.p8.undertow.internal;

import dev.p8.route.Route;
import dev.p8.undertow.Limits;
import java.time.Duration;
import java.util.List;

/**
 * The validated, immutable configuration a server runs with.
 *
 * @param routes         the routes, in the order given
 * @param sigIssuer      the Grip-Sig issuer
 * @param sigKey         the Grip-Sig key, or null to send no Grip-Sig
 * @param debug          whether error responses carry their reason
 * @param limits         limits on what peers control
 * @param backendTimeout how long to wait for a backend's response headers
 */
public record EngineConfig(List<Route> routes, String sigIssuer, byte[] sigKey, boolean debug,
    Limits limits, Duration backendTimeout) {
}

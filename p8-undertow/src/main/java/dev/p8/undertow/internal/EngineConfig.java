package dev.p8.undertow.internal;

import dev.p8.internal.sig.SigKey;
import dev.p8.internal.zmq.StatsPublisher;
import dev.p8.undertow.P8Listener;
import dev.p8.route.Route;
import dev.p8.undertow.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated, immutable configuration a server runs with.
 *
 * @param routes          the routes, in the order given
 * @param routesFile      a routes file to load and watch instead of {@code routes}, or null
 * @param sigIssuer       the Grip-Sig issuer
 * @param sigKey          the Grip-Sig key, or null to send no Grip-Sig
 * @param debug           whether error responses carry their reason
 * @param limits          limits on what peers control
 * @param backendTimeout  how long to wait for a backend's response headers
 * @param forwarding      forwarded-for, forwarded-proto, CDN-Loop, Pushpin-Route, upstream key
 * @param autoCrossOrigin whether every route behaves as if it had {@code aco}
 * @param maxConnections  the most client connections open at once
 * @param zmq             the ZeroMQ publish inputs, or null for none
 * @param messageWait     how long an item waits for its prev-id predecessor
 * @param idCacheTtl      how long a (channel, id) is remembered to drop repeats; zero is off
 * @param linkRetryDelay  the first wait before a failed next-link fetch is tried again; it
 *                        doubles with each try and gets up to as much again of jitter
 * @param updateOnFirstSubscription whether long-polls are asked again a second after their
 *                        channel's first subscription
 * @param subscriptionLinger how long a channel whose last long-poll left stays listened to
 * @param messageHwm      the most delivery tasks queued for the I/O threads or for the rate,
 *                        and not yet run
 * @param messageRate     the most deliveries (one per subscriber) per second; 0 for no limit
 * @param listeners       the user's event listeners, in registration order
 * @param metricsPrefix   the Prometheus name prefix when metrics are on, else null
 * @param stats           the ZeroMQ stats socket, or null for none
 */
public record EngineConfig(List<Route> routes, Path routesFile, String sigIssuer, SigKey sigKey,
    boolean debug, Limits limits, Duration backendTimeout, Forwarding forwarding,
    boolean autoCrossOrigin, int maxConnections, ZmqInputs zmq, Duration messageWait,
    Duration idCacheTtl, Duration linkRetryDelay, boolean updateOnFirstSubscription,
    Duration subscriptionLinger, int messageHwm, int messageRate, List<P8Listener> listeners,
    String metricsPrefix, Stats stats) {

  /** Pushpin's first wait before fetching a failed next link again: 1 s. */
  public static final Duration DEFAULT_LINK_RETRY_DELAY = Duration.ofSeconds(1);

  /**
   * Pushpin's stats socket.
   *
   * @param spec            where the PUB socket binds ({@code stats_spec})
   * @param format          the packet body encoding ({@code stats_format})
   * @param reportInterval  how often a {@code report} packet goes out
   * @param sendConnections whether {@code conn} packets are sent ({@code stats_connection_send})
   */
  public record Stats(String spec, StatsPublisher.Format format, Duration reportInterval,
      boolean sendConnections) { }

  /**
   * Pushpin's ZeroMQ publish inputs.
   *
   * @param pullSpec   the PULL socket's bind spec ({@code push_in_spec}), or null
   * @param subSpecs   the SUB socket's specs ({@code push_in_sub_specs}); empty for none
   * @param subConnect whether the SUB socket connects to them rather than binding
   * @param commandSpec the REP command socket's bind spec ({@code command_spec}), or null
   */
  public record ZmqInputs(String pullSpec, List<String> subSpecs, boolean subConnect, String commandSpec) { }
}

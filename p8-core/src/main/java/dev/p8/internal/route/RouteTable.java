package dev.p8.internal.route;

import dev.p8.route.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the route for a request, with Pushpin's rules.
 *
 * <ol>
 *   <li>If any route names the request's host exactly (ignoring case), only those routes are
 *       candidates, even if none of them matches; otherwise the {@code *} routes are.</li>
 *   <li>A candidate matches when its {@code proto}, {@code ssl} and {@code path_beg} options,
 *       where set, agree with the request.</li>
 *   <li>Among matches the most specific wins: a set {@code proto} beats an unset one, then a
 *       longer {@code path_beg} beats a shorter one, then a set {@code ssl} beats an unset
 *       one. Routes that tie on all three cannot exist, as those are duplicates.</li>
 * </ol>
 *
 * <p>Pushpin compares a candidate only with the best match so far, so when one route has the
 * longer {@code path_beg} and another the explicit {@code ssl}, its choice depends on line
 * order. P8 applies the three rules in order, so line order never matters.
 *
 * <p>Routes whose host is empty are reachable only through {@link #byId}. A route is a
 * duplicate when an earlier route has the same host (ignoring case), {@code proto},
 * {@code ssl} and {@code path_beg}; the first is kept and a warning logged. An id used by more
 * than one route reaches none of them, as in Pushpin, and is warned about too.
 *
 * <p>Immutable and thread safe.
 */
public final class RouteTable {

  private static final Logger log = LoggerFactory.getLogger(RouteTable.class);

  private final List<Route> routes;
  private final Map<String, List<Route>> byHost;
  private final List<Route> anyHost;
  private final Map<String, Route> byId;

  private RouteTable(List<Route> routes, Map<String, List<Route>> byHost, List<Route> anyHost,
      Map<String, Route> byId) {
    this.routes = List.copyOf(routes);
    this.byHost = byHost;
    this.anyHost = List.copyOf(anyHost);
    this.byId = byId;
  }

  /**
   * Builds a table, dropping duplicate conditions with a warning.
   *
   * @param routes the routes, in file order
   * @return the table
   */
  public static RouteTable of(List<Route> routes) {
    Objects.requireNonNull(routes, "routes");
    List<Route> kept = new ArrayList<>();
    Map<String, List<Route>> byHost = new HashMap<>();
    List<Route> anyHost = new ArrayList<>();
    Map<String, Route> byId = new LinkedHashMap<>();
    Set<String> sharedIds = new HashSet<>();
    Set<Condition> seen = new HashSet<>();
    for (Route route : routes) {
      Objects.requireNonNull(route, "route");
      String host = normalizeHost(route.host());
      if (!host.isEmpty()) {
        Condition condition = new Condition(host, route.proto().orElse(null),
            route.ssl().orElse(null), route.pathBeg().orElse(""));
        if (!seen.add(condition)) {
          log.warn("skipping route with a duplicate condition: {}", route);
          continue;
        }
      } else if (route.id().isEmpty()) {
        log.warn("route has neither host nor id, so no request can reach it: {}", route);
      }
      kept.add(route);
      if (host.equals("*")) {
        anyHost.add(route);
      } else if (!host.isEmpty()) {
        byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
      }
      Optional<String> id = route.id();
      if (id.isPresent()) {
        if (sharedIds.contains(id.get())) {
          continue;
        }
        if (byId.remove(id.get()) != null) {
          sharedIds.add(id.get());
          log.warn("route id {} is used by more than one route; no request can be routed by it",
              id.get());
        } else {
          byId.put(id.get(), route);
        }
      }
    }
    Map<String, List<Route>> frozen = new HashMap<>();
    byHost.forEach((host, list) -> frozen.put(host, List.copyOf(list)));
    return new RouteTable(kept, Map.copyOf(frozen), anyHost, Map.copyOf(byId));
  }

  /**
   * Finds the route for a request.
   *
   * @param host      the Host header without port, any case; an IPv6 address may be in
   *                  brackets; null or empty considers only {@code *} routes
   * @param path      the request path as received, percent-encoded, without the query
   * @param ssl       whether the request came over TLS
   * @param webSocket whether the request is a WebSocket upgrade
   * @return the most specific matching route, or empty when none matches (Pushpin then
   *     answers 502 "Route not found")
   */
  public Optional<Route> match(String host, String path, boolean ssl, boolean webSocket) {
    Objects.requireNonNull(path, "path");
    List<Route> candidates = host == null ? null : byHost.get(normalizeHost(host));
    if (candidates == null) {
      candidates = anyHost;
    }
    Route best = null;
    for (Route route : candidates) {
      if (matches(route, path, ssl, webSocket) && (best == null || moreSpecific(route, best))) {
        best = route;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Finds a route by its {@code id} option. The caller still checks the request path against
   * the route's {@code path_beg}, as Pushpin does for {@code Pushpin-Route}.
   *
   * @param id the id
   * @return the route, or empty when no route or more than one route has this id
   */
  public Optional<Route> byId(String id) {
    return Optional.ofNullable(byId.get(Objects.requireNonNull(id, "id")));
  }

  /**
   * Returns the routes kept, in the order given, duplicate conditions removed.
   *
   * @return the routes
   */
  public List<Route> routes() {
    return routes;
  }

  private static boolean matches(Route route, String path, boolean ssl, boolean webSocket) {
    Optional<String> proto = route.proto();
    if (proto.isPresent() && proto.get().equals("ws") != webSocket) {
      return false;
    }
    Optional<Boolean> routeSsl = route.ssl();
    if (routeSsl.isPresent() && routeSsl.get() != ssl) {
      return false;
    }
    return route.pathBeg().map(path::startsWith).orElse(true);
  }

  private static boolean moreSpecific(Route candidate, Route best) {
    boolean candidateProto = candidate.proto().isPresent();
    boolean bestProto = best.proto().isPresent();
    if (candidateProto != bestProto) {
      return candidateProto;
    }
    int candidateLength = candidate.pathBeg().map(String::length).orElse(0);
    int bestLength = best.pathBeg().map(String::length).orElse(0);
    if (candidateLength != bestLength) {
      return candidateLength > bestLength;
    }
    return candidate.ssl().isPresent() && best.ssl().isEmpty();
  }

  private static String normalizeHost(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    if (lower.length() > 1 && lower.startsWith("[") && lower.endsWith("]")) {
      return lower.substring(1, lower.length() - 1);
    }
    return lower;
  }

  private record Condition(String host, String proto, Boolean ssl, String pathBeg) {
  }
}

package dev.p8.undertow.internal;

import dev.p8.route.Route;

/** The Grip-Sig token for a request through a route: its own key if it has one, else the server's. */
final class Signatures {

  private Signatures() {}

  static String forRoute(Engine engine, Route route) {
    if (route.sigKey().isPresent()) {
      return engine.routeSignatures(route.sigIss().orElse(engine.config().sigIssuer()),
          route.sigKey().get()).token();
    }
    return engine.signatures().token();
  }
}

package dev.p8.undertow.internal;

import dev.p8.internal.sig.SigKey;

/**
 * How requests are dressed for the backend beyond copying them: pushpin.conf's
 * {@code x_forwarded_for}, {@code x_forwarded_for_trusted}, {@code accept_x_forwarded_protocol},
 * {@code set_x_forwarded_protocol}, {@code cdn_loop}, {@code accept_pushpin_route} and
 * {@code upstream_key}.
 *
 * @param xff                   the rule for ordinary clients
 * @param xffTrusted            the rule for clients signed with the upstream key
 * @param acceptForwardedProto  whether a client's {@code X-Forwarded-Proto(col): https|wss}
 *                              makes the request count as TLS
 * @param setForwardedProto     whether TLS requests get {@code X-Forwarded-Proto}
 * @param setForwardedProtocol  whether TLS requests get {@code X-Forwarded-Protocol} too
 * @param cdnLoop               appended to {@code CDN-Loop}, or empty for nothing
 * @param acceptPushpinRoute    whether {@code Pushpin-Route: id} picks the route
 * @param upstreamKey           the key a trusted upstream GRIP proxy signs with, or null
 */
public record Forwarding(XffRule xff, XffRule xffTrusted, boolean acceptForwardedProto,
    boolean setForwardedProto, boolean setForwardedProtocol, String cdnLoop,
    boolean acceptPushpinRoute, SigKey upstreamKey) {

  /** Pushpin's behaviour with none of these keys set. */
  public static final Forwarding DEFAULTS =
      new Forwarding(XffRule.NONE, XffRule.NONE, false, false, false, "", false, null);
}

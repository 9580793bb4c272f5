package dev.p8.internal.filter;

import dev.p8.internal.text.Quoting;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The filters P8 knows, by their wire names, each with what it acts on as Pushpin's
 * {@code Filter::targets} says. Delivery filters decide whether a subscriber gets an item;
 * content filters rewrite what it gets; response filters also rewrite the first response of a
 * held stream.
 */
enum Filter {

  /** Drops an item whose publish meta {@code sender} equals the subscriber's meta {@code user}. */
  SKIP_SELF("skip-self", true, false, false) {
    @Override
    boolean allows(FilterContext c) {
      String user = c.subscriptionMeta().get("user");
      String sender = c.publishMeta().get("sender");
      return isEmpty(user) || isEmpty(sender) || !sender.equals(user);
    }
  },

  /** Drops an item whose publish meta {@code skip_users} (comma list) names the subscriber. */
  SKIP_USERS("skip-users", true, false, false) {
    @Override
    boolean allows(FilterContext c) {
      String user = c.subscriptionMeta().get("user");
      String skip = c.publishMeta().get("skip_users");
      if (isEmpty(user) || isEmpty(skip)) {
        return true;
      }
      for (String part : skip.split(",", -1)) {
        if (part.trim().equals(user)) {
          return false;
        }
      }
      return true;
    }
  },

  /**
   * Drops an item unless the subscriber is also subscribed to the channel its publish meta
   * {@code require_sub} names.
   */
  REQUIRE_SUB("require-sub", true, false, false) {
    @Override
    boolean allows(FilterContext c) {
      String required = c.publishMeta().get("require_sub");
      return isEmpty(required) || c.prevIds().containsKey(required);
    }
  },

  /**
   * Replaces {@code %I} with the subscriber's ID, rendered from its meta {@code id_format}
   * ({@code %(channel)s} is that channel's prev-id), hex-encoded when its meta
   * {@code id_encoding} is {@code hex}; {@code %(literal)I} puts a literal ID.
   */
  BUILD_ID("build-id", false, true, true) {
    @Override
    byte[] apply(FilterContext c, byte[] content) {
      String format = c.subscriptionMeta().get("id_format");
      if (format == null) {
        throw new FilterException("build-id: the subscription has no meta 'id_format'");
      }
      byte[] id = null;
      if (!c.prevIds().isEmpty()) {
        try {
          id = Directives.process(format.getBytes(StandardCharsets.UTF_8),
              (type, arg) -> renderIdVariable(c.prevIds(), type, arg));
        } catch (IllegalArgumentException e) {
          throw new FilterException("build-id: cannot render meta 'id_format': "
              + e.getMessage());
        }
      }
      String encoding = c.subscriptionMeta().get("id_encoding");
      boolean hex = false;
      if (encoding != null) {
        if (!encoding.equals("hex")) {
          throw new FilterException("build-id: unsupported meta 'id_encoding' "
              + Quoting.quote(encoding, 40) + "; only \"hex\" is supported");
        }
        hex = true;
      }
      byte[] defaultId = id;
      boolean encodeHex = hex;
      try {
        return Directives.process(content, (type, arg) -> {
          if (type != 'I') {
            throw new IllegalArgumentException("unknown directive '" + type + "'");
          }
          byte[] value = arg != null ? arg.getBytes(StandardCharsets.UTF_8) : defaultId;
          if (value == null) {
            throw new IllegalArgumentException("no ID given and the subscription has no"
                + " channel prev-id to render one");
          }
          return encodeHex ? hex(value) : value;
        });
      } catch (IllegalArgumentException e) {
        throw new FilterException("build-id: " + e.getMessage());
      }
    }
  },

  /** Replaces {@code %(name)s} with the subscriber's meta value {@code name}. */
  VAR_SUBST("var-subst", false, true, false) {
    @Override
    byte[] apply(FilterContext c, byte[] content) {
      try {
        return Directives.process(content,
            (type, arg) -> renderVariable(c.subscriptionMeta(), type, arg));
      } catch (IllegalArgumentException e) {
        throw new FilterException("var-subst: " + e.getMessage());
      }
    }
  };

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  final String wireName;
  final boolean actsOnDelivery;
  final boolean actsOnContent;
  final boolean actsOnResponse;

  Filter(String wireName, boolean delivery, boolean content, boolean response) {
    this.wireName = wireName;
    this.actsOnDelivery = delivery;
    this.actsOnContent = content;
    this.actsOnResponse = response;
  }

  /** Whether the subscriber gets the item; only delivery filters say no. */
  boolean allows(FilterContext c) {
    return true;
  }

  /** The content for the subscriber; only content filters change it. */
  byte[] apply(FilterContext c, byte[] content) {
    return content;
  }

  static Filter byWireName(String name) {
    for (Filter f : values()) {
      if (f.wireName.equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static byte[] renderVariable(Map<String, String> vars, char type, String arg) {
    if (type != 's') {
      throw new IllegalArgumentException("unknown directive '" + type + "'");
    }
    if (arg == null) {
      throw new IllegalArgumentException("directive 's' requires an argument");
    }
    String value = vars.get(arg);
    if (value == null) {
      throw new IllegalArgumentException("no such variable " + Quoting.quote(arg, 40));
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] renderIdVariable(Map<String, String> prevIds, char type, String arg) {
    return renderVariable(prevIds, type, arg);
  }

  private static byte[] hex(byte[] value) {
    byte[] out = new byte[value.length * 2];
    for (int i = 0; i < value.length; i++) {
      out[2 * i] = HEX[(value[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[value[i] & 0xf];
    }
    return out;
  }
}

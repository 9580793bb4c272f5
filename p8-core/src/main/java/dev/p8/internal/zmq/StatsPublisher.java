package dev.p8.internal.zmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.p8.internal.tnet.Tnetstring;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Pushpin's stats output: a PUB socket on {@code stats_spec} that sends one-frame packets
 * {@code <type> T<tnetstring>} or {@code <type> J<json>} ({@code stats_format}).
 *
 * <p>Packet types and fields, as Pushpin's handler writes them: {@code activity} (route,
 * count), {@code message} (channel, item-id, count, blocks, transport), {@code conn} (id, route,
 * type {@code http}/{@code ws}, peer-address, ssl, ttl; or {@code unavailable: true}),
 * {@code sub} (mode, channel, ttl, subscribers; or {@code unavailable: true}) and
 * {@code report} (counters such as connections, minutes, received, sent). Every packet carries
 * {@code from} when an instance id was given. Negative counts are sent as 0 and negative
 * optional numbers are left out, as Pushpin does.
 *
 * <p>This class only encodes and sends; the caller decides when. Sending never blocks: a packet
 * is queued to the socket thread, and ZeroMQ drops it when no subscriber keeps up. While no
 * subscriber is subscribed, packets are not even encoded ({@link #isListened()}). Thread safe.
 */
public final class StatsPublisher implements AutoCloseable {

  /** The encoding of packet bodies, pushpin.conf {@code stats_format}. */
  public enum Format {
    /** {@code T} and a tnetstring, Pushpin's default. */
    TNETSTRING,
    /** {@code J} and JSON. */
    JSON
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String spec;
  private final Format format;
  private final String from;
  private final SocketThread thread = new SocketThread("p8-zmq-stats");
  private ZMQ.Socket pub;
  // Socket thread only: the prefixes some subscriber asked for.
  private final Set<String> prefixes = new HashSet<>();
  // Nobody subscribed means every packet would be dropped by ZeroMQ anyway: skip the encoding
  // and the hand-off to the socket thread, tens of microseconds per packet.
  private volatile boolean listened;
  private volatile String endpoint;

  /**
   * Creates a publisher; {@link #start()} binds it.
   *
   * @param spec   where to bind, such as {@code ipc:///run/pushpin/pushpin-stats} or a TCP
   *     endpoint
   * @param format how packet bodies are encoded
   * @param from   the instance id put in every packet as {@code from}, or null for none
   */
  public StatsPublisher(String spec, Format format, String from) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.format = Objects.requireNonNull(format, "format");
    this.from = from == null || from.isEmpty() ? null : from;
  }

  /**
   * Binds the socket and starts the socket thread.
   *
   * @return this publisher
   * @throws IllegalStateException if the spec cannot be bound; the message names it
   */
  public StatsPublisher start() {
    thread.start(t -> {
      // XPUB sends to SUB peers as PUB does, and also tells which prefixes they subscribed.
      pub = t.socket(SocketType.XPUB);
      SocketThread.bind(pub, spec, "stats_spec");
      endpoint = pub.getLastEndpoint();
      t.onReadable(pub, this::readSubscriptions);
    });
    return this;
  }

  /**
   * The bound endpoint, with the actual port when the spec had {@code *}.
   *
   * @return the endpoint, or null before start
   */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Sends an {@code activity} packet: requests on a route.
   *
   * @param route the route id, or null
   * @param count how many
   */
  public void activity(String route, int count) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(route);
    p.put("count", Math.max(0, count));
    send("activity", p);
  }

  /**
   * Sends a {@code message} packet: an item was delivered.
   *
   * @param channel   the channel
   * @param itemId    the item's id, or null
   * @param count     how many receivers
   * @param blocks    the item's blocks, or negative for none
   * @param transport {@code http-response}, {@code http-stream} or {@code ws-message}
   */
  public void message(String channel, String itemId, int count, int blocks, String transport) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(null);
    p.put("channel", Objects.requireNonNull(channel, "channel"));
    if (itemId != null) {
      p.put("item-id", itemId);
    }
    p.put("count", Math.max(0, count));
    if (blocks >= 0) {
      p.put("blocks", blocks);
    }
    p.put("transport", Objects.requireNonNull(transport, "transport"));
    send("message", p);
  }

  /**
   * Sends a {@code conn} packet for a connection that exists.
   *
   * @param id          the connection id
   * @param route       the route id, or null
   * @param webSocket   true for {@code ws}, false for {@code http}
   * @param peerAddress the client's address, or null
   * @param ssl         whether the client used TLS
   * @param ttl         seconds until the connection should be considered gone unless refreshed
   */
  public void connected(String id, String route, boolean webSocket, String peerAddress,
      boolean ssl, int ttl) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(route);
    p.put("id", Objects.requireNonNull(id, "id"));
    p.put("type", webSocket ? "ws" : "http");
    if (peerAddress != null) {
      p.put("peer-address", peerAddress);
    }
    if (ssl) {
      p.put("ssl", true);
    }
    p.put("ttl", ttl);
    send("conn", p);
  }

  /**
   * Sends a {@code conn} packet for a connection that is gone.
   *
   * @param id    the connection id
   * @param route the route id, or null
   */
  public void disconnected(String id, String route) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(route);
    p.put("id", Objects.requireNonNull(id, "id"));
    p.put("unavailable", true);
    send("conn", p);
  }

  /**
   * Sends a {@code sub} packet for a subscription that exists.
   *
   * @param mode        {@code response}, {@code stream} or {@code ws}
   * @param channel     the channel
   * @param ttl         seconds until it should be considered gone unless refreshed
   * @param subscribers how many subscribers, or negative to leave out
   */
  public void subscribed(String mode, String channel, int ttl, int subscribers) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(null);
    p.put("mode", Objects.requireNonNull(mode, "mode"));
    p.put("channel", Objects.requireNonNull(channel, "channel"));
    p.put("ttl", ttl);
    if (subscribers >= 0) {
      p.put("subscribers", subscribers);
    }
    send("sub", p);
  }

  /**
   * Sends a {@code sub} packet for a subscription that is gone.
   *
   * @param mode    the mode
   * @param channel the channel
   */
  public void unsubscribed(String mode, String channel) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(null);
    p.put("mode", Objects.requireNonNull(mode, "mode"));
    p.put("channel", Objects.requireNonNull(channel, "channel"));
    p.put("unavailable", true);
    send("sub", p);
  }

  /**
   * Sends a {@code report} packet. Pushpin's counter names: {@code connections} (the maximum
   * since the last report), {@code minutes}, {@code received}, {@code sent},
   * {@code http-response-sent}, {@code blocks-received}, {@code blocks-sent},
   * {@code duration} (ms), and {@code client-}/{@code server-} {@code header-bytes-},
   * {@code content-bytes-} and {@code messages-} {@code received}/{@code sent}.
   *
   * @param counters counter name to value; negative values are left out
   */
  public void report(Map<String, Long> counters) {
    if (!listened) {
      return;
    }
    Map<String, Object> p = packet(null);
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      if (e.getValue() != null && e.getValue() >= 0) {
        p.put(e.getKey(), e.getValue());
      }
    }
    send("report", p);
  }

  private Map<String, Object> packet(String route) {
    Map<String, Object> p = new LinkedHashMap<>();
    if (from != null) {
      p.put("from", from);
    }
    if (route != null && !route.isEmpty()) {
      p.put("route", route);
    }
    return p;
  }

  /**
   * Whether some subscriber is connected and subscribed: packets are sent only then.
   *
   * @return true once a subscription arrived, until the last is gone
   */
  public boolean isListened() {
    return listened;
  }

  private void readSubscriptions(ZMQ.Socket socket) {
    byte[] frame;
    while ((frame = socket.recv(ZMQ.DONTWAIT)) != null) {
      if (frame.length == 0 || frame[0] != 0 && frame[0] != 1) {
        continue;
      }
      String prefix = new String(frame, 1, frame.length - 1, StandardCharsets.ISO_8859_1);
      if (frame[0] == 1) {
        prefixes.add(prefix);
      } else {
        prefixes.remove(prefix);
      }
      listened = !prefixes.isEmpty();
    }
  }

  private void send(String type, Map<String, Object> fields) {
    byte[] frame = encode(type, fields, format);
    thread.execute(() -> pub.send(frame, ZMQ.DONTWAIT));
  }

  /**
   * Encodes one packet.
   *
   * @param type   the packet type, such as {@code message}
   * @param fields the fields: strings, numbers and booleans
   * @param format the body encoding
   * @return the frame, {@code <type> T...} or {@code <type> J...}
   */
  public static byte[] encode(String type, Map<String, Object> fields, Format format) {
    byte[] body;
    if (format == Format.JSON) {
      try {
        body = JSON.writeValueAsBytes(fields);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("encoding a stats packet failed", e);
      }
    } else {
      body = Tnetstring.encode(fields);
    }
    byte[] head = (type + (format == Format.JSON ? " J" : " T"))
        .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + body.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  /** Stops the socket thread and closes the socket. Idempotent. */
  @Override
  public void close() {
    thread.close();
  }
}

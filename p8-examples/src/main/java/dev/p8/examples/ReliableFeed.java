package dev.p8.examples;

import dev.p8.backend.GripHeaders;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A reliable Server-Sent Events feed: a publish that never reaches P8 is not lost to the
 * clients. Every message has an id and names the one before it ({@code prev-id}); each stream
 * is held with the id of the last message it was sent and a next link. When an item arrives
 * whose {@code prev-id} is not the stream's last id, P8 waits up to {@code message_wait} for
 * the missing one, then fetches the next link with {@code Grip-Last: feed; last-id=N}, and
 * this backend answers with everything after N.
 *
 * <ul>
 *   <li>{@code GET /feed} — the stream: every message so far, then live ones.
 *   <li>{@code GET /feed/next?after=N} — what P8 fetches to recover (not for clients).
 *   <li>{@code POST /say} — adds a message and publishes it.
 *   <li>{@code POST /say?lose=1} — adds a message but "loses" its publish, as a crashed
 *       publisher or a dropped ZeroMQ message would; the next say brings it to the clients.
 * </ul>
 *
 * <pre>curl -N http://localhost:7999/feed &amp;
 * curl -d one http://localhost:7999/say; curl -d two 'http://localhost:7999/say?lose=1'
 * curl -d three http://localhost:7999/say   # the stream shows two, then three</pre>
 */
public final class ReliableFeed implements HttpHandler {

  /** The channel of the feed. */
  public static final String CHANNEL = "feed";

  /** How long P8 waits for a missing message before it asks this backend. */
  static final Duration MESSAGE_WAIT = Duration.ofMillis(500);

  private static final HttpString GRIP_LAST = HttpString.tryFromString("Grip-Last");

  // The log every client can catch up from; ids are positions, from 1.
  private final List<String> log = new ArrayList<>();
  private final Publisher publisher;

  private ReliableFeed(Publisher publisher) {
    this.publisher = publisher;
  }

  /**
   * Starts P8 with this feed as its in-process origin.
   *
   * @param port the client port on 127.0.0.1, or 0 for any
   * @return the running server
   */
  public static P8Server start(int port) {
    P8Server.Builder builder = P8Server.builder();
    ReliableFeed feed = new ReliableFeed(builder.publisher());
    return builder
        .listen("127.0.0.1", port)
        .noControlListener()
        .messageWait(MESSAGE_WAIT)
        .route("*", feed)
        .build()
        .start();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    switch (exchange.getRequestPath()) {
      case "/feed" -> stream(exchange, 0);
      case "/feed/next" -> stream(exchange, after(exchange));
      case "/say" -> {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
          exchange.setStatusCode(405).getResponseSender().send("Use POST\n");
          return;
        }
        exchange.startBlocking();
        String text = new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        say(text, exchange.getQueryParameters().containsKey("lose"));
        exchange.getResponseSender().send("Said\n");
      }
      default -> exchange.setStatusCode(404).getResponseSender().send("Not found\n");
    }
  }

  /** Everything after {@code after}, then held: the stream continues from the last id. */
  private void stream(HttpServerExchange exchange, int after) {
    StringBuilder body = new StringBuilder();
    int last;
    synchronized (log) {
      for (int id = after + 1; id <= log.size(); id++) {
        body.append(event(id, log.get(id - 1)));
      }
      last = log.size();
    }
    GripHeaders.Builder grip = GripHeaders.builder().holdStream()
        .nextLink("/feed/next?after=" + last, Duration.ofSeconds(120));
    // With no message yet there is no prev-id: any first message follows.
    grip = last == 0 ? grip.channel(CHANNEL) : grip.channel(CHANNEL, Integer.toString(last));
    grip.build().forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
    exchange.getResponseSender().send(body.length() == 0 ? ": open\n\n" : body.toString());
  }

  /** Where to resume: P8's {@code Grip-Last} when it sent one, else the link's own query. */
  private static int after(HttpServerExchange exchange) {
    String last = exchange.getRequestHeaders().getFirst(GRIP_LAST);
    if (last != null) {
      int at = last.indexOf("last-id=");
      if (at >= 0) {
        return parse(last.substring(at + "last-id=".length()).strip());
      }
    }
    String query = exchange.getQueryParameters().containsKey("after")
        ? exchange.getQueryParameters().get("after").getFirst() : "0";
    return parse(query);
  }

  private static int parse(String id) {
    try {
      return Math.max(0, Integer.parseInt(id));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void say(String text, boolean lose) {
    int id;
    synchronized (log) {
      log.add(text);
      id = log.size();
    }
    if (lose) {
      return;
    }
    Item.Builder item = Item.builder(CHANNEL).id(Integer.toString(id))
        .httpStream(HttpStreamFormat.send(event(id, text)));
    if (id > 1) {
      item.prevId(Integer.toString(id - 1));
    }
    publisher.publish(item.build());
  }

  private static String event(int id, String text) {
    return "id: " + id + "\ndata: " + text + "\n\n";
  }

  /**
   * Runs on port 7999 until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    P8Server p8 = start(P8Server.DEFAULT_PORT);
    System.out.println("Reliable feed on " + p8.url() + "feed; say with curl -d hello " + p8.url() + "say"
        + " (add ?lose=1 to drop a publish)");
  }
}

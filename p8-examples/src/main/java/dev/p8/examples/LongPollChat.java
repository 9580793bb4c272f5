package dev.p8.examples;

import dev.p8.backend.GripHeaders;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.time.Duration;

/**
 * A chat over HTTP long-polling. {@code GET /messages} waits (up to 30 s) for the next
 * message; {@code POST /messages} with a text body sends one to everybody waiting.
 *
 * <pre>
 * curl http://localhost:7999/messages &amp;
 * curl -d 'hello' http://localhost:7999/messages
 * </pre>
 *
 * <p>The backend never waits: it answers {@code GET} at once with GRIP headers, and P8 holds
 * the client until something is published on channel {@code chat}.
 */
public final class LongPollChat {

  /** The channel messages go to. */
  public static final String CHANNEL = "chat";

  private LongPollChat() {}

  /**
   * The chat backend.
   *
   * @param publisher where {@code POST /messages} publishes
   * @return the handler
   */
  public static HttpHandler backend(Publisher publisher) {
    return exchange -> {
      if (!exchange.getRequestPath().equals("/messages")) {
        exchange.setStatusCode(404).getResponseSender().send("Not found\n");
      } else if (exchange.getRequestMethod().equals(Methods.POST)) {
        exchange.getRequestReceiver().receiveFullString((ex, text) -> {
          publisher.publish(Item.response(CHANNEL, text.strip() + "\n"));
          ex.setStatusCode(202).getResponseSender().send("Sent\n");
        });
      } else {
        GripHeaders.builder().holdResponse().channel(CHANNEL).timeout(Duration.ofSeconds(30)).build()
            .forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        // Sent only if nothing is published before the timeout.
        exchange.setStatusCode(204).getResponseSender().send("");
      }
    };
  }

  /**
   * Starts the chat.
   *
   * @param port        the client port, or 0 for any
   * @param controlPort the control API port, or 0 for any
   * @return the running chat
   */
  public static ExampleServer start(int port, int controlPort) {
    return ExampleServer.start(port, controlPort, LongPollChat::backend, "* {origin}");
  }

  /**
   * Runs the chat on port 7999 until the process ends.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    ExampleServer chat = start(P8Server.DEFAULT_PORT, P8Server.DEFAULT_CONTROL_PORT);
    Runtime.getRuntime().addShutdownHook(new Thread(chat::close));
    System.out.println("Long-poll chat on " + chat.url() + "/messages");
  }
}

package dev.p8.examples;

import dev.p8.publish.HttpPublisher;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.Publisher;
import dev.p8.publish.WsMessageFormat;
import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * Publishing from any Java process to P8 or Pushpin over the control API: one item that
 * reaches long-polls, streams (as a Server-Sent Event) and WebSockets alike.
 *
 * <pre>java -cp p8.jar dev.p8.examples.PublishFromJava http://localhost:5561 demo "hello"</pre>
 *
 * <p>In the same process as P8, use {@code P8Server.publisher()} instead: it is the same
 * {@link Publisher} interface without the HTTP hop. To reach several instances, add one
 * endpoint per instance to the builder.
 */
public final class PublishFromJava {

  private PublishFromJava() {}

  /**
   * Publishes {@code text} to {@code channel}.
   *
   * @param control the control API, such as {@code http://localhost:5561}
   * @param channel the channel
   * @param text    one line of text
   * @return completes when P8 accepted the item
   */
  public static CompletionStage<Void> publish(URI control, String channel, String text) {
    Publisher publisher = HttpPublisher.builder().endpoint(control).build();
    Item item = Item.builder(channel)
        .httpResponse(HttpResponseFormat.builder().body(text + "\n").build())
        .httpStream(HttpStreamFormat.send("data: " + text + "\n\n"))
        .wsMessage(WsMessageFormat.text(text))
        .build();
    return publisher.publish(item);
  }

  /**
   * Publishes once and exits; exits with status 1 if P8 refused or could not be reached.
   *
   * @param args the control API URL, the channel and the text
   */
  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: PublishFromJava CONTROL_URL CHANNEL TEXT");
      System.exit(2);
    }
    try {
      publish(URI.create(args[0]), args[1], args[2]).toCompletableFuture().join();
      System.out.println("Published");
    } catch (RuntimeException e) {
      System.err.println("Publish failed: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      System.exit(1);
    }
  }
}

package dev.p8.publish;

import dev.p8.internal.publish.FieldSyntax;
import dev.p8.internal.publish.ItemJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes items over HTTP to the control API of one or more P8 or Pushpin instances.
 *
 * <p>Each {@link #publish(List)} encodes the items once as {@code {"items":[...]}} and POSTs
 * them with {@code Content-Type: application/json} to {@code <endpoint>/publish/} of every
 * endpoint in parallel. The returned stage completes normally when every endpoint answered
 * 2xx, and otherwise exceptionally with a {@link PublishException} naming the first failing
 * endpoint (in the order they were added), its status and the start of its answer; failures of
 * further endpoints are attached as suppressed exceptions. The stage completes only after every
 * endpoint has answered, failed or timed out.
 *
 * <pre>{@code
 * Publisher publisher = HttpPublisher.builder()
 *     .endpoint(URI.create("http://127.0.0.1:5561"))
 *     .build();
 * publisher.publish(Item.stream("news", "data: hello\n\n"));
 * }</pre>
 *
 * <p>Instances are immutable and thread safe, and never block the caller: requests run on the
 * {@link HttpClient}'s executor. Publishing an empty list completes at once without a request.
 */
public final class HttpPublisher implements Publisher {

  /** The default time allowed for one endpoint to answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** How much of an error answer is read, and how many characters of it a message shows. */
  static final int MAX_BODY_BYTES = 1024;
  static final int MAX_BODY_CHARS = 200;

  private static final Set<String> RESERVED_HEADERS =
      Set.of("connection", "content-length", "content-type", "expect", "host", "upgrade");

  private final List<URI> publishUris;
  private final Duration timeout;
  private final List<Header> headers;
  private final HttpClient client;

  private HttpPublisher(Builder b) {
    this.publishUris = List.copyOf(b.publishUris);
    this.timeout = b.timeout;
    this.headers = List.copyOf(b.headers);
    this.client = b.client != null ? b.client : HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Starts a publisher: no endpoint, a {@linkplain #DEFAULT_TIMEOUT 10 second} timeout, no
   * extra headers and a client of its own.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Posts the items to every endpoint.
   *
   * @param items the items, in the order subscribers should see them
   * @return a stage that completes when all endpoints accepted the items, or exceptionally with
   *     a {@link PublishException}
   * @throws NullPointerException if the list or one of its items is null
   */
  @Override
  public CompletionStage<Void> publish(List<Item> items) {
    Objects.requireNonNull(items, "items");
    if (items.isEmpty()) {
      return CompletableFuture.completedStage(null);
    }
    byte[] body = ItemJson.encodeItems(items);
    List<CompletableFuture<PublishException>> outcomes = new ArrayList<>(publishUris.size());
    for (URI uri : publishUris) {
      outcomes.add(post(uri, body));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).whenComplete((v, t) -> {
      PublishException first = null;
      for (CompletableFuture<PublishException> outcome : outcomes) {
        PublishException failure = outcome.join();
        if (failure == null) {
          continue;
        }
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
      if (first == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(first);
      }
    });
    return result.minimalCompletionStage();
  }

  /** Completes with null on success and with the failure otherwise; never exceptionally. */
  private CompletableFuture<PublishException> post(URI uri, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Header h : headers) {
      request.header(h.name(), h.value());
    }
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = client.sendAsync(request.build(),
          info -> new BoundedBodySubscriber(MAX_BODY_BYTES));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          new PublishException("publish to " + uri + " failed: " + e, e));
    }
    // The request timeout covers the wait for the status line; this also bounds the body.
    return exchange.copy()
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle((response, error) -> {
          if (error != null) {
            exchange.cancel(true);
            return failure(uri, error);
          }
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            return null;
          }
          return new PublishException("publish to " + uri + " failed: HTTP " + status + ": "
              + excerpt(response.body()));
        });
  }

  private PublishException failure(URI uri, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return new PublishException("publish to " + uri + " timed out after "
          + timeout.toMillis() + " ms (option timeout)", cause);
    }
    return new PublishException("publish to " + uri + " failed: " + cause, cause);
  }

  /** The start of an answer as one printable line, so a message never carries raw input. */
  static String excerpt(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return "(empty body)";
    }
    boolean truncated = text.length() > MAX_BODY_CHARS || body.length >= MAX_BODY_BYTES;
    if (text.length() > MAX_BODY_CHARS) {
      text = text.substring(0, MAX_BODY_CHARS);
    }
    StringBuilder sb = new StringBuilder(text.length() + 3);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return truncated ? sb.append("...").toString() : sb.toString();
  }

  @Override
  public String toString() {
    return "HttpPublisher{endpoints=" + publishUris + ", timeout=" + timeout.toMillis() + " ms}";
  }

  /**
   * Builds an {@link HttpPublisher}. Every setter checks its argument at once and throws
   * {@link IllegalArgumentException} naming the option and the value. Not thread safe.
   */
  public static final class Builder {

    private final List<URI> publishUris = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private final List<Header> headers = new ArrayList<>();
    private HttpClient client;

    private Builder() {
    }

    /**
     * Adds an endpoint: the base URI of a control API, such as {@code http://127.0.0.1:5561}
     * for Pushpin's default, or one with a path prefix such as
     * {@code https://example.com/realm/abc}. Items go to the base followed by
     * {@code /publish/}. Call once per instance to publish to several.
     *
     * @param controlBase an absolute {@code http} or {@code https} URI without user info,
     *     query or fragment; a trailing slash is ignored
     * @return this builder
     * @throws IllegalArgumentException if the URI is not such a URI or was already added
     */
    public Builder endpoint(URI controlBase) {
      Objects.requireNonNull(controlBase, "endpoint");
      String scheme = controlBase.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || controlBase.getHost() == null) {
        throw new IllegalArgumentException("endpoint must be an absolute http or https URI with"
            + " a host, was " + controlBase);
      }
      if (controlBase.getRawUserInfo() != null) {
        // The URI is not echoed: its user info may hold a password.
        throw new IllegalArgumentException("endpoint must not contain user info; send"
            + " credentials with header(\"Authorization\", ...) instead");
      }
      if (controlBase.getRawQuery() != null || controlBase.getRawFragment() != null) {
        throw new IllegalArgumentException("endpoint must not have a query or fragment, was "
            + controlBase);
      }
      String path = controlBase.getRawPath() == null ? "" : controlBase.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      URI publishUri = URI.create(scheme.toLowerCase(Locale.ROOT) + "://"
          + controlBase.getRawAuthority() + path + "/publish/");
      if (publishUris.contains(publishUri)) {
        throw new IllegalArgumentException("endpoint " + controlBase + " was already added");
      }
      publishUris.add(publishUri);
      return this;
    }

    /**
     * Sets how long one endpoint may take to answer, from sending the request to reading the
     * answer. The default value is 10 seconds. Also the connect timeout of the default client.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if the duration is zero or negative
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Adds a header to every request, for example {@code Authorization}. Repeating a name adds
     * another field.
     *
     * @param name  the header name, an HTTP token; not one the publisher or the HTTP client
     *     sets itself ({@code Content-Type}, {@code Content-Length}, {@code Host},
     *     {@code Connection}, {@code Expect}, {@code Upgrade})
     * @param value the value, without control characters
     * @return this builder
     * @throws IllegalArgumentException if the name or value is not allowed
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      if (!FieldSyntax.isToken(name)) {
        throw new IllegalArgumentException("header name must be an HTTP token, was \"" + name
            + "\"");
      }
      if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header " + name + " is set by the publisher and"
            + " cannot be added");
      }
      if (!FieldSyntax.isFieldText(value)) {
        throw new IllegalArgumentException("value of header " + name + " must not contain"
            + " control characters such as CR or LF");
      }
      headers.add(new Header(name, value));
      return this;
    }

    /**
     * Sets the HTTP client, for example to share one client's connections and threads or to
     * configure TLS or a proxy. By default each publisher builds its own HTTP/1.1 client with
     * a connect timeout equal to {@link #timeout(Duration)} that does not follow redirects.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Builds the publisher.
     *
     * @return the publisher
     * @throws IllegalStateException if no endpoint was added
     */
    public HttpPublisher build() {
      if (publishUris.isEmpty()) {
        throw new IllegalStateException("HttpPublisher needs at least one endpoint: call"
            + " endpoint(URI)");
      }
      return new HttpPublisher(this);
    }
  }
}

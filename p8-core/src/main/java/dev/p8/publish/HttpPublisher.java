package dev.p8.publish;

import dev.p8.grip.GripSig;
import dev.p8.internal.publish.FieldSyntax;
import dev.p8.internal.publish.ItemJson;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <h2>Credentials</h2>
 * {@link Builder#basicAuth(String, String)}, {@link Builder#bearerToken(String)} and
 * {@link Builder#jwtAuth(String, byte[])} set the {@code Authorization} of every endpoint that
 * has none of its own. {@link Builder#gripUrl(String)} adds an endpoint with its own
 * credentials, read from a GRIP URL as the GRIP client libraries do:
 * {@code http://host:5561/?iss=realm&key=base64:c2VjcmV0} signs a fresh HS256 JWT with claim
 * {@code iss} for each request and sends it as {@code Bearer}; {@code key} without {@code iss}
 * is sent as a {@code Bearer} token itself; user info ({@code http://user:pass@host/}) is sent
 * as {@code Basic}.
 *
 * <h2>Retries</h2>
 * With {@link Builder#retries(int)} above 0 (the default is 0), a request that could not be
 * sent, timed out or got a 5xx or 429 answer is tried again after
 * {@link Builder#retryBackoff(Duration)} (100 ms by default), doubling each time up to
 * {@value #MAX_BACKOFF_SECONDS} seconds. A 4xx answer is never retried: the items would be
 * refused again. A retried publish may deliver an item twice when the first attempt reached the
 * server but its answer was lost; give items an {@code id} so that Pushpin's and P8's ID cache
 * drops the repeat.
 *
 * <p>Instances are immutable and thread safe, and never block the caller: requests run on the
 * {@link HttpClient}'s executor. Publishing an empty list completes at once without a request.
 */
public final class HttpPublisher implements Publisher {

  /** The default time allowed for one endpoint to answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** The default time before the first retry; each further retry waits twice as long. */
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);

  /** The most retries {@link Builder#retries(int)} allows. */
  public static final int MAX_RETRIES = 10;

  /** The longest wait between two attempts, in seconds. */
  public static final int MAX_BACKOFF_SECONDS = 10;

  /** How much of an error answer is read, and how many characters of it a message shows. */
  static final int MAX_BODY_BYTES = 1024;
  static final int MAX_BODY_CHARS = 200;

  private static final Set<String> RESERVED_HEADERS =
      Set.of("connection", "content-length", "content-type", "expect", "host", "upgrade");

  private final List<URI> publishUris;
  private final List<Credentials> credentials;
  private final Duration timeout;
  private final List<Header> headers;
  private final int retries;
  private final long backoffMillis;
  private final HttpClient client;

  private HttpPublisher(Builder b) {
    this.publishUris = List.copyOf(b.publishUris.keySet());
    List<Credentials> perEndpoint = new ArrayList<>();
    for (Credentials c : b.publishUris.values()) {
      perEndpoint.add(c != Credentials.NONE ? c : b.defaultCredentials);
    }
    this.credentials = List.copyOf(perEndpoint);
    this.timeout = b.timeout;
    this.headers = List.copyOf(b.headers);
    this.retries = b.retries;
    this.backoffMillis = b.retryBackoff.toMillis();
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
    for (int i = 0; i < publishUris.size(); i++) {
      CompletableFuture<PublishException> outcome = new CompletableFuture<>();
      attempt(publishUris.get(i), credentials.get(i), body, 1, outcome);
      outcomes.add(outcome);
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

  /** Completes {@code result} with null on success and with the failure otherwise. */
  private void attempt(URI uri, Credentials auth, byte[] body, int attempt,
      CompletableFuture<PublishException> result) {
    post(uri, auth, body).whenComplete((failure, unexpected) -> {
      if (unexpected != null) {
        result.complete(new PublishException("publish to " + uri + " failed: " + unexpected,
            unexpected));
      } else if (failure == null) {
        result.complete(null);
      } else if (failure.retryable && attempt <= retries) {
        long delay = Math.min(backoffMillis << Math.min(attempt - 1, 20),
            MAX_BACKOFF_SECONDS * 1000L);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
            .execute(() -> attempt(uri, auth, body, attempt + 1, result));
      } else if (attempt > 1) {
        PublishException last = new PublishException(failure.exception.getMessage()
            + " (after " + attempt + " attempts)", failure.exception.getCause());
        result.complete(last);
      } else {
        result.complete(failure.exception);
      }
    });
  }

  /** One attempt's failure, and whether another attempt could succeed. */
  private static final class Failure {
    final PublishException exception;
    final boolean retryable;

    Failure(PublishException exception, boolean retryable) {
      this.exception = exception;
      this.retryable = retryable;
    }
  }

  /** Completes with null on success and with the failure otherwise; never exceptionally. */
  private CompletableFuture<Failure> post(URI uri, Credentials auth, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Header h : headers) {
      request.header(h.name(), h.value());
    }
    String authorization = auth.authorization(Instant.now());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = client.sendAsync(request.build(),
          info -> new BoundedBodySubscriber(MAX_BODY_BYTES));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Failure(
          new PublishException("publish to " + uri + " failed: " + e, e), false));
    }
    // The request timeout covers the wait for the status line; this also bounds the body.
    return exchange.copy()
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle((response, error) -> {
          if (error != null) {
            exchange.cancel(true);
            return new Failure(failure(uri, error), true);
          }
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            return null;
          }
          return new Failure(new PublishException("publish to " + uri + " failed: HTTP "
              + status + ": " + excerpt(response.body())), status >= 500 || status == 429);
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

    private final Map<URI, Credentials> publishUris = new LinkedHashMap<>();
    private Credentials defaultCredentials = Credentials.NONE;
    private String defaultCredentialsOption;
    private Duration timeout = DEFAULT_TIMEOUT;
    private final List<Header> headers = new ArrayList<>();
    private int retries;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
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
      return endpoint(controlBase, Credentials.NONE);
    }

    private Builder endpoint(URI controlBase, Credentials credentials) {
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
      if (publishUris.containsKey(publishUri)) {
        throw new IllegalArgumentException("endpoint " + controlBase + " was already added");
      }
      publishUris.put(publishUri, credentials);
      return this;
    }

    /**
     * Adds an endpoint from a GRIP URL, the form GRIP libraries and {@code pushpin-publish}
     * take: the control API base with credentials in the query ({@code iss}, {@code key}, the
     * key raw or as {@code base64:...}) or in the user info. Other query parameters are
     * ignored. The credentials apply to this endpoint only.
     *
     * @param gripUrl for example {@code http://localhost:5561/?iss=realm&key=base64:c2VjcmV0}
     * @return this builder
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL, its
     *     {@code key} is not valid base64, or it gives both user info and a key; the message
     *     never repeats the credentials
     */
    public Builder gripUrl(String gripUrl) {
      Objects.requireNonNull(gripUrl, "gripUrl");
      URI uri;
      try {
        uri = new URI(gripUrl);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("gripUrl is not a valid URI (at index "
            + e.getIndex() + ")");
      }
      String iss = null;
      String key = null;
      if (uri.getRawQuery() != null) {
        for (String pair : uri.getRawQuery().split("&")) {
          int eq = pair.indexOf('=');
          String name = decode(eq < 0 ? pair : pair.substring(0, eq));
          String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
          if (name.equals("iss")) {
            iss = value;
          } else if (name.equals("key")) {
            key = value;
          }
        }
      }
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null && key != null) {
        throw new IllegalArgumentException("gripUrl must not give both user info and a key");
      }
      Credentials credentials = Credentials.NONE;
      if (key != null) {
        byte[] keyBytes;
        if (key.startsWith("base64:")) {
          try {
            keyBytes = Base64.getDecoder().decode(key.substring("base64:".length()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gripUrl key is not valid base64");
          }
        } else {
          keyBytes = key.getBytes(StandardCharsets.UTF_8);
        }
        if (keyBytes.length == 0) {
          throw new IllegalArgumentException("gripUrl key must not be empty");
        }
        if (iss != null) {
          credentials = Credentials.jwt(iss, keyBytes);
        } else {
          String token = new String(keyBytes, StandardCharsets.UTF_8);
          if (!FieldSyntax.isFieldText(token)) {
            throw new IllegalArgumentException("gripUrl key without iss is sent as a Bearer"
                + " token and must not contain control characters");
          }
          credentials = Credentials.fixed("Bearer " + token);
        }
      } else if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        credentials = Credentials.basic(user, password);
      }
      URI base;
      try {
        base = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(),
            null, null);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("gripUrl has no usable base URI");
      }
      return endpoint(base, credentials);
    }

    private static String decode(String s) {
      try {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gripUrl has an invalid %-escape in its credentials");
      }
    }

    /**
     * Sends {@code Authorization: Basic} with these credentials to every endpoint without its
     * own. At most one of the credential options may be set.
     *
     * @param user     the user name, without ':'
     * @param password the password
     * @return this builder
     */
    public Builder basicAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("basicAuth user must not contain ':'");
      }
      return defaultCredentials(Credentials.basic(user, password), "basicAuth");
    }

    /**
     * Sends {@code Authorization: Bearer <token>} to every endpoint without its own.
     *
     * @param token the token, without control characters
     * @return this builder
     */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isEmpty() || !FieldSyntax.isFieldText(token)) {
        throw new IllegalArgumentException("bearerToken must be non-empty text without control"
            + " characters");
      }
      return defaultCredentials(Credentials.fixed("Bearer " + token), "bearerToken");
    }

    /**
     * Signs a fresh HS256 JWT with claim {@code iss} (valid one hour, see {@link GripSig}) for
     * every request, and sends it as {@code Authorization: Bearer} to every endpoint without
     * credentials of its own.
     *
     * @param issuer the {@code iss} claim, the realm
     * @param key    the signing key, not empty; copied
     * @return this builder
     */
    public Builder jwtAuth(String issuer, byte[] key) {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(key, "key");
      if (key.length == 0) {
        throw new IllegalArgumentException("jwtAuth key must not be empty");
      }
      return defaultCredentials(Credentials.jwt(issuer, key.clone()), "jwtAuth");
    }

    private Builder defaultCredentials(Credentials credentials, String option) {
      if (defaultCredentialsOption != null) {
        throw new IllegalArgumentException(option + " conflicts with " + defaultCredentialsOption
            + ": set one kind of credentials");
      }
      this.defaultCredentials = credentials;
      this.defaultCredentialsOption = option;
      return this;
    }

    /**
     * How many times a failed request is tried again; see the class comment for which
     * failures. The default is 0.
     *
     * @param retries 0 to {@value #MAX_RETRIES}
     * @return this builder
     */
    public Builder retries(int retries) {
      if (retries < 0 || retries > MAX_RETRIES) {
        throw new IllegalArgumentException("retries must be between 0 and " + MAX_RETRIES
            + ", was " + retries);
      }
      this.retries = retries;
      return this;
    }

    /**
     * How long to wait before the first retry; each further retry waits twice as long as the
     * one before, up to {@value #MAX_BACKOFF_SECONDS} seconds. The default is 100 ms.
     *
     * @param backoff a positive duration
     * @return this builder
     */
    public Builder retryBackoff(Duration backoff) {
      Objects.requireNonNull(backoff, "retryBackoff");
      if (backoff.isZero() || backoff.isNegative()) {
        throw new IllegalArgumentException("retryBackoff must be positive, was " + backoff);
      }
      this.retryBackoff = backoff;
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
     * @throws IllegalStateException if no endpoint was added, or credentials were set both
     *     with {@code header("Authorization", ...)} and another option
     */
    public HttpPublisher build() {
      if (publishUris.isEmpty()) {
        throw new IllegalStateException("HttpPublisher needs at least one endpoint: call"
            + " endpoint(URI)");
      }
      boolean authorizationHeader = headers.stream()
          .anyMatch(h -> h.name().equalsIgnoreCase("Authorization"));
      if (authorizationHeader && defaultCredentialsOption != null) {
        throw new IllegalStateException("header(\"Authorization\", ...) conflicts with "
            + defaultCredentialsOption + ": set one kind of credentials");
      }
      if (authorizationHeader && publishUris.values().stream()
          .anyMatch(c -> c != Credentials.NONE)) {
        throw new IllegalStateException("header(\"Authorization\", ...) conflicts with the"
            + " credentials of a gripUrl: set one kind of credentials");
      }
      return new HttpPublisher(this);
    }
  }

  /** What goes into {@code Authorization}: nothing, a fixed value, or a JWT signed per request. */
  private abstract static class Credentials {

    static final Credentials NONE = new Credentials() {
      @Override
      String authorization(Instant now) {
        return null;
      }
    };

    abstract String authorization(Instant now);

    static Credentials fixed(String value) {
      return new Credentials() {
        @Override
        String authorization(Instant now) {
          return value;
        }
      };
    }

    static Credentials basic(String user, String password) {
      return fixed("Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static Credentials jwt(String issuer, byte[] key) {
      return new Credentials() {
        @Override
        String authorization(Instant now) {
          return "Bearer " + GripSig.sign(issuer, key, now);
        }
      };
    }
  }
}

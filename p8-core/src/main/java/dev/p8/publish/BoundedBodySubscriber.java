package dev.p8.publish;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects at most {@code limit} bytes of a response body and then cancels the rest, so that an
 * endpoint answering with a huge or endless body cannot hold memory or the publish open. Used
 * once per response; the HTTP client calls it from one thread at a time.
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

  private final int limit;
  private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  BoundedBodySubscriber(int limit) {
    this.limit = limit;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      int n = Math.min(buffer.remaining(), limit - collected.size());
      byte[] chunk = new byte[n];
      buffer.get(chunk);
      collected.write(chunk, 0, n);
    }
    if (collected.size() >= limit) {
      body.complete(collected.toByteArray());
      subscription.cancel();
    }
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    body.complete(collected.toByteArray());
  }
}

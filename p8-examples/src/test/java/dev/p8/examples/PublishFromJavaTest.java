package dev.p8.examples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.publish.PublishException;
import dev.p8.undertow.P8Server;
import dev.p8.undertow.junit.ControlUrl;
import dev.p8.undertow.junit.P8Test;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PublishFromJava} against a real P8 control API. */
@P8Test
class PublishFromJavaTest {

  @Test
  void p8AcceptsTheItem(@ControlUrl URI control) throws Exception {
    PublishFromJava.publish(control, "nobody-listens", "hello").toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailureSaysWhy(P8Server server) {
    URI nowhere = URI.create("http://127.0.0.1:" + server.port() + "/no-control-api-here");
    assertThatThrownBy(() -> PublishFromJava.publish(nowhere, "c", "x").toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PublishException.class);
  }
}

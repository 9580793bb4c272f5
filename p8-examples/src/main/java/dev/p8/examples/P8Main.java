package dev.p8.examples;

import dev.p8.undertow.P8Server;
import dev.p8.undertow.Standalone;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The entry point of {@code p8.jar}. With no arguments it starts the demo: P8 on port 7999
 * (control API on 5561) in front of {@link DemoBackend}. With arguments it runs P8 standalone
 * with Pushpin's command line ({@code --config pushpin.conf}, {@code --route}, ...).
 */
public final class P8Main {

  /**
   * The JVM options to run {@code p8.jar} standalone with, as measured in docs/benchmarks.md:
   * the serial collector (a proxy's heap is small and its threads few; a concurrent collector
   * costs more memory than it saves pauses here), C1 only (P8's work is I/O, and C2 spends more
   * CPU compiling than it gives back until a server has run for hours), a heap that starts
   * small and is capped, and promotion after one young collection (a held connection lives for
   * minutes; copying it between survivor spaces up to 15 times was a fifth of the CPU of
   * opening a stream).
   */
  public static final String RECOMMENDED_JVM_OPTIONS =
      "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m -Xmx512m -XX:MaxTenuringThreshold=1 -XX:+ExitOnOutOfMemoryError";

  private P8Main() {}

  /**
   * Starts the demo, or the standalone server when there are arguments.
   *
   * @param args Pushpin's command-line flags, or none for the demo
   */
  public static void main(String[] args) {
    // Undertow and XNIO log through JBoss Logging; send that to SLF4J like everything else.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    if (args.length > 0) {
      System.exit(Standalone.run(args));
      return;
    }
    Demo demo = Demo.start("0.0.0.0", P8Server.DEFAULT_PORT, P8Server.DEFAULT_CONTROL_PORT);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "p8-demo-shutdown"));
    System.out.println();
    System.out.println("P8 demo running. Open http://localhost:" + demo.proxy().port() + "/ in a browser, then publish:");
    System.out.println();
    System.out.println("  curl -d '{\"items\": [{\"channel\": \"demo\", \"formats\": {"
        + "\"http-stream\": {\"content\": \"event: message\\ndata: hello from curl\\n\\n\"}, "
        + "\"http-response\": {\"body\": \"hello from curl\\n\"}, "
        + "\"ws-message\": {\"content\": \"hello from curl\"}}}]}' http://localhost:"
        + demo.proxy().controlPort() + "/publish");
    System.out.println();
    System.out.println("or watch the stream in a terminal: curl -N http://localhost:" + demo.proxy().port() + "/events");
    System.out.println("Press Ctrl-C to stop.");
  }

  /** The demo: a proxy and its in-process backend, started together and closed together. */
  public static final class Demo implements AutoCloseable {
    private final P8Server proxy;
    private final Undertow backend;

    private Demo(P8Server proxy, Undertow backend) {
      this.proxy = proxy;
      this.backend = backend;
    }

    /**
     * Starts the backend on a free loopback port and P8 in front of it.
     *
     * @param host        the address P8 listens on for clients
     * @param port        the client port, or 0 for any
     * @param controlPort the control API port on 127.0.0.1, or 0 for any
     */
    public static Demo start(String host, int port, int controlPort) {
      AtomicReference<DemoBackend> handler = new AtomicReference<>();
      Undertow backend = Undertow.builder()
          .addHttpListener(0, "127.0.0.1")
          .setHandler(exchange -> handler.get().handleRequest(exchange))
          .build();
      backend.start();
      int backendPort = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
      P8Server proxy = P8Server.builder()
          .listen(host, port)
          .controlListener("127.0.0.1", controlPort)
          .route("* 127.0.0.1:" + backendPort)
          .route("*,path_beg=/ws 127.0.0.1:" + backendPort + ",over_http")
          .build();
      handler.set(new DemoBackend(proxy.publisher()));
      try {
        proxy.start();
      } catch (RuntimeException e) {
        backend.stop();
        throw e;
      }
      return new Demo(proxy, backend);
    }

    /** The running proxy. */
    public P8Server proxy() {
      return proxy;
    }

    @Override
    public void close() {
      proxy.close();
      backend.stop();
    }
  }
}
